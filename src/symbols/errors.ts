/**
 * The one error type the symbol layer throws for bad input. Anything else escaping this layer is a bug.
 * Messages are meant for the user ("not an ELF file"), with the file offset when it helps.
 */
export class SymbolFileError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
    this.name = 'SymbolFileError';
  }
}

export function hex(n: number): string {
  return '0x' + (n >>> 0 === n ? n.toString(16) : Math.trunc(n).toString(16));
}
