import type { GuestPhysicalMemory, MmioHandler } from '../memory/guest-physical';
import { PAM_READ_DRAM, PAM_WRITE_DRAM, type I440fxHostBridge } from './pci';

const BOTH = PAM_READ_DRAM | PAM_WRITE_DRAM;

/**
 * One PAM-decoded segment of the BIOS area. While its attribute is not "read and write DRAM" it is an MMIO
 * region: reads come from the firmware ROM or from the DRAM under it, writes go to that DRAM or nowhere, and
 * `dram` holds the DRAM's bytes. With both bits set it is plain RAM again (fast path) and `dram` is unused.
 */
class ShadowSegment implements MmioHandler {
  readonly name = 'bios-rom';
  attr = -1;
  mapped = false;
  dram: Uint8Array;

  constructor(readonly base: number, readonly rom: Uint8Array) {
    this.dram = new Uint8Array(rom.length);
  }

  read(addr: number, size: 1 | 2 | 4): number {
    const src = this.attr & PAM_READ_DRAM ? this.dram : this.rom;
    const o = addr - this.base;
    let v = 0;
    for (let i = 0; i < size; i++) v |= (src[o + i] ?? 0xff) << (8 * i);
    return v;
  }

  write(addr: number, size: 1 | 2 | 4, value: number): void {
    if (!(this.attr & PAM_WRITE_DRAM)) return; // to the ROM: dropped
    const o = addr - this.base;
    for (let i = 0; i < size && o + i < this.dram.length; i++) this.dram[o + i] = (value >>> (8 * i)) & 0xff;
  }
}

/**
 * The firmware ROM's window below 1 MiB (its last 128 KiB at 0xE0000-0xFFFFF) as the i440FX decodes it: the
 * PAM registers choose, per segment, whether reads come from the ROM or the DRAM under it and whether writes
 * reach that DRAM. At reset (PAM all zero) the window is read-only ROM; firmware that shadows itself (SeaBIOS)
 * sets the segments to DRAM read/write, copies itself down from the high mapping, and may set them read-only
 * again. Segments below the ROM's low copy stay RAM.
 */
export class BiosShadow {
  private readonly segments: ShadowSegment[] = [];

  constructor(
    private readonly phys: GuestPhysicalMemory,
    private readonly bridge: I440fxHostBridge,
    low: Uint8Array,
    private readonly onRemap: () => void,
  ) {
    const start = 0x100000 - low.length;
    const bounds = [0xe0000, 0xe4000, 0xe8000, 0xec000, 0xf0000, 0x100000];
    for (let i = 0; i < bounds.length - 1; i++) {
      if (bounds[i] < start) continue;
      this.segments.push(new ShadowSegment(bounds[i], low.subarray(bounds[i] - start, bounds[i + 1] - start)));
    }
    bridge.onPamChange = () => this.update();
    this.update();
  }

  /** Follows the PAM registers; called on every write that touches them. */
  update(): void {
    let changed = false;
    for (const s of this.segments) {
      const attr = this.bridge.pamAttribute(s.base);
      if (attr === s.attr) continue;
      changed = true;
      s.attr = attr;
      if (attr === BOTH && s.mapped) {
        this.phys.removeMmio(s, s.base);
        s.mapped = false;
        this.phys.load(s.base, s.dram);
      } else if (attr !== BOTH && !s.mapped) {
        s.dram = this.phys.readBytes(s.base, s.rom.length);
        this.phys.addMmio(s.base, s.rom.length, s);
        s.mapped = true;
      }
    }
    if (changed) this.onRemap();
  }
}
