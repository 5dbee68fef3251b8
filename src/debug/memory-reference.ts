import type { AddressSpace } from '../vmm/monitor/protocol';

/**
 * DAP memory references name an address space as well as an address, so the hex editor can show a virtual,
 * linear or physical view: "0xc0100000" (linear), "phys:0x100000", "virt:0x...".
 */
export function formatMemoryReference(address: number, space: AddressSpace = 'linear'): string {
  const hex = '0x' + (address >>> 0).toString(16);
  return space === 'linear' ? hex : `${space === 'physical' ? 'phys' : 'virt'}:${hex}`;
}

export function parseMemoryReference(ref: string): { address: number; space: AddressSpace } | undefined {
  const m = /^\s*(?:(phys|physical|lin|linear|virt|virtual):)?\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(ref);
  if (!m) return undefined;
  const prefix = (m[1] ?? 'lin').toLowerCase();
  const space: AddressSpace = prefix.startsWith('phys') ? 'physical' : prefix.startsWith('virt') ? 'virtual' : 'linear';
  const address = Number(m[2]);
  if (!Number.isFinite(address) || address < 0 || address > 0xffffffff) return undefined;
  return { address, space };
}
