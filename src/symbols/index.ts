/** Public surface of the symbol layer: what the debug adapter, loaders and the CLI import. */
export { SymbolFileError } from './errors';
export { ElfFile, EM_386, PT_LOAD } from './elf-reader';
export type { ElfHeader, ElfSymbol, ProgramHeader, SectionHeader } from './elf-reader';
export { SymbolFile, MAX_VALUE_BYTES } from './symbol-file';
export type { FrameContext, FunctionSymbol, SourceFrame, SourceLocation, SymbolFileOptions, VariableValue } from './symbol-file';
export { SymbolTable } from './symbol-table';
export type { VariableInfo, VariableKind } from './dwarf-scopes';
export { evaluateLocation, evaluateValue } from './dwarf-expr';
export type { ExprContext, Location, MemoryReader, RegisterReader } from './dwarf-expr';
export { sizeOf, stripTypedefs, typeName } from './dwarf-types';
export type { DwarfType, Member } from './dwarf-types';
export { formatValue, hasChildren, valueChildren, MAX_CHILDREN } from './value-format';
export type { FormatOptions, ValueChild } from './value-format';
export { CallFrameInfo, I386_DWARF_REGS, REG_EBP, REG_EIP, REG_ESP, unwindFrame, unwindWithFramePointer } from './cfi';
export type { Registers, UnwoundFrame } from './cfi';
