import type { SymbolFile } from '../symbols/symbol-file';
import type { SymbolTable } from '../symbols/symbol-table';

/**
 * What the session needs from the symbol layer, in debugger terms. Implemented over src/symbols by
 * symbol-bridge.ts; a session without symbols (stripped kernel, broken DWARF) uses none and debugs by address.
 */
export interface SourceLocation {
  path: string;
  line: number;
  column: number;
}

export interface FunctionInfo {
  name: string;
  low: number;
  high: number;
}

export interface DebugSymbols {
  /** The symbol layer itself, for frames, variables, types and unwinding (src/symbols/README.md). */
  readonly table: SymbolTable;
  /** A DWARF path of `file` made absolute against the folder that holds the symbol file. */
  sourcePath(file: SymbolFile, dwarfPath: string): string;
  /** Human-readable warnings gathered while loading (broken DWARF, missing sections...). */
  readonly warnings: string[];
  /** Code addresses for a source line (the line itself, or the next line with code). */
  addressesForLine(path: string, line: number): { line: number; addresses: number[] } | undefined;
  locationAt(address: number): SourceLocation | undefined;
  functionAt(address: number): FunctionInfo | undefined;
  /** Address of a function's first line after its prologue. */
  functionBreakpointAddress(name: string): number | undefined;
  /** Address ranges [start, end) that belong to the same source line as `address` in its function. */
  lineRanges(address: number): [number, number][];
  /** Address of a global symbol (for expressions and data breakpoints). */
  symbolAddress(name: string): number | undefined;
  /** The name and offset for an address, e.g. "kmain+0x12", for disassembly and frames without lines. */
  describeAddress(address: number): string | undefined;
}
