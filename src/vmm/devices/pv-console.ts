import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { IoBus, IoDevice } from './io-bus';
import { Errno, MAX_CONSOLE_BYTES, PV_CONSOLE_PORT } from './pv-abi';
import { isGuestRam } from './pv-guest-ram';
import { pvConsoleWrite } from './pv-transfer';

/** Descriptor layout: u32 length, i32 status (written back), then `length` bytes. */
export const PVCON_LENGTH = 0;
export const PVCON_STATUS = 4;
export const PVCON_DATA = 8;

/**
 * The paravirtual console: one 32-bit OUT of a descriptor's guest-physical address sends a whole string, where
 * the 16550 takes two port accesses per byte (a status poll and the data write), each a monitor exit. The
 * request completes within the OUT; the status (byte count or -errno) is written into the descriptor and can
 * also be read back with a 32-bit IN (for a descriptor the device could not write to).
 */
export class PvConsole implements IoDevice {
  readonly name = 'pv-console';
  requests = 0;
  bytes = 0;
  errors = 0;
  lastStatus = 0;

  constructor(private readonly phys: GuestPhysicalMemory, private readonly out: (b: number) => void) {}

  attach(io: IoBus, port = PV_CONSOLE_PORT): void {
    io.register(this, port, 4);
  }

  portRead(_port: number, size: 1 | 2 | 4): number {
    return size === 4 ? this.lastStatus : -1;
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    // Only a dword OUT to the base port is a request; anything else is ignored as on an unclaimed port.
    if (size !== 4 || (port & 3) !== 0) return;
    this.requests++;
    const desc = value >>> 0;
    let status: number;
    if (!isGuestRam(this.phys, desc, PVCON_DATA)) status = -Errno.EFAULT;
    else {
      const length = this.phys.read32(desc + PVCON_LENGTH) >>> 0;
      status = length > MAX_CONSOLE_BYTES ? -Errno.E2BIG : pvConsoleWrite(this.phys, desc + PVCON_DATA, length, this.out);
      this.phys.write32(desc + PVCON_STATUS, status);
    }
    if (status < 0) this.errors++;
    else this.bytes += status;
    this.lastStatus = status;
  }
}
