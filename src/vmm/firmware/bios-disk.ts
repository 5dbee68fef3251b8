import { SECTOR_SIZE, type BlockBackend } from '../devices/block-backend';
import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { BiosCall } from './bios-cpu';

/** The CHS geometry the BIOS reports for a hard disk: 16 heads, 63 sectors, as many cylinders as fit (1024 max). */
export function chsGeometry(sectors: number): { cylinders: number; heads: number; spt: number } {
  const heads = 16;
  const spt = 63;
  return { cylinders: Math.max(1, Math.min(1024, Math.floor(sectors / (heads * spt)))), heads, spt };
}

const enum Status {
  Ok = 0,
  BadCommand = 1,
  SectorNotFound = 4,
  WriteProtected = 3,
  Timeout = 0x80,
}

/**
 * INT 13h for hard disks 0x80-0x83 (IDE positions 0-3) over the same backends the IDE controller uses, with
 * the CHS functions (02h, 03h, 08h) and the EDD extensions (41h, 42h, 43h, 48h) boot loaders rely on.
 * Floppies (DL < 0x80) are absent.
 */
export class BiosDisk {
  private lastStatus = 0;

  constructor(private readonly phys: GuestPhysicalMemory, private readonly disks: ReadonlyArray<BlockBackend | undefined>) {}

  get count(): number {
    return this.disks.filter((d) => d).length;
  }

  private transfer(disk: BlockBackend, write: boolean, lba: number, count: number, addr: number): number {
    if (count === 0) return Status.Ok;
    if (lba + count > disk.sectorCount) return Status.SectorNotFound;
    const buf = new Uint8Array(count * SECTOR_SIZE);
    if (write) {
      buf.set(this.phys.readBytes(addr, buf.length));
      disk.write(lba, count, buf);
    } else {
      disk.read(lba, count, buf);
      this.phys.load(addr, buf);
    }
    return Status.Ok;
  }

  private done(c: BiosCall, status: number): void {
    this.lastStatus = status;
    if (status === Status.Ok) c.ok();
    else c.fail(status);
  }

  call(c: BiosCall): void {
    const disk = c.dl >= 0x80 ? this.disks[c.dl - 0x80] : undefined;
    if (!disk) {
      this.done(c, c.ah === 0x15 ? Status.Ok : Status.Timeout);
      if (c.ah === 0x15) c.ah = 0; // no such drive
      return;
    }
    const g = chsGeometry(disk.sectorCount);
    switch (c.ah) {
      case 0x00: // reset
        return this.done(c, Status.Ok);
      case 0x01: {
        const s = this.lastStatus;
        this.done(c, Status.Ok);
        c.ah = s;
        return;
      }
      case 0x02:
      case 0x03: {
        const cyl = c.ch | ((c.cl & 0xc0) << 2);
        const sector = c.cl & 0x3f;
        if (sector === 0 || sector > g.spt || c.dh >= g.heads) return this.done(c, Status.SectorNotFound);
        const lba = (cyl * g.heads + c.dh) * g.spt + sector - 1;
        const n = c.al;
        const s = this.transfer(disk, c.ah === 0x03, lba, n, (c.es + c.bx) >>> 0);
        this.done(c, s);
        if (s === Status.Ok) c.al = n;
        return;
      }
      case 0x08: {
        const maxCyl = g.cylinders - 1;
        this.done(c, Status.Ok);
        c.cx = ((maxCyl & 0xff) << 8) | ((maxCyl >> 2) & 0xc0) | g.spt;
        c.dx = ((g.heads - 1) << 8) | this.count;
        c.bx = 0;
        return;
      }
      case 0x15:
        this.done(c, Status.Ok);
        c.ah = 3; // a hard disk
        c.cx = disk.sectorCount >>> 16;
        c.dx = disk.sectorCount & 0xffff;
        return;
      case 0x41:
        if (c.bx !== 0x55aa) return this.done(c, Status.BadCommand);
        this.done(c, Status.Ok);
        c.ah = 0x30; // EDD 3.0
        c.bx = 0xaa55;
        c.cx = 1; // fixed-disk access subset (42h-44h, 47h, 48h)
        return;
      case 0x42:
      case 0x43: {
        const dap = (c.ds + c.si) >>> 0;
        const count = this.phys.read16(dap + 2);
        const off = this.phys.read16(dap + 4);
        const seg = this.phys.read16(dap + 6);
        const lba = this.phys.read32(dap + 8) >>> 0;
        const s = this.transfer(disk, c.ah === 0x43, lba, count, ((seg << 4) + off) >>> 0);
        if (s !== Status.Ok) this.phys.write16(dap + 2, 0);
        return this.done(c, s);
      }
      case 0x48: {
        const p = (c.ds + c.si) >>> 0;
        this.phys.write16(p, 0x1a);
        this.phys.write16(p + 2, 0x0002); // CHS information valid
        this.phys.write32(p + 4, g.cylinders);
        this.phys.write32(p + 8, g.heads);
        this.phys.write32(p + 12, g.spt);
        this.phys.write32(p + 16, disk.sectorCount);
        this.phys.write32(p + 20, 0);
        this.phys.write16(p + 24, SECTOR_SIZE);
        return this.done(c, Status.Ok);
      }
      default:
        return this.done(c, Status.BadCommand);
    }
  }
}
