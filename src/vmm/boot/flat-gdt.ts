import type { GuestPhysicalMemory } from '../memory/guest-physical';

/**
 * Writes the GDT that boot loaders leave behind for protected-mode entry: null, then flat 4 GiB ring-0 code
 * (0x08) and data (0x10). Kernels must load their own before reloading selectors, but many reload first and
 * GRUB's table makes that work; so does this one.
 */
export function writeFlatGdt(phys: GuestPhysicalMemory, base: number): { base: number; limit: number; code: number; data: number } {
  const gdt = new Uint8Array(24);
  const dv = new DataView(gdt.buffer);
  // code: base 0, limit 0xfffff pages, present, DPL 0, execute/read, 32-bit, 4 KiB granularity
  dv.setUint32(8, 0x0000ffff, true);
  dv.setUint32(12, 0x00cf9a00, true);
  // data: read/write
  dv.setUint32(16, 0x0000ffff, true);
  dv.setUint32(20, 0x00cf9200, true);
  phys.load(base, gdt);
  return { base, limit: gdt.length - 1, code: 0x08, data: 0x10 };
}
