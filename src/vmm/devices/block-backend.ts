import * as fs from 'fs';

export const SECTOR_SIZE = 512;

/**
 * Storage behind an emulated disk: whole 512-byte sectors, synchronous (the monitor's core is synchronous and
 * deterministic; a guest's PIO transfer completes within the instruction that starts it).
 */
export interface BlockBackend {
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** Fills `out[0 .. count*512)` with sectors `lba .. lba+count-1`. The caller checks the range. */
  read(lba: number, count: number, out: Uint8Array): void;
  write(lba: number, count: number, data: Uint8Array): void;
  flush(): void;
}

function checkRange(b: BlockBackend, lba: number, count: number): void {
  if (lba < 0 || count < 0 || lba + count > b.sectorCount) {
    throw new RangeError(`sectors ${lba}+${count} outside a ${b.sectorCount}-sector disk`);
  }
}

/** A disk in a byte array (tests, small images, RAM disks). */
export class MemoryBlockBackend implements BlockBackend {
  readonly bytes: Uint8Array;
  readonly sectorCount: number;
  readonly readOnly: boolean;

  /** `image` is copied only if its length is not a whole number of sectors (it is then zero-padded). */
  constructor(image: Uint8Array | number, readOnly = false) {
    if (typeof image === 'number') {
      this.bytes = new Uint8Array(image * SECTOR_SIZE);
    } else if (image.length % SECTOR_SIZE === 0) {
      this.bytes = image;
    } else {
      this.bytes = new Uint8Array(Math.ceil(image.length / SECTOR_SIZE) * SECTOR_SIZE);
      this.bytes.set(image);
    }
    this.sectorCount = this.bytes.length / SECTOR_SIZE;
    this.readOnly = readOnly;
  }

  read(lba: number, count: number, out: Uint8Array): void {
    checkRange(this, lba, count);
    out.set(this.bytes.subarray(lba * SECTOR_SIZE, (lba + count) * SECTOR_SIZE));
  }

  write(lba: number, count: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('write to a read-only disk');
    checkRange(this, lba, count);
    this.bytes.set(data.subarray(0, count * SECTOR_SIZE), lba * SECTOR_SIZE);
  }

  flush(): void {}
}

/** A disk image file read (and, if asked, written) with synchronous positioned I/O. */
export class FileBlockBackend implements BlockBackend {
  readonly sectorCount: number;
  readonly readOnly: boolean;
  private readonly fd: number;

  constructor(path: string, opts: { writable?: boolean } = {}) {
    this.readOnly = !opts.writable;
    this.fd = fs.openSync(path, this.readOnly ? 'r' : 'r+');
    this.sectorCount = Math.floor(fs.fstatSync(this.fd).size / SECTOR_SIZE);
  }

  read(lba: number, count: number, out: Uint8Array): void {
    checkRange(this, lba, count);
    const n = fs.readSync(this.fd, out, 0, count * SECTOR_SIZE, lba * SECTOR_SIZE);
    if (n < count * SECTOR_SIZE) out.fill(0, n, count * SECTOR_SIZE);
  }

  write(lba: number, count: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('write to a read-only disk');
    checkRange(this, lba, count);
    fs.writeSync(this.fd, data, 0, count * SECTOR_SIZE, lba * SECTOR_SIZE);
  }

  flush(): void {
    if (!this.readOnly) fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * Copy-on-write over a base image: the guest sees a writable disk, its writes land in an in-memory overlay,
 * and the user's image is never touched. With `writeThrough` the writes go to the base instead (which must
 * then be writable), for users who ask for a persistent disk.
 */
export class CowOverlayBackend implements BlockBackend {
  readonly sectorCount: number;
  readonly readOnly = false;
  private readonly overlay = new Map<number, Uint8Array>();
  private readonly writeThrough: boolean;

  constructor(
    readonly base: BlockBackend,
    opts: { writeThrough?: boolean } = {},
  ) {
    this.sectorCount = base.sectorCount;
    this.writeThrough = !!opts.writeThrough;
    if (this.writeThrough && base.readOnly) throw new Error('write-through needs a writable base image');
  }

  /** Sectors the guest has changed (in the overlay), for the debugger and for snapshots. */
  get dirtySectors(): number {
    return this.overlay.size;
  }

  read(lba: number, count: number, out: Uint8Array): void {
    checkRange(this, lba, count);
    // Runs of untouched sectors come from the base in one read.
    let i = 0;
    while (i < count) {
      const own = this.overlay.get(lba + i);
      if (own) {
        out.set(own, i * SECTOR_SIZE);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < count && !this.overlay.has(lba + j)) j++;
      this.base.read(lba + i, j - i, out.subarray(i * SECTOR_SIZE, j * SECTOR_SIZE));
      i = j;
    }
  }

  write(lba: number, count: number, data: Uint8Array): void {
    checkRange(this, lba, count);
    if (this.writeThrough) {
      this.base.write(lba, count, data);
      return;
    }
    for (let i = 0; i < count; i++) {
      this.overlay.set(lba + i, data.slice(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
    }
  }

  flush(): void {
    if (this.writeThrough) this.base.flush();
  }

  /** Forgets every guest write: the disk is the base image again. */
  discard(): void {
    this.overlay.clear();
  }
}
