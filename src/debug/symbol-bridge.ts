import * as fs from 'fs';
import * as path from 'path';
import { LineIndex } from '../symbols/line-index';
import { SymbolFile } from '../symbols/symbol-file';
import { SymbolTable } from '../symbols/symbol-table';
import type { DebugSymbols, FunctionInfo, SourceLocation } from './debug-symbols';

/**
 * DebugSymbols over the symbol layer: several symbol files with load offsets, DWARF paths made absolute against
 * the symbol file's folder (kernels built with -fdebug-prefix-map record relative paths), and line ranges for
 * stepping. Anything unreadable becomes a warning; the session then debugs by address.
 */
class BridgedSymbols implements DebugSymbols {
  readonly warnings: string[] = [];
  private readonly lineIndexes = new Map<SymbolFile, LineIndex>();
  private readonly resolved = new Map<string, string>();

  constructor(readonly table: SymbolTable, private readonly dirs: Map<SymbolFile, string>) {}

  sourcePath(file: SymbolFile, p: string): string {
    return this.absolute(file, p);
  }

  /**
   * Relative DWARF paths (-fdebug-prefix-map) are relative to the build folder, which for user programs in a
   * subfolder is the kernel's: try the symbol file's folder and its parents, keep the first where the file is.
   */
  private absolute(file: SymbolFile, p: string): string {
    if (path.isAbsolute(p)) return p;
    const dir = this.dirs.get(file) ?? '.';
    const key = `${dir}\0${p}`;
    let hit = this.resolved.get(key);
    if (hit === undefined) {
      const candidates = [dir, path.dirname(dir), path.dirname(path.dirname(dir))].map((d) => path.resolve(d, p));
      hit = candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
      this.resolved.set(key, hit);
    }
    return hit;
  }

  private lines(file: SymbolFile): LineIndex {
    let idx = this.lineIndexes.get(file);
    if (!idx) this.lineIndexes.set(file, (idx = new LineIndex(file.lineTables)));
    return idx;
  }

  addressesForLine(p: string, line: number): { line: number; addresses: number[] } | undefined {
    const hits = this.table.addressesForLine(p, line);
    if (!hits.length) return undefined;
    return { line: hits[0].line, addresses: [...new Set(hits.flatMap((h) => h.addresses))] };
  }

  locationAt(address: number): SourceLocation | undefined {
    const file = this.table.fileFor(address);
    const loc = file?.lineForAddress(address);
    if (!file || !loc || loc.line === 0) return undefined;
    return { path: this.absolute(file, loc.file), line: loc.line, column: loc.column || 1 };
  }

  functionAt(address: number): FunctionInfo | undefined {
    const fn = this.table.functionAt(address);
    return fn && { name: fn.name, low: fn.low >>> 0, high: fn.high >>> 0 };
  }

  functionBreakpointAddress(name: string): number | undefined {
    return this.table.entryAfterPrologue(name);
  }

  lineRanges(address: number): [number, number][] {
    const file = this.table.fileFor(address);
    if (!file) return [];
    const link = (address - file.loadOffset) >>> 0;
    const idx = this.lines(file);
    const here = idx.lookup(link);
    if (!here || here.line === 0) return [];
    const fn = file.functionAt(address);
    const lo = fn ? (fn.low - file.loadOffset) >>> 0 : here.start;
    const hi = fn ? (fn.high - file.loadOffset) >>> 0 : here.end;
    // Every block of the same line inside the function: a `for` line is split around its body.
    return idx.entries
      .filter((e) => e.start >= lo && e.end <= hi && e.line === here.line && e.file === here.file)
      .map((e) => [(e.start + file.loadOffset) >>> 0, (e.end + file.loadOffset) >>> 0] as [number, number]);
  }

  symbolAddress(name: string): number | undefined {
    for (const f of this.table.all()) {
      const s = f.elfSymbols.find((x) => x.name === name && x.sectionIndex !== 0);
      if (s) return (s.value + f.loadOffset) >>> 0;
    }
    return undefined;
  }

  describeAddress(address: number): string | undefined {
    return this.table.symbolize(address);
  }
}

export function loadSymbols(files: { path: string; offset: number }[]): { symbols?: DebugSymbols; warnings: string[] } {
  const table = new SymbolTable();
  const dirs = new Map<SymbolFile, string>();
  const warnings: string[] = [];
  for (const f of files) {
    try {
      const sf = SymbolFile.fromBytes(new Uint8Array(fs.readFileSync(f.path)), { name: path.basename(f.path), loadOffset: f.offset });
      for (const w of sf.warnings) warnings.push(`${path.basename(f.path)}: ${w}`);
      if (!sf.hasDwarf) warnings.push(`${path.basename(f.path)} has no DWARF debug information: debugging by address and ELF symbols only (build with -g)`);
      table.add(sf);
      dirs.set(sf, path.dirname(f.path));
    } catch (e) {
      warnings.push(`cannot read symbols from ${f.path}: ${(e as Error).message}; debugging by address`);
    }
  }
  if (!table.all().length) return { warnings };
  const symbols = new BridgedSymbols(table, dirs);
  symbols.warnings.push(...warnings);
  return { symbols, warnings };
}
