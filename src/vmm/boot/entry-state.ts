/**
 * The CPU state a boot path hands over at the kernel's entry point. The machine applies it to the boot vCPU,
 * so boot loaders need not know the CPU's internals.
 */
export interface FlatProtectedEntry {
  kind: 'flat32';
  eip: number;
  /** General registers by name; the rest are zero. */
  regs: Partial<Record<'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp' | 'esp', number>>;
  /** A GDT the loader placed in guest memory, with flat 4 GiB code and data descriptors. */
  gdtBase: number;
  gdtLimit: number;
  codeSelector: number;
  dataSelector: number;
}

export interface RealModeEntry {
  kind: 'real';
  cs: number;
  ip: number;
  regs: Partial<Record<'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp' | 'esp', number>>;
  ds: number;
  ss: number;
  /** IF set at entry, as a BIOS leaves it when it jumps to a boot sector. */
  interrupts?: boolean;
}

export type EntryState = FlatProtectedEntry | RealModeEntry;
