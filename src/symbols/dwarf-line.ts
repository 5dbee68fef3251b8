import { ByteCursor } from './byte-cursor';
import { DW_FORM } from './dwarf-constants';
import { AttrValue, FormContext, isStrxForm, readForm } from './dwarf-forms';
import { SymbolFileError, hex } from './errors';

/** .debug_line: the line-number program (DWARF 2-5) run into a table of rows. */

export interface LineRow {
  address: number;
  /** Index into LineTable.files (the DWARF file number). */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  basicBlock: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  discriminator: number;
}

export interface LineTable {
  offset: number;
  version: number;
  /** Full paths by DWARF file number; DWARF 4 numbers from 1, so entry 0 is then the unit's primary file. */
  files: string[];
  rows: LineRow[];
}

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

/** Rows beyond this are corrupt for any plausible kernel; the cap keeps a bad program from running away. */
const MAX_ROWS = 4_000_000;

export interface LineContext {
  compDir?: string;
  compName?: string;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  /** Resolves DW_FORM_strx in v5 entry formats (rare; needs the unit's str_offsets_base). */
  strx?: (index: number) => string;
}

export function parseLineTable(data: Uint8Array, offset: number, ctx: LineContext): LineTable {
  const c0 = new ByteCursor(data, 0, data.length, '.debug_line').seek(offset);
  let length = c0.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c0.u64();
    offsetSize = 8;
  }
  const c = c0.sub(length, '.debug_line');
  const version = c.u16();
  if (version < 2 || version > 5) throw new SymbolFileError(`unsupported line table version ${version} at ${hex(offset)}`, offset);
  let addrSize = 4;
  if (version >= 5) {
    addrSize = c.u8();
    c.u8(); // segment selector size
  }
  const headerLength = c.uint(offsetSize);
  const programStart = c.pos + headerLength;
  if (programStart > c.end) throw new SymbolFileError(`line table header at ${hex(offset)} is longer than the table`, offset);
  const minInst = c.u8();
  if (version >= 4) c.u8(); // max ops per instruction: VLIW only, always 1 on x86
  const defaultIsStmt = c.u8() !== 0;
  const lineBase = c.s8();
  const lineRange = c.u8();
  const opcodeBase = c.u8();
  if (lineRange === 0) throw new SymbolFileError(`line table at ${hex(offset)} has line_range 0`, offset);
  const stdLengths = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(c.u8());

  const compDir = ctx.compDir ?? '';
  let files: string[];
  if (version >= 5) {
    const fctx: FormContext = { version, addrSize, offsetSize, unitOffset: 0, str: ctx.str, lineStr: ctx.lineStr };
    const dirs = readEntries(c, fctx, ctx).map((e) => e.path);
    const fileEntries = readEntries(c, fctx, ctx);
    files = fileEntries.map((e) => joinPath(dirs[e.dir] ?? compDir, e.path, compDir));
  } else {
    const dirs = [compDir];
    for (;;) {
      const d = c.cstr();
      if (d === '') break;
      dirs.push(d);
    }
    files = [joinPath(compDir, ctx.compName ?? '', compDir)];
    for (;;) {
      const name = c.cstr();
      if (name === '') break;
      const dir = c.uleb();
      c.uleb();
      c.uleb();
      files.push(joinPath(dirs[dir] ?? compDir, name, compDir));
    }
  }

  c.seek(programStart);
  const rows: LineRow[] = [];
  const fresh = (): LineRow => ({
    address: 0, file: 1, line: 1, column: 0, isStmt: defaultIsStmt, basicBlock: false,
    endSequence: false, prologueEnd: false, epilogueBegin: false, discriminator: 0,
  });
  let r = fresh();
  const emit = (): void => {
    if (rows.length >= MAX_ROWS) throw new SymbolFileError(`line table at ${hex(offset)} has more than ${MAX_ROWS} rows`, offset);
    rows.push({ ...r });
    r.basicBlock = r.prologueEnd = r.epilogueBegin = false;
    r.discriminator = 0;
  };
  while (!c.atEnd) {
    const op = c.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      r.address += Math.floor(adj / lineRange) * minInst;
      r.line += lineBase + (adj % lineRange);
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = c.uleb();
        const ext = c.sub(len, '.debug_line extended opcode');
        if (len === 0) break;
        const sub = ext.u8();
        if (sub === 1) { // end_sequence
          r.endSequence = true;
          emit();
          r = fresh();
        } else if (sub === 2) { // set_address
          r.address = ext.uint(len - 1);
        } else if (sub === 3) { // define_file (DWARF <= 4)
          const name = ext.cstr();
          ext.uleb();
          files.push(joinPath(compDir, name, compDir));
        } else if (sub === 4) { // set_discriminator
          r.discriminator = ext.uleb();
        }
        break;
      }
      case 1: emit(); break; // copy
      case 2: r.address += c.uleb() * minInst; break;
      case 3: r.line += c.sleb(); break;
      case 4: r.file = c.uleb(); break;
      case 5: r.column = c.uleb(); break;
      case 6: r.isStmt = !r.isStmt; break;
      case 7: r.basicBlock = true; break;
      case 8: r.address += Math.floor((255 - opcodeBase) / lineRange) * minInst; break;
      case 9: r.address += c.u16(); break;
      case 10: r.prologueEnd = true; break;
      case 11: r.epilogueBegin = true; break;
      case 12: c.uleb(); break; // set_isa
      default:
        for (let i = 0; i < stdLengths[op]; i++) c.uleb();
    }
    r.address = r.address >>> 0;
  }
  return { offset, version, files, rows };
}

function readEntries(c: ByteCursor, fctx: FormContext, ctx: LineContext): Array<{ path: string; dir: number }> {
  const formatCount = c.u8();
  const format: Array<[number, number]> = [];
  for (let i = 0; i < formatCount; i++) format.push([c.uleb(), c.uleb()]);
  const count = c.uleb();
  const out: Array<{ path: string; dir: number }> = [];
  for (let i = 0; i < count; i++) {
    let path = '';
    let dir = 0;
    for (const [type, form] of format) {
      let v: AttrValue = readForm(c, form, fctx);
      if (isStrxForm(form) && typeof v === 'number') v = ctx.strx ? ctx.strx(v) : '';
      if (type === DW_LNCT_path && typeof v === 'string') path = v;
      else if (type === DW_LNCT_directory_index && typeof v === 'number' && form !== DW_FORM.data16) dir = v;
    }
    out.push({ path, dir });
  }
  return out;
}

/** Joins DWARF path parts: absolute names win; relative directories hang off the compilation directory. */
export function joinPath(dir: string, name: string, compDir: string): string {
  if (isAbsolute(name)) return normalizePath(name);
  let d = dir;
  if (d && !isAbsolute(d) && compDir) d = compDir + '/' + d;
  return normalizePath(d ? d + '/' + name : name);
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\');
}

/** Forward slashes, no "." segments, ".." folded where possible. */
export function normalizePath(p: string): string {
  const abs = p.startsWith('/') || p.startsWith('\\');
  const parts: string[] = [];
  for (const seg of p.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return (abs ? '/' : '') + parts.join('/');
}
