import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { BlockBackend } from './block-backend';
import type { IoBus } from './io-bus';
import type { IrqLines } from './irq';
import { Errno, PV_BLOCK_IRQ, PV_BLOCK_PORT } from './pv-abi';
import { PvRequestDevice } from './pv-request-device';
import { pvBlockTransfer } from './pv-transfer';

/** Descriptor layout (24 bytes, little-endian u32s). */
export const PVBLK_OP = 0;
export const PVBLK_DISK = 4;
export const PVBLK_LBA = 8;
export const PVBLK_COUNT = 12;
export const PVBLK_BUFFER = 16;
export const PVBLK_STATUS = 20;
export const PVBLK_SIZE = 24;

/** op: 0 read, 1 write; PVBLK_IRQ set = raise the device's interrupt line when the request completes. */
export const PVBLK_READ = 0;
export const PVBLK_WRITE = 1;
export const PVBLK_IRQ = 0x100;

/**
 * The paravirtual block device: one 32-bit OUT of a descriptor's guest-physical address reads or writes up to
 * 256 sectors of a disk (the IDE disks, through the same backends and copy-on-write overlays), where the IDE
 * controller needs eight register writes, a status poll and 256 data-port reads per sector. Completion is
 * synchronous: when the OUT returns, the status (0 or -errno) is in the descriptor and, if asked, IRQ 11 pulsed.
 */
export class PvBlock extends PvRequestDevice {
  readonly name = 'pv-block';
  sectors = 0;
  /** The request being served asked for the completion interrupt (read before the transfer may change it). */
  private irqAsked = false;

  constructor(
    phys: GuestPhysicalMemory,
    private readonly disks: readonly (BlockBackend | undefined)[],
    private readonly irq?: IrqLines,
    private readonly line = PV_BLOCK_IRQ,
  ) {
    super(phys, PVBLK_SIZE, PVBLK_STATUS);
  }

  attach(io: IoBus, port = PV_BLOCK_PORT): void {
    super.attach(io, port);
  }

  protected serve(desc: number): number {
    const rd = (off: number): number => this.phys.read32(desc + off) >>> 0;
    const op = rd(PVBLK_OP);
    this.irqAsked = (op & PVBLK_IRQ) !== 0;
    const disk = rd(PVBLK_DISK);
    const count = rd(PVBLK_COUNT);
    const kind = op & 0xff;
    if (kind > PVBLK_WRITE || (op & ~(0xff | PVBLK_IRQ)) !== 0) return -Errno.EINVAL;
    const status = pvBlockTransfer(this.phys, disk < this.disks.length ? this.disks[disk] : undefined, kind === PVBLK_WRITE, rd(PVBLK_LBA), count, rd(PVBLK_BUFFER));
    if (status === 0) this.sectors += count;
    return status;
  }

  protected completed(): void {
    if (this.irqAsked && this.irq) {
      this.irq.raise(this.line);
      this.irq.lower(this.line);
    }
    this.irqAsked = false;
  }
}
