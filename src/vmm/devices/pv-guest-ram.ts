import type { GuestPhysicalMemory } from '../memory/guest-physical';
import { PAGE_SHIFT } from '../memory/machine-memory';

/**
 * Whether [gpa, gpa + length) lies wholly in this VM's RAM (no MMIO, no hole, nothing past the end): the one
 * check every paravirtual request makes before the monitor touches guest memory on the guest's behalf, so a
 * bad address is an error status for the guest and never a host exception or another VM's frame.
 */
export function isGuestRam(phys: GuestPhysicalMemory, gpa: number, length: number): boolean {
  const start = gpa >>> 0;
  if (length < 0 || !Number.isSafeInteger(length)) return false;
  if (length === 0) return start <= phys.ramBytes;
  const end = start + length;
  if (end > phys.ramBytes) return false;
  for (let page = start >>> PAGE_SHIFT; page <= (end - 1) >>> PAGE_SHIFT; page++) {
    if (!phys.isRam(page << PAGE_SHIFT)) return false;
  }
  return true;
}
