import { CallFrameInfo, Registers, UnwoundFrame, cfaFromRow, unwindFrame, unwindWithFramePointer } from './cfi';
import { DW_AT } from './dwarf-constants';
import { Die, DwarfInfo, DwarfSections } from './dwarf-info';
import { ExprContext, Location, MemoryReader, evaluateLocation } from './dwarf-expr';
import { LineTable, parseLineTable } from './dwarf-line';
import { Range, expressionAt, locationOf } from './dwarf-ranges';
import { FunctionInfo, ScopeLink, ScopeReader, VariableInfo } from './dwarf-scopes';
import { sizeOf } from './dwarf-types';
import { EM_386, ElfFile, ElfSymbol } from './elf-reader';
import { SymbolFileError } from './errors';
import { FunctionIndex, functionsFromSymbols } from './function-index';
import { LineIndex } from './line-index';
import { locationBytes } from './location-bytes';
import { analyzeFrameSetup } from './prologue';

const DW_LANG_MIPS_ASSEMBLER = 0x8001;
/** Largest variable read in one piece; bigger objects are browsed through children (array windows). */
export const MAX_VALUE_BYTES = 1 << 20;

/**
 * One ELF file's symbols at one load offset: run-time address = link-time address + loadOffset (mod 2^32).
 * Every address in and out of this class is a run-time address. Construction only throws SymbolFileError,
 * and only when the ELF container itself is unreadable; broken DWARF, symbol tables or CFI become warnings
 * and the file degrades to what still works (ELF symbols, then nothing).
 */

export interface SymbolFileOptions {
  /** Shown in messages and used by SymbolTable; defaults to "<memory>". */
  name?: string;
  /** Added to every link-time address, e.g. -0xC0000000 for a higher-half kernel still running at physical addresses. */
  loadOffset?: number;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** Run-time address where this line-table row starts. */
  address: number;
  isStmt: boolean;
}

export interface FunctionSymbol {
  name: string;
  low: number;
  high: number;
  ranges: Range[];
  source: 'dwarf' | 'symbol';
  declFile?: string;
  declLine?: number;
}

/** One source-level frame: an out-of-line function or an inlined call inside it. */
export interface SourceFrame {
  name: string;
  inlined: boolean;
  /** For an inlined call: the run-time address ranges of its code ([low, high)), which step-out leaves. */
  ranges?: Array<[number, number]>;
  location?: SourceLocation;
  function?: FunctionSymbol;
  /** Parameters first, then locals (innermost block first); shadowed outer names are left out. */
  variables: VariableInfo[];
}

/** Registers and memory of the machine for evaluating variable locations. */
export interface FrameContext {
  /** Run-time pc of the frame (its return address for callers). */
  pc: number;
  regs: Registers;
  readMemory: MemoryReader;
  /** True for frames above the innermost: lookups use pc-1 so the call, not the next line, is found. */
  caller?: boolean;
}

export interface VariableValue {
  location: Location;
  /** The value's bytes (type size), when they could be read. */
  bytes?: Uint8Array;
  error?: string;
}

export class SymbolFile {
  readonly name: string;
  readonly loadOffset: number;
  readonly warnings: string[] = [];
  readonly elfSymbols: ElfSymbol[] = [];
  readonly lineTables: LineTable[] = [];
  private dwarf?: DwarfInfo;
  private scopes?: ScopeReader;
  private lines: LineIndex;
  private functions: FunctionIndex;
  private symbolFunctions: FunctionIndex;
  private cfi: CallFrameInfo[] = [];
  private unitTables = new Map<number, number>();
  private globalsCache?: VariableInfo[];
  private inlined?: Array<{ name: string; entry: number }>;

  private constructor(readonly elf: ElfFile, opts: SymbolFileOptions) {
    this.name = opts.name ?? '<memory>';
    this.loadOffset = opts.loadOffset ?? 0;
    if (elf.header.machine !== EM_386) this.warnings.push(`ELF machine is ${elf.header.machine}, not EM_386 (3)`);
    this.guard('symbol table', () => this.elfSymbols.push(...elf.symbols()));
    this.symbolFunctions = new FunctionIndex([]);
    this.guard('symbol table', () => (this.symbolFunctions = new FunctionIndex(functionsFromSymbols(elf, this.elfSymbols))));
    const sections = this.debugSections();
    this.guard('DWARF', () => {
      this.dwarf = new DwarfInfo(sections);
      this.warnings.push(...this.dwarf.warnings);
    });
    this.guard('line tables', () => this.readLineTables(sections));
    const hasCode = elf.sections.some((s) => s.flags & 0x4);
    this.lines = new LineIndex([]);
    this.guard('line tables', () => (this.lines = new LineIndex(this.lineTables, (a) => !hasCode || elf.isCodeAddress(a))));
    this.functions = new FunctionIndex([]);
    this.guard('functions', () => {
      if (!this.dwarf) return;
      this.scopes = new ScopeReader(this.dwarf, (die, index) => this.fileOf(die, index));
      this.functions = new FunctionIndex(this.scopes.functions(this.warnings).filter((f) => !hasCode || elf.isCodeAddress(f.low)));
      this.inlined = this.scopes.inlinedInstances(this.warnings).filter((i) => !hasCode || elf.isCodeAddress(i.entry));
    });
    this.guard('call frame information', () => this.readCfi());
  }

  /** Parses an ELF32 file. Throws SymbolFileError if it is not a readable ELF32 little-endian file. */
  static fromBytes(bytes: Uint8Array, opts: SymbolFileOptions = {}): SymbolFile {
    return new SymbolFile(ElfFile.parse(bytes), opts);
  }

  /** A second view of the same file at another load offset (e.g. the physical alias of a higher-half kernel). */
  withLoadOffset(loadOffset: number, name = this.name): SymbolFile {
    return new SymbolFile(this.elf, { name, loadOffset });
  }

  /** paddr - vaddr of the first PT_LOAD segment: the load offset at which symbols match physical addresses. */
  physicalLoadOffset(): number {
    const seg = this.elf.loadSegments()[0];
    return seg ? seg.paddr - seg.vaddr : 0;
  }

  get hasDwarf(): boolean {
    return !!this.dwarf && this.dwarf.units.length > 0;
  }

  get entryPoint(): number {
    return this.toRun(this.elf.header.entry);
  }

  sourceFiles(): string[] {
    return this.lines.files();
  }

  lineForAddress(addr: number): SourceLocation | undefined {
    const e = this.lines.lookup(this.toLink(addr));
    if (!e) return undefined;
    return { file: e.file, line: e.line, column: e.column, address: this.toRun(e.start), isStmt: e.isStmt };
  }

  /**
   * Breakpoint addresses for file:line: the statement addresses of that line, or of the next line with code.
   * One address per function or inlined copy (the lowest), so inlined and duplicated code gets several.
   */
  addressesForLine(file: string, line: number): { line: number; addresses: number[] } | undefined {
    const files = this.lines.matchFiles(file);
    if (files.size === 0) return undefined;
    const found = this.lines.findLine(files, line);
    if (!found) return undefined;
    const best = new Map<string, number>();
    for (const e of found.entries) {
      const key = this.blockKey(e.start) ?? `seq:${e.table}:${e.sequenceStart}`;
      const prev = best.get(key);
      if (prev === undefined || e.start < prev) best.set(key, e.start);
    }
    // A breakpoint on a function's first address goes after its prologue, as in gdb, so arguments are readable.
    let reported = found.line;
    const placed = [...best.values()].sort((a, b) => a - b).map((a, i) => {
      const fn = this.functions.at(a);
      if (!fn || fn.low !== a) return a;
      const moved = this.skipPrologue(fn);
      const l = this.lines.lookup(moved);
      // Like gdb, report the line the breakpoint really moved to.
      if (i === 0 && moved !== a && l && l.line > 0) reported = l.line;
      return moved;
    });
    const addresses = [...new Set(placed)].sort((a, b) => a - b);
    return { line: reported, addresses: addresses.map((a) => this.toRun(a)) };
  }

  functionAt(addr: number): FunctionSymbol | undefined {
    const link = this.toLink(addr);
    const fn = this.functions.at(link) ?? this.symbolFunctions.at(link);
    return fn && this.publicFunction(fn);
  }

  functionByName(name: string): FunctionSymbol | undefined {
    const fn = this.functions.byName(name) ?? this.symbolFunctions.byName(name);
    return fn && this.publicFunction(fn);
  }

  /** All functions (DWARF when available, else ELF symbols), run-time addresses. */
  allFunctions(): FunctionSymbol[] {
    const src = this.functions.functions.length ? this.functions : this.symbolFunctions;
    return src.functions.map((f) => this.publicFunction(f));
  }

  /**
   * Where a breakpoint on a function should go: after the prologue, at the first line-table row of the function
   * whose line differs from the opening line (gdb's rule, with rows on the same line merged as gdb does),
   * or at a row marked prologue_end. The function's first address when there is no line information.
   */
  entryAfterPrologue(name: string): number | undefined {
    const fn = this.functions.byName(name) ?? this.symbolFunctions.byName(name);
    return fn && this.toRun(this.skipPrologue(fn));
  }

  /**
   * Where "break NAME" should stop: after the prologue of every out-of-line function of that name (static
   * functions in several units) and at the start of every inlined copy, as gdb does. Sorted, run-time.
   */
  functionBreakpoints(name: string): number[] {
    let fns = this.functions.allByName(name);
    if (fns.length === 0) fns = this.symbolFunctions.allByName(name);
    const out = new Set(fns.map((f) => this.skipPrologue(f)));
    for (const i of this.inlined ?? []) if (i.name === name) out.add(i.entry);
    return [...out].sort((a, b) => a - b).map((a) => this.toRun(a));
  }

  /** "name+offset" parts for an address, from functions then any ELF symbol. */
  symbolize(addr: number): { name: string; offset: number } | undefined {
    const link = this.toLink(addr);
    const fn = this.functions.at(link) ?? this.symbolFunctions.at(link);
    if (fn) return { name: fn.name, offset: link - fn.low };
    let best: ElfSymbol | undefined;
    for (const s of this.elfSymbols) {
      if (!s.name || s.type === 'file' || s.type === 'section' || s.sectionIndex === 0) continue;
      if (s.value <= link && link < s.value + Math.max(s.size, 1) && (!best || s.value > best.value)) best = s;
    }
    return best && { name: best.name, offset: link - best.value };
  }

  /** Source frames at a pc, innermost first: inlined calls, then the function that contains them. */
  framesAt(pc: number, caller = false): SourceFrame[] {
    const link = (this.toLink(pc) - (caller ? 1 : 0)) >>> 0;
    const loc = this.lineAtLink(link, pc);
    const fn = this.functions.at(link);
    if (!fn?.die || !this.scopes) {
      const sym = fn ?? this.symbolFunctions.at(link);
      return sym ? [{ name: sym.name, inlined: false, location: loc, function: this.publicFunction(sym), variables: [] }] : [];
    }
    let chain: ScopeLink[];
    try {
      chain = this.scopes.scopeChain(fn.die, link);
    } catch (e) {
      if (!(e instanceof SymbolFileError)) throw e;
      chain = [{ die: fn.die, kind: 'function', ranges: fn.ranges }];
    }
    const groups: ScopeLink[][] = [];
    for (const l of chain) {
      if (l.kind !== 'block' || groups.length === 0) groups.push([l]);
      else groups[groups.length - 1].push(l);
    }
    const pub = this.publicFunction(fn);
    const frames: SourceFrame[] = [];
    for (let g = groups.length - 1; g >= 0; g--) {
      const group = groups[g];
      const head = group[0].die;
      let location = loc;
      if (g < groups.length - 1) location = this.callSite(groups[g + 1][0].die, pc);
      const inlined = group[0].kind === 'inlined';
      frames.push({
        name: head.name ?? '<inlined>',
        inlined,
        ranges: inlined ? group[0].ranges.map(([lo, hi]) => [(lo + this.loadOffset) >>> 0, (hi + this.loadOffset) >>> 0] as [number, number]) : undefined,
        location,
        function: pub,
        variables: this.frameVariables(group),
      });
    }
    return frames;
  }

  /** Global and static variables at unit level. */
  globals(): VariableInfo[] {
    if (!this.globalsCache) {
      this.globalsCache = [];
      const scopes = this.scopes;
      if (scopes) this.guard('global variables', () => (this.globalsCache = scopes.globals(this.warnings)));
    }
    return this.globalsCache;
  }

  /** Locates and reads a variable. For globals, `frame` only needs readMemory (and regs may be empty). */
  readVariable(v: VariableInfo, frame: FrameContext): VariableValue {
    const size = sizeOf(v.type);
    if (!(size >= 0 && size <= MAX_VALUE_BYTES)) {
      return { location: { kind: 'unavailable', reason: 'too large' }, error: `value of ${size} bytes is too large to read (limit ${MAX_VALUE_BYTES})` };
    }
    if (v.constValue !== undefined) {
      const bytes = typeof v.constValue === 'number' ? encodeLE(v.constValue, size || 4) : v.constValue;
      return { location: { kind: 'implicit', bytes }, bytes };
    }
    if (!v.location) return { location: { kind: 'unavailable', reason: 'optimized out' }, error: 'optimized out' };
    const link = (this.toLink(frame.pc) - (frame.caller ? 1 : 0)) >>> 0;
    const expr = expressionAt(v.location, link);
    if (!expr) return { location: { kind: 'unavailable', reason: 'optimized out' }, error: 'optimized out' };
    const location = evaluateLocation(expr, this.exprContext(v.die, frame, link));
    return locationBytes(location, size, frame);
  }

  /** The canonical frame address of a frame (CFI), if known. */
  cfa(frame: FrameContext): number | undefined {
    const link = (this.toLink(frame.pc) - (frame.caller ? 1 : 0)) >>> 0;
    for (const c of this.cfi) {
      const row = c.rowAt(link);
      if (row) return cfaFromRow(row, frame.regs, frame.readMemory);
    }
    return undefined;
  }

  /** Whether CFI covers the pc, so unwind() will not need the frame-pointer fallback. */
  hasUnwindInfo(pc: number): boolean {
    const link = this.toLink(pc);
    return this.cfi.some((c) => !!c.findFde(link));
  }

  /**
   * The caller's registers: CFI (.debug_frame, then .eh_frame) when it covers the pc, else the ebp chain if
   * `framePointerFallback` (default true). Undefined at the outermost frame.
   */
  unwind(regs: Registers, readMemory: MemoryReader, caller = false, framePointerFallback = true): UnwoundFrame | undefined {
    const pc = regs[8];
    if (pc === undefined) return undefined;
    const link = (this.toLink(pc) - (caller ? 1 : 0)) >>> 0;
    for (const c of this.cfi) {
      if (c.findFde(link)) return unwindFrame(c, regs, readMemory, this.loadOffset, caller);
    }
    return framePointerFallback ? unwindWithFramePointer(regs, readMemory) : undefined;
  }

  /** Which DWARF unit, if any, covers a run-time address (its name, producer and DWARF version). */
  unitAt(addr: number): { name?: string; producer?: string; version: number } | undefined {
    const fn = this.functions.at(this.toLink(addr));
    const u = fn?.die?.unit;
    return u && { name: u.name, producer: u.producer, version: u.version };
  }

  // ---- internals ----

  /**
   * Link-time address after fn's prologue, the way gdb finds it: for clang-built code the first line-table
   * row after the function's opening line; for gcc-built code (whose line table does not reliably mark the
   * prologue) the i386 frame-setup instructions are decoded, and if that stops mid-line the breakpoint moves
   * to the start of the next line, provided it is still inside the function.
   */
  private skipPrologue(fn: FunctionInfo): number {
    // Assembly has no prologue to skip, and neither does a function known only from ELF symbols.
    if (!fn.die || fn.die.unit.root.num(DW_AT.language) === DW_LANG_MIPS_ASSEMBLER) return fn.low;
    const rows = this.lines.entriesIn(fn.low, fn.high);
    const marked = rows.find((r) => r.prologueEnd && r.start > fn.low);
    if (marked) return marked.start;
    const producer = fn.die.unit.producer ?? '';
    if (/GNU/.test(producer) && !/clang/i.test(producer)) {
      const pc = analyzeFrameSetup((a, n) => this.codeBytes(a, n), fn.low);
      if (pc === fn.low) return pc;
      const run = this.lines.lineRun(pc);
      if (run && run[0] !== pc && run[1] > fn.low && run[1] < fn.high) return run[1];
      return pc;
    }
    const first = rows.find((r) => r.start === fn.low);
    if (!first) return fn.low;
    const changed = rows.find((r) => r.start > fn.low && r.line !== 0 && (r.line !== first.line || r.file !== first.file));
    if (changed) return changed.start;
    // A one-line function: the row after the first still ends the prologue.
    return rows.find((r) => r.start > fn.low)?.start ?? fn.low;
  }

  /** Bytes of the file's code at a link-time address (for prologue analysis). */
  private codeBytes(addr: number, n: number): Uint8Array | undefined {
    for (const s of this.elf.sections) {
      if (!(s.flags & 0x4) || addr < s.addr || addr + n > s.addr + s.size) continue;
      try {
        const d = this.elf.sectionData(s);
        return d.subarray(addr - s.addr, addr - s.addr + n);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private toLink(addr: number): number {
    return (addr - this.loadOffset) >>> 0;
  }

  private toRun(addr: number): number {
    return (addr + this.loadOffset) >>> 0;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // Only SymbolFileError is expected; anything else is our bug, but must not take the debugger down.
      const prefix = e instanceof SymbolFileError ? '' : 'internal error: ';
      this.warnings.push(`${what}: ${prefix}${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private debugSections(): DwarfSections {
    const get = (name: string): Uint8Array | undefined => {
      const s = this.elf.section(name);
      if (!s) return undefined;
      if (s.flags & 0x800) {
        this.warnings.push(`${name} is compressed (SHF_COMPRESSED); rebuild without -gz to get source-level debugging`);
        return undefined;
      }
      try {
        return this.elf.sectionData(s);
      } catch (e) {
        if (!(e instanceof SymbolFileError)) throw e;
        this.warnings.push(e.message);
        return undefined;
      }
    };
    return {
      info: get('.debug_info'), abbrev: get('.debug_abbrev'), str: get('.debug_str'), lineStr: get('.debug_line_str'),
      strOffsets: get('.debug_str_offsets'), addr: get('.debug_addr'), ranges: get('.debug_ranges'),
      rnglists: get('.debug_rnglists'), loc: get('.debug_loc'), loclists: get('.debug_loclists'), line: get('.debug_line'),
    };
  }

  private readLineTables(sections: DwarfSections): void {
    const data = sections.line;
    if (!data || !this.dwarf) return;
    const byOffset = new Map<number, number>();
    for (const unit of this.dwarf.units) {
      const off = unit.root.num(DW_AT.stmt_list);
      if (off === undefined) continue;
      let idx = byOffset.get(off);
      if (idx === undefined) {
        try {
          const t = parseLineTable(data, off, {
            compDir: unit.compDir, compName: unit.name, str: sections.str, lineStr: sections.lineStr,
            strx: (i) => unit.info.strx(unit, i),
          });
          idx = this.lineTables.length;
          this.lineTables.push(t);
          byOffset.set(off, idx);
        } catch (e) {
          if (!(e instanceof SymbolFileError)) throw e;
          this.warnings.push(`line table of ${unit.name ?? 'unit'}: ${e.message}`);
          continue;
        }
      }
      this.unitTables.set(unit.offset, idx);
    }
  }

  private readCfi(): void {
    for (const [name, kind] of [['.debug_frame', 'debug_frame'], ['.eh_frame', 'eh_frame']] as const) {
      const s = this.elf.section(name);
      if (!s) continue;
      const c = new CallFrameInfo(this.elf.sectionData(s), { kind, sectionAddress: s.addr });
      this.warnings.push(...c.warnings);
      this.cfi.push(c);
    }
  }

  private fileOf(die: Die, index: number): string | undefined {
    const t = this.unitTables.get(die.unit.offset);
    return t === undefined ? undefined : this.lineTables[t].files[index];
  }

  private lineAtLink(link: number, pc: number): SourceLocation | undefined {
    const e = this.lines.lookup(link);
    if (!e) return undefined;
    return { file: e.file, line: e.line, column: e.column, address: e.start === link ? pc : this.toRun(e.start), isStmt: e.isStmt };
  }

  private callSite(inlined: Die, pc: number): SourceLocation | undefined {
    const file = inlined.num(DW_AT.call_file);
    const line = inlined.num(DW_AT.call_line);
    if (line === undefined) return undefined;
    return {
      file: (file !== undefined ? this.fileOf(inlined, file) : undefined) ?? '<unknown>',
      line,
      column: inlined.num(DW_AT.call_column) ?? 0,
      address: pc,
      isStmt: true,
    };
  }

  /** Innermost scope (function, lexical block or inlined call) containing an address: groups breakpoint candidates, as in gdb. */
  private blockKey(link: number): string | undefined {
    const fn = this.functions.at(link);
    if (!fn) return undefined;
    if (!fn.die || !this.scopes) return `fn:${fn.low}`;
    try {
      const chain = this.scopes.scopeChain(fn.die, link);
      return `die:${chain[chain.length - 1].die.offset}`;
    } catch (e) {
      if (!(e instanceof SymbolFileError)) throw e;
    }
    return `fn:${fn.low}`;
  }

  private frameVariables(group: ScopeLink[]): VariableInfo[] {
    const scopes = this.scopes!;
    const seen = new Set<string>();
    const params: VariableInfo[] = [];
    const locals: VariableInfo[] = [];
    for (let i = group.length - 1; i >= 0; i--) {
      const link = group[i];
      let vars: VariableInfo[] = [];
      try {
        vars = scopes.variablesIn(link.die, link.kind === 'block' ? link.ranges : undefined);
      } catch (e) {
        if (!(e instanceof SymbolFileError)) throw e;
        this.warnings.push(`variables of DIE 0x${link.die.offset.toString(16)}: ${e.message}`);
      }
      for (const v of vars) {
        if (seen.has(v.name)) continue;
        seen.add(v.name);
        (v.kind === 'parameter' ? params : locals).push(v);
      }
    }
    return [...params, ...locals];
  }

  private exprContext(die: Die, frame: FrameContext, link: number): ExprContext {
    const unit = die.unit;
    const cfa = (): number | undefined => this.cfa(frame);
    const ctx: ExprContext = {
      readRegister: (r) => frame.regs[r],
      readMemory: frame.readMemory,
      relocate: (a) => this.toRun(a),
      addrx: (i) => this.toRun(unit.info.addrx(unit, i)),
      callFrameCfa: cfa,
    };
    ctx.frameBase = () => {
      const fn = this.enclosingFunction(die);
      const fb = fn && locationOf(fn, DW_AT.frame_base);
      const expr = fb && expressionAt(fb, link);
      if (!expr) return undefined;
      const loc = evaluateLocation(expr, { ...ctx, frameBase: undefined });
      if (loc.kind === 'memory') return loc.address;
      if (loc.kind === 'register') return frame.regs[loc.reg];
      if (loc.kind === 'value') return loc.value;
      return undefined;
    };
    return ctx;
  }

  /** The out-of-line subprogram whose frame a DIE lives in (inlined scopes share their caller's frame). */
  private enclosingFunction(die: Die): Die | undefined {
    for (let d: Die | undefined = die, i = 0; d && i < 512; d = d.parent, i++) {
      if (d.tag === 0x2e && d.attr(DW_AT.frame_base)) return d;
    }
    return undefined;
  }

  private publicFunction(fn: FunctionInfo): FunctionSymbol {
    return {
      name: fn.name,
      low: this.toRun(fn.low),
      high: this.toRun(fn.high),
      ranges: fn.ranges.map(([a, b]) => [this.toRun(a), this.toRun(b)] as Range),
      source: fn.source,
      declFile: fn.declFile,
      declLine: fn.declLine,
    };
  }
}

function encodeLE(v: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let big = BigInt.asUintN(size * 8, BigInt(Math.trunc(v)));
  for (let i = 0; i < size; i++) {
    out[i] = Number(big & 0xffn);
    big >>= 8n;
  }
  return out;
}
