import type { Cpu } from '../cpu/cpu';
import { Seg } from '../cpu/constants';
import type { BlockBackend } from '../devices/block-backend';
import type { IoBus, IoDevice } from '../devices/io-bus';
import type { GuestPhysicalMemory } from '../memory/guest-physical';
import { pcMemoryMap, HIGH_MEMORY_START } from '../boot/memory-map';
import { BiosCall } from './bios-cpu';
import { BiosDisk } from './bios-disk';
import { BiosVideo } from './bios-video';

/**
 * Ringside's PC BIOS for disk boots: the services boot sectors and boot loaders call (INT 10h teletype, 11h,
 * 12h, 13h disks, 15h e820/A20/memory size, 16h, 1Ah, the IRQ handlers), implemented in TypeScript. Each
 * interrupt vector points at a 3-byte stub in the BIOS segment, `OUT BIOS_CALL_PORT, AL; IRET`; the OUT is
 * a monitor exit, the service runs here with the caller's registers, and returns results in them and in the
 * FLAGS image the IRET pops. No real-mode firmware code exists to get wrong or to step through by accident.
 *
 * Why not SeaBIOS: it is a 128 KiB image that needs a PIIX4 PM function, a VGA option ROM for INT 10h and
 * the QEMU table-loader interface to be useful; this is 500 lines, needs nothing installed, and boots the
 * common boot sectors. A user firmware image still runs with `-bios`.
 */
export const BIOS_CALL_PORT = 0xb4;
/** The stubs: 4 bytes per vector at F000:STUBS_OFFSET (F0000-F0FFF holds the MP/ACPI tables). */
const STUBS = 0xf1000;
const STUB_SEG = 0xf000;
const BDA = 0x400;
const TICKS_PER_DAY = 0x1800b0;

export interface BiosHost {
  phys: GuestPhysicalMemory;
  io: IoBus;
  disks: ReadonlyArray<BlockBackend | undefined>;
  /** The vCPU executing the call. */
  cpu(): Cpu;
  setA20(on: boolean): void;
  a20(): boolean;
  /** Ends the VM (INT 18h: nothing to boot). */
  stop(reason: string): void;
}

export class Bios implements IoDevice {
  readonly name = 'bios';
  readonly disk: BiosDisk;
  readonly video: BiosVideo;
  /** Calls per vector, for statistics. */
  readonly calls = new Float64Array(256);

  constructor(private readonly h: BiosHost) {
    this.disk = new BiosDisk(h.phys, h.disks);
    this.video = new BiosVideo(h.phys, h.io);
  }

  /** Writes the IVT, the stubs and the BIOS data area, programs the 8259s and the PIT as a BIOS leaves them. */
  install(): void {
    const { phys, io } = this.h;
    const stubs = new Uint8Array(256 * 4);
    for (let v = 0; v < 256; v++) stubs.set([0xe6, BIOS_CALL_PORT, 0xcf, 0x90], v * 4);
    phys.load(STUBS, stubs);
    const ivt = new Uint8Array(1024);
    const iv = new DataView(ivt.buffer);
    for (let v = 0; v < 256; v++) {
      iv.setUint16(v * 4, STUBS - (STUB_SEG << 4) + v * 4, true);
      iv.setUint16(v * 4 + 2, STUB_SEG, true);
    }
    phys.load(0, ivt);
    // A reset lands on a HLT (the machine stops on reset anyway).
    phys.load(0xffff0, new Uint8Array([0xf4, 0xeb, 0xfd]));
    phys.write8(BDA + 0x75, this.disk.count);
    phys.write32(BDA + 0x6c, 0);
    this.video.init();
    // 8259s: master at 0x08, slave at 0x70, cascade on IRQ2; timer, keyboard, cascade and the disks unmasked.
    for (const [base, vec, cascade] of [[0x20, 0x08, 0x04], [0xa0, 0x70, 0x02]]) {
      io.write(base, 1, 0x11);
      io.write(base + 1, 1, vec);
      io.write(base + 1, 1, cascade);
      io.write(base + 1, 1, 0x01);
    }
    io.write(0x21, 1, 0xb8);
    io.write(0xa1, 1, 0x3f);
    // PIT channel 0: mode 3, count 65536 (18.2 Hz), the BIOS tick.
    io.write(0x43, 1, 0x36);
    io.write(0x40, 1, 0);
    io.write(0x40, 1, 0);
  }

  attach(bus: IoBus): void {
    bus.register(this, BIOS_CALL_PORT, 1);
  }

  portRead(): number {
    return 0xff;
  }

  portWrite(): void {
    const cpu = this.h.cpu();
    // Only the stubs call the BIOS: the vector is where the OUT is.
    const at = (cpu.segBase[Seg.CS] + cpu.instrStart) >>> 0;
    if (at < STUBS || at >= STUBS + 1024 || cpu.cr[0] & 1) return;
    const vector = (at - STUBS) >> 2;
    this.calls[vector]++;
    const p = this.h.phys;
    this.dispatch(vector, new BiosCall(cpu, (a, v) => p.write16(a, v), (a) => p.read16(a)));
  }

  private dispatch(v: number, c: BiosCall): void {
    const p = this.h.phys;
    switch (v) {
      case 0x08: {
        const t = (p.read32(BDA + 0x6c) >>> 0) + 1;
        if (t >= TICKS_PER_DAY) {
          p.write32(BDA + 0x6c, 0);
          p.write8(BDA + 0x70, 1);
        } else p.write32(BDA + 0x6c, t);
        this.h.io.write(0x20, 1, 0x20);
        return;
      }
      case 0x10:
        return this.video.call(c);
      case 0x11:
        c.ax = p.read16(BDA + 0x10);
        return;
      case 0x12:
        c.ax = p.read16(BDA + 0x13);
        return;
      case 0x13:
        return this.disk.call(c);
      case 0x15:
        return this.system(c);
      case 0x16:
        // No keyboard input reaches a headless disk boot yet: "no key" for polls, 0 for reads.
        if (c.ah === 0x01 || c.ah === 0x11) c.zf = true;
        else if (c.ah === 0x02 || c.ah === 0x12) c.al = 0;
        else c.ax = 0;
        return;
      case 0x18:
        return this.h.stop('no bootable disk: the boot sector gave up (INT 18h)');
      case 0x19:
        return this.h.stop('the boot sector asked for a reboot (INT 19h)');
      case 0x1a:
        return this.clock(c);
      default:
        // Hardware IRQs nobody handles: acknowledge them so the 8259 does not stall.
        if (v >= 0x09 && v <= 0x0f) this.h.io.write(0x20, 1, 0x20);
        else if (v >= 0x70 && v <= 0x77) {
          this.h.io.write(0xa0, 1, 0x20);
          this.h.io.write(0x20, 1, 0x20);
        }
        return;
    }
  }

  private system(c: BiosCall): void {
    const ram = this.h.phys.ramBytes;
    if (c.eax === 0xe820 && c.edx === 0x534d4150) {
      const map = pcMemoryMap(ram);
      const i = c.ebx;
      if (i >= map.length || c.ecx < 20) return c.fail(0x86);
      const r = map[i];
      const at = (c.es + c.di) >>> 0;
      this.h.phys.write32(at, r.base);
      this.h.phys.write32(at + 4, 0);
      this.h.phys.write32(at + 8, r.length);
      this.h.phys.write32(at + 12, 0);
      this.h.phys.write32(at + 16, r.type);
      c.set32(0, 0x534d4150);
      c.set32(1, 20);
      c.set32(3, i + 1 < map.length ? i + 1 : 0);
      c.cf = false;
      return;
    }
    const extK = Math.max(0, ram - HIGH_MEMORY_START) >>> 10;
    switch (c.ax) {
      case 0xe801: {
        const below16 = Math.min(extK, 15 * 1024);
        const above16 = Math.max(0, ram - 16 * 1048576) >>> 16;
        c.ax = c.cx = below16;
        c.bx = c.dx = above16;
        c.cf = false;
        return;
      }
      case 0x2400:
      case 0x2401:
        this.h.setA20(c.ax === 0x2401);
        return c.ok();
      case 0x2402:
        c.ok();
        c.al = this.h.a20() ? 1 : 0;
        return;
      case 0x2403:
        c.ok();
        c.bx = 3; // keyboard controller and port 92
        return;
    }
    if (c.ah === 0x88) {
      c.ax = Math.min(extK, 0xfc00);
      c.cf = false;
      return;
    }
    if (c.ah === 0x86) return c.ok(); // wait: virtual time needs no waiting
    c.fail(0x86); // unsupported
  }

  private clock(c: BiosCall): void {
    const p = this.h.phys;
    const cmos = (r: number) => {
      this.h.io.write(0x70, 1, r);
      return this.h.io.read(0x71, 1);
    };
    switch (c.ah) {
      case 0x00: {
        const t = p.read32(BDA + 0x6c) >>> 0;
        c.cx = t >>> 16;
        c.dx = t & 0xffff;
        c.al = p.read8(BDA + 0x70);
        p.write8(BDA + 0x70, 0);
        return;
      }
      case 0x02:
        c.cx = (cmos(4) << 8) | cmos(2);
        c.dx = cmos(0) << 8;
        c.cf = false;
        return;
      case 0x04:
        c.cx = (cmos(0x32) << 8) | cmos(9);
        c.dx = (cmos(8) << 8) | cmos(7);
        c.cf = false;
        return;
      default:
        c.cf = true;
    }
  }
}
