import { MachineMemory, PAGE_SHIFT, PAGE_SIZE } from './machine-memory';

/** A device that answers physical-address accesses (APIC, I/O APIC, VGA, ROM...). */
export interface MmioHandler {
  readonly name: string;
  read(addr: number, size: 1 | 2 | 4): number;
  write(addr: number, size: 1 | 2 | 4, value: number): void;
}

interface MmioRegion {
  base: number;
  end: number; // exclusive
  handler: MmioHandler;
}

/**
 * A VM's guest-physical address space: RAM pages backed by machine frames through `p2m`, plus MMIO regions.
 *
 * `p2m[gfn]` is the machine frame backing guest frame `gfn`, or -1 while the page was never touched (it reads
 * as zero and gets a frame on its first write... or first access from the CPU's TLB fill, see `frameFor`).
 * Addresses beyond RAM that no MMIO region claims read as all ones and ignore writes, as on a PC bus.
 *
 * This is the slow path. The CPU's TLB caches `frameFor` results so the fast path never comes here.
 */
export class GuestPhysicalMemory {
  readonly p2m: Int32Array;
  readonly ramBytes: number;
  readonly machine: MachineMemory;
  private readonly mmio: MmioRegion[] = [];
  /** Guest pages that are MMIO or otherwise special: the TLB must not cache them. 1 = special. */
  readonly specialPage: Uint8Array;
  /**
   * Told of every RAM write made through this class: devices, firmware, hypercalls, loaders (the CPU's own
   * accesses go through machine offsets and its slow path instead). The shadow MMU listens, so a device that
   * writes into a live page table updates the shadows as a traced CPU write would.
   */
  ramWriteListener: ((gpa: number, length: number) => void) | null = null;
  /** Bumped whenever the p2m or the A20 gate changes, so TLBs know to drop stale machine offsets. */
  generation = 0;
  /**
   * The A20 gate (A20M#): with it off, address bit 20 (guest frame bit 8) is forced to 0 on every access,
   * so FFFF:0010 wraps to 0000:0000 as on an 8086. Applied to the frame number and to the byte accessors.
   */
  private gfnMask = 0xfffff;
  private addrMask = -1;

  constructor(machine: MachineMemory, ramBytes: number) {
    this.machine = machine;
    this.ramBytes = ramBytes;
    const pages = Math.ceil(ramBytes / PAGE_SIZE);
    this.p2m = new Int32Array(pages).fill(-1);
    this.specialPage = new Uint8Array(1 << 20);
  }

  addMmio(base: number, length: number, handler: MmioHandler): void {
    const region = { base: base >>> 0, end: (base >>> 0) + length, handler };
    this.mmio.push(region);
    this.mmio.sort((a, b) => a.base - b.base);
    for (let p = region.base >>> PAGE_SHIFT; p < Math.ceil(region.end / PAGE_SIZE); p++) this.specialPage[p] = 1;
    this.generation++;
  }

  /** Removes the region `handler` serves at `base` (chipset remapping such as the BIOS shadow's PAM). */
  removeMmio(handler: MmioHandler, base: number): void {
    const i = this.mmio.findIndex((r) => r.handler === handler && r.base === base >>> 0);
    if (i < 0) return;
    const [gone] = this.mmio.splice(i, 1);
    const covers = (r: MmioRegion, p: number) => r.base >>> PAGE_SHIFT <= p && p < Math.ceil(r.end / PAGE_SIZE);
    for (let p = gone.base >>> PAGE_SHIFT; p < Math.ceil(gone.end / PAGE_SIZE); p++) {
      if (!this.mmio.some((r) => covers(r, p))) this.specialPage[p] = 0;
    }
    this.generation++;
  }

  get a20(): boolean {
    return this.addrMask === -1;
  }

  /** Opens or closes the A20 gate; returns true if it changed (then cached translations are stale). */
  setA20(on: boolean): boolean {
    if (on === this.a20) return false;
    this.gfnMask = on ? 0xfffff : 0xffeff;
    this.addrMask = on ? -1 : ~0x100000;
    this.generation++;
    return true;
  }

  findMmio(addr: number): MmioHandler | undefined {
    const a = addr >>> 0;
    for (const r of this.mmio) if (a >= r.base && a < r.end) return r.handler;
    return undefined;
  }

  /** True if `addr` is plain RAM (not MMIO, below the top of RAM). */
  isRam(addr: number): boolean {
    const a = (addr & this.addrMask) >>> 0;
    return a < this.ramBytes && this.specialPage[a >>> PAGE_SHIFT] === 0;
  }

  /**
   * Machine byte offset of the start of the frame backing guest page `gfn`, allocating it on first touch;
   * -1 if the page is not RAM.
   */
  frameOffset(gfn: number): number {
    gfn &= this.gfnMask;
    if (gfn >= this.p2m.length || this.specialPage[gfn] !== 0) return -1;
    let frame = this.p2m[gfn];
    if (frame < 0) {
      frame = this.machine.allocFrame();
      this.p2m[gfn] = frame;
    }
    return frame << PAGE_SHIFT;
  }

  /** Machine offset of a frame if it exists, without allocating (for readers such as the debugger). */
  peekFrameOffset(gfn: number): number {
    gfn &= this.gfnMask;
    if (gfn >= this.p2m.length || this.specialPage[gfn] !== 0) return -1;
    const frame = this.p2m[gfn];
    return frame < 0 ? -1 : frame << PAGE_SHIFT;
  }

  read8(addr: number): number {
    const a = (addr & this.addrMask) >>> 0;
    if (a < this.ramBytes && this.specialPage[a >>> PAGE_SHIFT] === 0) {
      const off = this.peekFrameOffset(a >>> PAGE_SHIFT);
      return off < 0 ? 0 : this.machine.u8[off + (a & (PAGE_SIZE - 1))];
    }
    const h = this.findMmio(a);
    return h ? h.read(a, 1) & 0xff : 0xff;
  }

  write8(addr: number, value: number): void {
    const a = (addr & this.addrMask) >>> 0;
    if (a < this.ramBytes && this.specialPage[a >>> PAGE_SHIFT] === 0) {
      this.machine.u8[this.frameOffset(a >>> PAGE_SHIFT) + (a & (PAGE_SIZE - 1))] = value;
      this.ramWriteListener?.(a, 1);
      return;
    }
    this.findMmio(a)?.write(a, 1, value & 0xff);
  }

  read16(addr: number): number {
    const a = (addr & this.addrMask) >>> 0;
    if ((a & 0xfff) <= 0xffe && !this.isRam(a)) {
      const h = this.findMmio(a);
      return h ? h.read(a, 2) & 0xffff : 0xffff;
    }
    return this.read8(a) | (this.read8(a + 1) << 8);
  }

  read32(addr: number): number {
    const a = (addr & this.addrMask) >>> 0;
    if ((a & 0xfff) <= 0xffc && !this.isRam(a)) {
      const h = this.findMmio(a);
      return h ? h.read(a, 4) | 0 : -1;
    }
    return this.read8(a) | (this.read8(a + 1) << 8) | (this.read8(a + 2) << 16) | (this.read8(a + 3) << 24);
  }

  write16(addr: number, value: number): void {
    const a = (addr & this.addrMask) >>> 0;
    if ((a & 0xfff) <= 0xffe && !this.isRam(a)) {
      this.findMmio(a)?.write(a, 2, value & 0xffff);
      return;
    }
    this.write8(a, value);
    this.write8(a + 1, value >>> 8);
  }

  write32(addr: number, value: number): void {
    const a = (addr & this.addrMask) >>> 0;
    if ((a & 0xfff) <= 0xffc && !this.isRam(a)) {
      this.findMmio(a)?.write(a, 4, value | 0);
      return;
    }
    this.write8(a, value);
    this.write8(a + 1, value >>> 8);
    this.write8(a + 2, value >>> 16);
    this.write8(a + 3, value >>> 24);
  }

  /** Copies bytes into guest RAM (boot loaders). Throws if the range is not RAM. */
  load(addr: number, bytes: Uint8Array): void {
    const a = addr >>> 0;
    if (a + bytes.length > this.ramBytes) {
      throw new RangeError(
        `cannot load ${bytes.length} bytes at 0x${a.toString(16)}: guest RAM ends at 0x${this.ramBytes.toString(16)}`,
      );
    }
    let done = 0;
    while (done < bytes.length) {
      const cur = a + done;
      const inPage = Math.min(PAGE_SIZE - (cur & (PAGE_SIZE - 1)), bytes.length - done);
      const off = this.frameOffset(cur >>> PAGE_SHIFT);
      if (off < 0) throw new RangeError(`cannot load at 0x${cur.toString(16)}: not RAM`);
      this.machine.u8.set(bytes.subarray(done, done + inPage), off + (cur & (PAGE_SIZE - 1)));
      done += inPage;
    }
    this.ramWriteListener?.(a, bytes.length);
  }

  /** Reads bytes from guest RAM (unbacked pages read as zero, MMIO is not touched). */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const a = ((addr + i) & this.addrMask) >>> 0;
      if (a >= this.ramBytes || this.specialPage[a >>> PAGE_SHIFT] !== 0) continue;
      const off = this.peekFrameOffset(a >>> PAGE_SHIFT);
      if (off >= 0) out[i] = this.machine.u8[off + (a & (PAGE_SIZE - 1))];
    }
    return out;
  }
}
