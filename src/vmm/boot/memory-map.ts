/** The physical memory map a PC reports (e820 style), shared by Multiboot, the Linux boot protocol and firmware. */
export const enum E820Type {
  Ram = 1,
  Reserved = 2,
}

export interface MemoryRange {
  base: number;
  length: number;
  type: E820Type;
}

/** Conventional memory ends at 639 KiB: the last KiB is the EBDA, then VGA and the BIOS area. */
export const CONVENTIONAL_END = 0x9fc00;
export const HIGH_MEMORY_START = 0x100000;

export function pcMemoryMap(ramBytes: number): MemoryRange[] {
  const map: MemoryRange[] = [
    { base: 0, length: CONVENTIONAL_END, type: E820Type.Ram },
    { base: CONVENTIONAL_END, length: 0xa0000 - CONVENTIONAL_END, type: E820Type.Reserved },
    { base: 0xf0000, length: 0x10000, type: E820Type.Reserved },
  ];
  if (ramBytes > HIGH_MEMORY_START) map.push({ base: HIGH_MEMORY_START, length: ramBytes - HIGH_MEMORY_START, type: E820Type.Ram });
  // The local APIC and I/O APIC windows, so kernels do not put RAM there.
  map.push({ base: 0xfec00000, length: 0x1000, type: E820Type.Reserved });
  map.push({ base: 0xfee00000, length: 0x1000, type: E820Type.Reserved });
  return map;
}
