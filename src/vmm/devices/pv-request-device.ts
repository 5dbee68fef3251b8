import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { IoBus, IoDevice } from './io-bus';
import { Errno } from './pv-abi';
import { isGuestRam } from './pv-guest-ram';

/**
 * What the paravirtual devices share: one 32-bit OUT of a descriptor's guest-physical address is one request,
 * served within the OUT; the status (>= 0 or -errno) goes into the descriptor at `statusOffset` and can also be
 * read back with a 32-bit IN (for a descriptor the device could not write to). Any other access is ignored, as
 * on an unclaimed port.
 */
export abstract class PvRequestDevice implements IoDevice {
  abstract readonly name: string;
  requests = 0;
  errors = 0;
  lastStatus = 0;

  protected constructor(
    protected readonly phys: GuestPhysicalMemory,
    private readonly descriptorBytes: number,
    private readonly statusOffset: number,
  ) {}

  attach(io: IoBus, port: number): void {
    io.register(this, port, 4);
  }

  portRead(_port: number, size: 1 | 2 | 4): number {
    return size === 4 ? this.lastStatus : -1;
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || (port & 3) !== 0) return;
    this.requests++;
    const desc = value >>> 0;
    let status = -Errno.EFAULT;
    if (isGuestRam(this.phys, desc, this.descriptorBytes)) {
      status = this.serve(desc);
      this.phys.write32(desc + this.statusOffset, status);
    }
    if (status < 0) this.errors++;
    this.lastStatus = status;
    this.completed();
  }

  /** Serves the request whose descriptor (checked to be RAM) is at `desc`; returns its status. */
  protected abstract serve(desc: number): number;

  /** After the status is written (or the descriptor was refused): counters, completion interrupts. */
  protected completed(): void {}
}
