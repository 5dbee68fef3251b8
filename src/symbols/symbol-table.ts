import { MemoryReader } from './dwarf-expr';
import { Registers, UnwoundFrame } from './cfi';
import { FunctionSymbol, SourceFrame, SourceLocation, SymbolFile } from './symbol-file';

/**
 * All symbol files of a debug session (kernel, its physical-address alias, boot loader, user programs).
 * Address queries ask each file in turn and prefer source-level answers (DWARF) over symbol-only ones;
 * line queries collect breakpoint addresses from every file that has the source.
 */
export class SymbolTable {
  private readonly files: SymbolFile[] = [];

  add(file: SymbolFile): void {
    this.files.push(file);
  }

  remove(file: SymbolFile): boolean {
    const i = this.files.indexOf(file);
    if (i >= 0) this.files.splice(i, 1);
    return i >= 0;
  }

  all(): readonly SymbolFile[] {
    return this.files;
  }

  /** The file whose functions or line table cover an address; a DWARF hit beats a symbol-only one. */
  fileFor(addr: number): SymbolFile | undefined {
    let fallback: SymbolFile | undefined;
    for (const f of this.files) {
      const fn = f.functionAt(addr);
      if (fn?.source === 'dwarf' || f.lineForAddress(addr)) return f;
      if (fn && !fallback) fallback = f;
    }
    return fallback;
  }

  lineForAddress(addr: number): SourceLocation | undefined {
    for (const f of this.files) {
      const l = f.lineForAddress(addr);
      if (l) return l;
    }
    return undefined;
  }

  functionAt(addr: number): FunctionSymbol | undefined {
    return this.fileFor(addr)?.functionAt(addr);
  }

  functionByName(name: string): { file: SymbolFile; fn: FunctionSymbol } | undefined {
    for (const file of this.files) {
      const fn = file.functionByName(name);
      if (fn) return { file, fn };
    }
    return undefined;
  }

  entryAfterPrologue(name: string): number | undefined {
    for (const f of this.files) {
      const a = f.entryAfterPrologue(name);
      if (a !== undefined) return a;
    }
    return undefined;
  }

  /** Breakpoint addresses for file:line across every symbol file (each may resolve to a different line). */
  addressesForLine(file: string, line: number): Array<{ file: SymbolFile; line: number; addresses: number[] }> {
    const out: Array<{ file: SymbolFile; line: number; addresses: number[] }> = [];
    for (const f of this.files) {
      const r = f.addressesForLine(file, line);
      if (r && r.addresses.length) out.push({ file: f, ...r });
    }
    return out;
  }

  framesAt(pc: number, caller = false): SourceFrame[] {
    return this.fileFor(pc)?.framesAt(pc, caller) ?? [];
  }

  symbolize(addr: number): string | undefined {
    for (const f of this.files) {
      const s = f.symbolize(addr);
      if (s) return s.offset ? `${s.name}+${s.offset}` : s.name;
    }
    return undefined;
  }

  /** One frame up, using the CFI of whichever file covers the pc, else the frame-pointer chain. */
  unwind(regs: Registers, readMemory: MemoryReader, caller = false): UnwoundFrame | undefined {
    const pc = regs[8];
    if (pc === undefined) return undefined;
    const lookup = (pc - (caller ? 1 : 0)) >>> 0;
    const withCfi = this.files.find((f) => f.hasUnwindInfo(lookup));
    if (withCfi) return withCfi.unwind(regs, readMemory, caller, false);
    return this.files[0]?.unwind(regs, readMemory, caller, true);
  }
}
