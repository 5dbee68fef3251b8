import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { IoBus } from './io-bus';
import { Errno, MAX_CONSOLE_BYTES, PV_CONSOLE_PORT } from './pv-abi';
import { PvRequestDevice } from './pv-request-device';
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
export class PvConsole extends PvRequestDevice {
  readonly name = 'pv-console';
  bytes = 0;

  constructor(phys: GuestPhysicalMemory, private readonly out: (b: number) => void) {
    super(phys, PVCON_DATA, PVCON_STATUS);
  }

  attach(io: IoBus, port = PV_CONSOLE_PORT): void {
    super.attach(io, port);
  }

  protected serve(desc: number): number {
    const length = this.phys.read32(desc + PVCON_LENGTH) >>> 0;
    if (length > MAX_CONSOLE_BYTES) return -Errno.E2BIG;
    const status = pvConsoleWrite(this.phys, desc + PVCON_DATA, length, this.out);
    if (status > 0) this.bytes += status;
    return status;
  }
}
