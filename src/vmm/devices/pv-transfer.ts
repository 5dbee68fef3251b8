import type { GuestPhysicalMemory } from '../memory/guest-physical';
import { SECTOR_SIZE, type BlockBackend } from './block-backend';
import { Errno, MAX_BLOCK_SECTORS, MAX_CONSOLE_BYTES } from './pv-abi';
import { isGuestRam } from './pv-guest-ram';

/**
 * The work behind both paravirtual paths (the hypercalls and the one-port-write devices): a console write and
 * a block transfer between a disk and guest RAM. Validation first, then the transfer; every failure is a
 * negative errno, never a host exception.
 */

/** Sends `length` bytes at `gpa` to `out`. Returns the byte count or -errno. */
export function pvConsoleWrite(phys: GuestPhysicalMemory, gpa: number, length: number, out: (b: number) => void): number {
  if (length > MAX_CONSOLE_BYTES) return -Errno.E2BIG;
  if (!isGuestRam(phys, gpa, length)) return -Errno.EFAULT;
  const bytes = phys.readBytes(gpa, length);
  for (let i = 0; i < bytes.length; i++) out(bytes[i]);
  return length;
}

/** Reads or writes `count` sectors of `disk` at `lba` from or to guest RAM at `gpa`. Returns 0 or -errno. */
export function pvBlockTransfer(
  phys: GuestPhysicalMemory, disk: BlockBackend | undefined, write: boolean, lba: number, count: number, gpa: number,
): number {
  if (!disk) return -Errno.ENODEV;
  if (count < 0 || count > MAX_BLOCK_SECTORS) return -Errno.EINVAL;
  if (lba < 0 || lba + count > disk.sectorCount) return -Errno.EINVAL;
  if (!isGuestRam(phys, gpa, count * SECTOR_SIZE)) return -Errno.EFAULT;
  if (count === 0) return 0;
  try {
    if (write) {
      if (disk.readOnly) return -Errno.EROFS;
      disk.write(lba, count, phys.readBytes(gpa, count * SECTOR_SIZE));
    } else {
      const buf = new Uint8Array(count * SECTOR_SIZE);
      disk.read(lba, count, buf);
      phys.load(gpa, buf);
    }
  } catch {
    // The host file failed under us (I/O error, a truncated image): the guest sees a disk error.
    return -Errno.EIO;
  }
  return 0;
}
