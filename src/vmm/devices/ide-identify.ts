/** ATA-6 IDENTIFY DEVICE data for an emulated PIO-only disk. */

export interface Geometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

/** Largest number of sectors a READ/WRITE MULTIPLE block may hold on this drive. */
export const MAX_MULTIPLE = 16;
const MAX_CHS_SECTORS = 16383 * 16 * 63;
const MAX_LBA28 = 0x0fffffff;

/** The default CHS geometry ATA uses for a disk of `sectors` sectors (16 heads, 63 sectors per track). */
export function defaultGeometry(sectors: number): Geometry {
  if (sectors >= MAX_CHS_SECTORS) return { cylinders: 16383, heads: 16, sectorsPerTrack: 63 };
  const spt = Math.max(1, Math.min(63, sectors));
  const heads = sectors >= 16 * 63 ? 16 : Math.max(1, Math.min(16, Math.floor(sectors / spt)));
  return { cylinders: Math.max(1, Math.floor(sectors / (heads * spt))), heads, sectorsPerTrack: spt };
}

function putString(words: Uint16Array, first: number, count: number, text: string): void {
  // ATA strings are space-padded, two characters per word, first character in the high byte.
  const s = text.padEnd(count * 2, ' ').slice(0, count * 2);
  for (let i = 0; i < count; i++) words[first + i] = (s.charCodeAt(2 * i) << 8) | s.charCodeAt(2 * i + 1);
}

export interface IdentifyParams {
  sectors: number;
  geometry: Geometry;
  /** Translation set by INITIALIZE DEVICE PARAMETERS (current CHS). */
  current: Geometry;
  multiple: number;
  writeCache: boolean;
  serial: string;
  model: string;
}

export function identifyDevice(p: IdentifyParams): Uint8Array {
  const w = new Uint16Array(256);
  const lba28 = Math.min(p.sectors, MAX_LBA28);
  w[0] = 0x0040; // fixed device, not removable
  w[1] = p.geometry.cylinders;
  w[3] = p.geometry.heads;
  w[6] = p.geometry.sectorsPerTrack;
  putString(w, 10, 10, p.serial);
  putString(w, 23, 4, '1.0');
  putString(w, 27, 20, p.model);
  w[47] = 0x8000 | MAX_MULTIPLE;
  w[49] = 0x0200; // LBA supported; no DMA, so drivers stay in PIO
  w[50] = 0x4000;
  w[51] = 0x0200; // PIO mode 2 timing (obsolete field, still read by old drivers)
  w[53] = 0x0003; // words 54-58 and 64-70 are valid
  const cur = p.current;
  const curCapacity = Math.min(cur.cylinders * cur.heads * cur.sectorsPerTrack, p.sectors);
  w[54] = cur.cylinders;
  w[55] = cur.heads;
  w[56] = cur.sectorsPerTrack;
  w[57] = curCapacity & 0xffff;
  w[58] = curCapacity >>> 16;
  w[59] = p.multiple ? 0x0100 | p.multiple : 0;
  w[60] = lba28 & 0xffff;
  w[61] = lba28 >>> 16;
  w[64] = 0x0003; // PIO modes 3 and 4
  w[65] = w[66] = w[67] = w[68] = 120;
  w[80] = 0x007e; // ATA-1 to ATA-6
  w[82] = 0x0020; // write cache
  w[83] = 0x5000; // FLUSH CACHE; bit 14 marks the word valid
  w[84] = 0x4000;
  w[85] = p.writeCache ? 0x0020 : 0;
  w[86] = 0x1000;
  w[87] = 0x4000;
  const bytes = new Uint8Array(512);
  for (let i = 0; i < 255; i++) {
    bytes[2 * i] = w[i] & 0xff;
    bytes[2 * i + 1] = w[i] >> 8;
  }
  // Word 255: integrity signature 0xA5 and a checksum making all 512 bytes sum to zero.
  bytes[510] = 0xa5;
  let sum = 0;
  for (let i = 0; i < 511; i++) sum += bytes[i];
  bytes[511] = -sum & 0xff;
  return bytes;
}
