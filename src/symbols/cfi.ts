import { ByteCursor } from './byte-cursor';
import { MemoryReader, evaluateValue } from './dwarf-expr';
import { SymbolFileError, hex } from './errors';

/**
 * Call frame information (.debug_frame and .eh_frame): CIE/FDE parsing, the CFA rule machine, and one-frame
 * unwinding for IA-32. Registers are indexed by DWARF number: eax=0 ecx=1 edx=2 ebx=3 esp=4 ebp=5 esi=6 edi=7 eip=8.
 */

export const I386_DWARF_REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags'] as const;
export const REG_ESP = 4;
export const REG_EBP = 5;
export const REG_EIP = 8;

export type CfaRule = { kind: 'reg'; reg: number; offset: number } | { kind: 'expr'; expr: Uint8Array };
export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }
  | { kind: 'val_offset'; offset: number }
  | { kind: 'register'; reg: number }
  | { kind: 'expr'; expr: Uint8Array }
  | { kind: 'val_expr'; expr: Uint8Array };

export interface UnwindRow {
  /** First link-time address the row applies to. */
  address: number;
  cfa: CfaRule;
  regs: Map<number, RegRule>;
}

export interface Cie {
  offset: number;
  version: number;
  augmentation: string;
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  fdeEncoding: number;
  signalFrame: boolean;
  instructions: Uint8Array;
}

export interface Fde {
  offset: number;
  cie: Cie;
  /** [begin, end) link-time addresses. */
  begin: number;
  end: number;
  instructions: Uint8Array;
}

export interface CfiOptions {
  kind: 'eh_frame' | 'debug_frame';
  /** Link-time address of the section (for pc-relative pointers in .eh_frame). */
  sectionAddress: number;
  addrSize?: number;
  dataAddress?: number;
  textAddress?: number;
}

const MAX_STATE_STACK = 64;

export class CallFrameInfo {
  readonly fdes: Fde[] = [];
  readonly warnings: string[] = [];

  constructor(data: Uint8Array, readonly options: CfiOptions) {
    const cies = new Map<number, Cie>();
    const isEh = options.kind === 'eh_frame';
    const addrSize = options.addrSize ?? 4;
    let pos = 0;
    while (pos + 4 <= data.length) {
      const start = pos;
      try {
        const c = new ByteCursor(data, pos, data.length, options.kind);
        let length = c.u32();
        let offsetSize = 4;
        if (length === 0) {
          if (isEh) break; // .eh_frame terminator
          pos = c.pos;
          continue;
        }
        if (length === 0xffffffff) {
          length = c.u64();
          offsetSize = 8;
        }
        const body = c.sub(length, options.kind);
        pos = body.end;
        const idPos = body.pos;
        const id = body.uint(offsetSize);
        const isCie = isEh ? id === 0 : id === (offsetSize === 8 ? 2 ** 64 - 1 : 0xffffffff);
        if (isCie) {
          cies.set(start, this.parseCie(body, start, addrSize));
          continue;
        }
        const cieOffset = isEh ? idPos - id : id;
        let cie = cies.get(cieOffset);
        if (!cie) {
          // CIEs normally precede their FDEs, but nothing requires it.
          const cc = new ByteCursor(data, 0, data.length, options.kind).seek(cieOffset);
          const cl = cc.u32();
          const cb = cc.sub(cl, options.kind);
          cb.u32();
          cie = this.parseCie(cb, cieOffset, addrSize);
          cies.set(cieOffset, cie);
        }
        const begin = this.readPointer(body, cie.fdeEncoding, addrSize);
        const range = this.readPointer(body, cie.fdeEncoding & 0x0f, addrSize);
        if (cie.augmentation.startsWith('z')) body.skip(body.uleb());
        const instructions = body.take(body.remaining);
        if (range > 0) this.fdes.push({ offset: start, cie, begin: begin >>> 0, end: (begin + range) >>> 0 || begin + range, instructions });
      } catch (e) {
        if (!(e instanceof SymbolFileError)) throw e;
        this.warnings.push(`${options.kind} entry at ${hex(start)}: ${e.message}`);
        if (pos <= start) break;
      }
    }
    this.fdes.sort((a, b) => a.begin - b.begin);
  }

  findFde(pc: number): Fde | undefined {
    let lo = 0;
    let hi = this.fdes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = this.fdes[mid];
      if (pc < f.begin) hi = mid - 1;
      else if (pc >= f.end) lo = mid + 1;
      else return f;
    }
    return undefined;
  }

  /** The rule row in force at a link-time pc (undefined, with a warning, if the FDE's program is corrupt). */
  rowAt(pc: number): UnwindRow | undefined {
    const fde = this.findFde(pc);
    if (!fde) return undefined;
    let found: UnwindRow | undefined;
    try {
      executeRows(fde, (row) => {
        if (row.address <= pc) found = row;
        return row.address <= pc;
      });
    } catch (e) {
      if (!(e instanceof SymbolFileError)) throw e;
      this.warnings.push(`FDE at 0x${fde.offset.toString(16)}: ${e.message}`);
      return undefined;
    }
    return found;
  }

  /** Every row of an FDE, in address order (what `readelf --debug-dump=frames-interp` prints). */
  rows(fde: Fde): UnwindRow[] {
    const out: UnwindRow[] = [];
    executeRows(fde, (row) => {
      out.push(row);
      return true;
    });
    return out;
  }

  private parseCie(c: ByteCursor, offset: number, addrSize: number): Cie {
    const version = c.u8();
    const augmentation = c.cstr();
    if (augmentation.includes('eh')) c.skip(addrSize);
    if (version >= 4) {
      c.u8(); // address size
      c.u8(); // segment selector size
    }
    const codeAlign = c.uleb();
    const dataAlign = c.sleb();
    const raReg = version === 1 ? c.u8() : c.uleb();
    let fdeEncoding = 0;
    let signalFrame = false;
    if (augmentation.startsWith('z')) {
      const aug = c.sub(c.uleb(), 'CIE augmentation');
      for (const ch of augmentation.slice(1)) {
        if (ch === 'R') fdeEncoding = aug.u8();
        else if (ch === 'L') aug.u8();
        else if (ch === 'P') this.readPointer(aug, aug.u8() & 0x7f, addrSize);
        else if (ch === 'S') signalFrame = true;
        else break; // unknown letter: the length lets us skip the rest
      }
    }
    return { offset, version, augmentation, codeAlign, dataAlign, raReg, fdeEncoding, signalFrame, instructions: c.take(c.remaining) };
  }

  /** Reads a DW_EH_PE-encoded pointer. Indirect pointers cannot be followed without memory; the slot address stands in. */
  private readPointer(c: ByteCursor, enc: number, addrSize: number): number {
    if (enc === 0xff) return 0;
    const fieldPos = c.pos;
    let v: number;
    switch (enc & 0x0f) {
      case 0x00: v = c.uint(addrSize); break;
      case 0x01: v = c.uleb(); break;
      case 0x02: v = c.u16(); break;
      case 0x03: v = c.u32(); break;
      case 0x04: v = c.u64(); break;
      case 0x09: v = c.sleb(); break;
      case 0x0a: v = c.s16(); break;
      case 0x0b: v = c.s32(); break;
      case 0x0c: v = c.s64(); break;
      default: throw new SymbolFileError(`unknown pointer encoding ${hex(enc)}`, fieldPos);
    }
    switch (enc & 0x70) {
      case 0x10: v += this.options.sectionAddress + fieldPos; break; // pcrel
      case 0x20: v += this.options.textAddress ?? 0; break;
      case 0x30: v += this.options.dataAddress ?? 0; break;
    }
    return addrSize === 4 ? v >>> 0 : v;
  }
}

/** Runs CIE initial instructions then the FDE's, calling `onRow` as each row closes; stops when it returns false. */
function executeRows(fde: Fde, onRow: (row: UnwindRow) => boolean): void {
  const cie = fde.cie;
  let row: UnwindRow = { address: fde.begin, cfa: { kind: 'reg', reg: REG_ESP, offset: 4 }, regs: new Map() };
  const run = (instructions: Uint8Array, initial: Map<number, RegRule> | undefined): boolean => {
    const c = new ByteCursor(instructions, 0, instructions.length, 'CFA instructions');
    const stack: UnwindRow[] = [];
    const advance = (delta: number): boolean => {
      const next = row.address + delta * cie.codeAlign;
      if (next === row.address) return true;
      if (!onRow(row)) return false;
      row = { address: next, cfa: row.cfa, regs: new Map(row.regs) };
      return true;
    };
    const setCfa = (cfa: CfaRule): void => {
      row.cfa = cfa;
    };
    const cfaReg = (): { reg: number; offset: number } => (row.cfa.kind === 'reg' ? row.cfa : { reg: REG_ESP, offset: 0 });
    while (!c.atEnd) {
      const op = c.u8();
      const high = op & 0xc0;
      const low = op & 0x3f;
      if (high === 0x40) { if (!advance(low)) return false; continue; }
      if (high === 0x80) { row.regs.set(low, { kind: 'offset', offset: c.uleb() * cie.dataAlign }); continue; }
      if (high === 0xc0) { restore(row, low, initial); continue; }
      switch (op) {
        case 0x00: break;
        case 0x01: { const a = c.u32(); if (!advance((a - row.address) / (cie.codeAlign || 1))) return false; break; }
        case 0x02: if (!advance(c.u8())) return false; break;
        case 0x03: if (!advance(c.u16())) return false; break;
        case 0x04: if (!advance(c.u32())) return false; break;
        case 0x05: { const r = c.uleb(); row.regs.set(r, { kind: 'offset', offset: c.uleb() * cie.dataAlign }); break; }
        case 0x06: restore(row, c.uleb(), initial); break;
        case 0x07: row.regs.set(c.uleb(), { kind: 'undefined' }); break;
        case 0x08: row.regs.set(c.uleb(), { kind: 'same' }); break;
        case 0x09: { const r = c.uleb(); row.regs.set(r, { kind: 'register', reg: c.uleb() }); break; }
        case 0x0a:
          if (stack.length >= MAX_STATE_STACK) throw new SymbolFileError('DW_CFA_remember_state nested too deeply');
          stack.push({ ...row, regs: new Map(row.regs) });
          break;
        case 0x0b: {
          const s = stack.pop();
          if (s) { row.cfa = s.cfa; row.regs = s.regs; }
          break;
        }
        case 0x0c: { const reg = c.uleb(); setCfa({ kind: 'reg', reg, offset: c.uleb() }); break; }
        case 0x0d: setCfa({ kind: 'reg', reg: c.uleb(), offset: cfaReg().offset }); break;
        case 0x0e: setCfa({ kind: 'reg', reg: cfaReg().reg, offset: c.uleb() }); break;
        case 0x0f: setCfa({ kind: 'expr', expr: c.take(c.uleb()) }); break;
        case 0x10: { const r = c.uleb(); row.regs.set(r, { kind: 'expr', expr: c.take(c.uleb()) }); break; }
        case 0x11: { const r = c.uleb(); row.regs.set(r, { kind: 'offset', offset: c.sleb() * cie.dataAlign }); break; }
        case 0x12: { const reg = c.uleb(); setCfa({ kind: 'reg', reg, offset: c.sleb() * cie.dataAlign }); break; }
        case 0x13: setCfa({ kind: 'reg', reg: cfaReg().reg, offset: c.sleb() * cie.dataAlign }); break;
        case 0x14: { const r = c.uleb(); row.regs.set(r, { kind: 'val_offset', offset: c.uleb() * cie.dataAlign }); break; }
        case 0x15: { const r = c.uleb(); row.regs.set(r, { kind: 'val_offset', offset: c.sleb() * cie.dataAlign }); break; }
        case 0x16: { const r = c.uleb(); row.regs.set(r, { kind: 'val_expr', expr: c.take(c.uleb()) }); break; }
        case 0x2e: c.uleb(); break; // GNU_args_size
        case 0x2f: { const r = c.uleb(); row.regs.set(r, { kind: 'offset', offset: -c.uleb() * cie.dataAlign }); break; }
        default: throw new SymbolFileError(`unknown call frame instruction ${hex(op)}`);
      }
    }
    return true;
  };
  run(cie.instructions, undefined);
  const initial = new Map(row.regs);
  const initialCfa = row.cfa;
  row = { address: fde.begin, cfa: initialCfa, regs: new Map(initial) };
  if (run(fde.instructions, initial)) onRow(row);
}

function restore(row: UnwindRow, reg: number, initial: Map<number, RegRule> | undefined): void {
  const r = initial?.get(reg);
  if (r) row.regs.set(reg, r);
  else row.regs.delete(reg);
}

export type Registers = Array<number | undefined>;

export interface UnwoundFrame {
  cfa: number;
  /** The caller's registers; undefined where the rules say the value is lost. */
  regs: Registers;
}

/**
 * Unwinds one frame with CFI. `regs` are the callee's registers (eip included) at run time; `loadOffset` maps
 * link-time addresses to run-time ones. For frames above the innermost, pass `caller: true` so the lookup uses
 * eip-1 (a call at the end of a function returns past its FDE). Returns undefined at the outermost frame
 * (return address undefined) or without an FDE.
 */
export function unwindFrame(cfi: CallFrameInfo, regs: Registers, readMemory: MemoryReader, loadOffset = 0, caller = false): UnwoundFrame | undefined {
  const pc = regs[REG_EIP];
  if (pc === undefined) return undefined;
  const linkPc = (pc - (caller ? 1 : 0) - loadOffset) >>> 0;
  const fde = cfi.findFde(linkPc);
  const row = cfi.rowAt(linkPc);
  if (!fde || !row) return undefined;
  const read32 = (addr: number): number | undefined => {
    const b = readMemory(addr >>> 0, 4);
    return b && b.length >= 4 ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
  };
  const ctx = { readRegister: (r: number) => regs[r], readMemory };
  const cfa = cfaFromRow(row, regs, readMemory);
  if (cfa === undefined) return undefined;
  const out: Registers = regs.slice();
  out[REG_ESP] = cfa;
  out[REG_EIP] = undefined;
  for (const [reg, rule] of row.regs) {
    let v: number | undefined;
    try {
      switch (rule.kind) {
        case 'undefined': v = undefined; break;
        case 'same': v = regs[reg]; break;
        case 'offset': v = read32(cfa + rule.offset); break;
        case 'val_offset': v = (cfa + rule.offset) >>> 0; break;
        case 'register': v = regs[rule.reg]; break;
        case 'expr': v = read32(evaluateValue(rule.expr, { ...ctx, initialStack: [cfa] })); break;
        case 'val_expr': v = evaluateValue(rule.expr, { ...ctx, initialStack: [cfa] }) >>> 0; break;
      }
    } catch (e) {
      if (!(e instanceof SymbolFileError)) throw e;
      v = undefined;
    }
    out[reg] = v;
  }
  const raReg = fde.cie.raReg;
  if (raReg !== REG_EIP) out[REG_EIP] = out[raReg];
  if (!row.regs.has(raReg) || out[REG_EIP] === undefined) return undefined;
  return { cfa, regs: out };
}

/** The CFA a row defines for the given registers, or undefined if a needed register is unknown. */
export function cfaFromRow(row: UnwindRow, regs: Registers, readMemory: MemoryReader): number | undefined {
  if (row.cfa.kind === 'reg') {
    const base = regs[row.cfa.reg];
    return base === undefined ? undefined : (base + row.cfa.offset) >>> 0;
  }
  try {
    return evaluateValue(row.cfa.expr, { readRegister: (r: number) => regs[r], readMemory }) >>> 0;
  } catch (e) {
    if (e instanceof SymbolFileError) return undefined;
    throw e;
  }
}

/** The classic frame-pointer walk: caller ebp = [ebp], return address = [ebp+4], caller esp = ebp+8. */
export function unwindWithFramePointer(regs: Registers, readMemory: MemoryReader): UnwoundFrame | undefined {
  const ebp = regs[REG_EBP];
  if (ebp === undefined || ebp === 0) return undefined;
  const b = readMemory(ebp >>> 0, 8);
  if (!b || b.length < 8) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  const out: Registers = regs.slice();
  out[REG_EBP] = dv.getUint32(0, true);
  out[REG_EIP] = dv.getUint32(4, true);
  out[REG_ESP] = (ebp + 8) >>> 0;
  if (out[REG_EIP] === 0) return undefined;
  return { cfa: (ebp + 8) >>> 0, regs: out };
}
