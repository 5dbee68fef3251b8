/**
 * A minimal AML encoder (ACPI 6.x, section 20 "ACPI Machine Language Specification"): just the objects a
 * static DSDT needs (Scope, Device, Name, integers, strings, buffers, packages) and the resource descriptors
 * of section 6.4 that a PCI root bridge's _CRS uses. Every function returns bytes; nesting is by concatenation.
 * `iasl -d` disassembles what these produce (test/unit/platform/acpi-dsdt.test.ts).
 */
export type Aml = number[];

/**
 * PkgLength (20.2.4): the length counts its own bytes. One byte holds up to 63; otherwise bits 7-6 of the
 * lead byte give the number of following bytes, its bits 3-0 the low nibble, and the rest follow little-endian.
 */
export function pkgLength(contentLength: number): Aml {
  if (contentLength + 1 < 0x40) return [contentLength + 1];
  for (let extra = 1; extra <= 3; extra++) {
    const total = contentLength + 1 + extra;
    if (total < 1 << (4 + 8 * extra)) {
      const out = [(extra << 6) | (total & 0x0f)];
      for (let i = 0; i < extra; i++) out.push((total >>> (4 + 8 * i)) & 0xff);
      return out;
    }
  }
  throw new RangeError(`AML package too large: ${contentLength} bytes`);
}

/** A NameString: `\` and `^` prefixes, then 1-4 character segments separated by dots, padded with `_`. */
export function nameString(path: string): Aml {
  const out: Aml = [];
  let p = path;
  while (p.startsWith('\\') || p.startsWith('^')) {
    out.push(p.charCodeAt(0));
    p = p.slice(1);
  }
  const segs = p === '' ? [] : p.split('.');
  for (const s of segs) if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(s)) throw new Error(`bad AML name segment ${s}`);
  const seg = (s: string) => Array.from(s.padEnd(4, '_'), (c) => c.charCodeAt(0));
  if (segs.length === 0) out.push(0x00); // NullName
  else if (segs.length === 1) out.push(...seg(segs[0]));
  else if (segs.length === 2) out.push(0x2e, ...seg(segs[0]), ...seg(segs[1]));
  else out.push(0x2f, segs.length, ...segs.flatMap(seg));
  return out;
}

/** The shortest integer encoding: ZeroOp, OneOp, or Byte/Word/DWord prefix. */
export function integer(v: number): Aml {
  v >>>= 0;
  if (v === 0) return [0x00];
  if (v === 1) return [0x01];
  if (v <= 0xff) return [0x0a, v];
  if (v <= 0xffff) return [0x0b, v & 0xff, v >>> 8];
  return [0x0c, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

/** A DWord constant whatever its value (the _PRT address field is one by convention). */
export function dword(v: number): Aml {
  return [0x0c, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function string(s: string): Aml {
  return [0x0d, ...Array.from(s, (c) => c.charCodeAt(0) & 0x7f), 0x00];
}

/** EISAID("PNP0A03") as the 32-bit compressed ID: three 5-bit letters, then four hex digits, big-endian. */
export function eisaId(id: string): Aml {
  if (!/^[A-Z]{3}[0-9A-F]{4}$/.test(id)) throw new Error(`bad EISA ID ${id}`);
  const l = (i: number) => id.charCodeAt(i) - 0x40;
  const vendor = (l(0) << 10) | (l(1) << 5) | l(2);
  const product = parseInt(id.slice(3), 16);
  return dword(((vendor >>> 8) | ((vendor & 0xff) << 8) | ((product >>> 8) << 16) | ((product & 0xff) << 24)) >>> 0);
}

export function name(path: string, value: Aml): Aml {
  return [0x08, ...nameString(path), ...value];
}

export function scope(path: string, ...body: Aml[]): Aml {
  const content = [...nameString(path), ...body.flat()];
  return [0x10, ...pkgLength(content.length), ...content];
}

export function device(path: string, ...body: Aml[]): Aml {
  const content = [...nameString(path), ...body.flat()];
  return [0x5b, 0x82, ...pkgLength(content.length), ...content];
}

export function buffer(bytes: Aml): Aml {
  const content = [...integer(bytes.length), ...bytes];
  return [0x11, ...pkgLength(content.length), ...content];
}

export function pkg(...elements: Aml[]): Aml {
  if (elements.length > 255) throw new RangeError('use a VarPackage for more than 255 elements');
  const content = [elements.length, ...elements.flat()];
  return [0x12, ...pkgLength(content.length), ...content];
}

// ---- resource descriptors (6.4) ----

const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** Min and max fixed, positive decode, produced (and consumed) by the bridge: the window flags of a root bridge. */
const WINDOW_FLAGS = 0x0c;

/** I/O port descriptor (6.4.2.5), 16-bit decode: a fixed range the device itself claims. */
export function ioPort(base: number, length: number): Aml {
  return [0x47, 0x01, ...le16(base), ...le16(base), 0x01, length];
}

/** Word Address Space Descriptor (6.4.3.5.3) for a bus-number range. */
export function wordBusNumber(min: number, max: number): Aml {
  return [0x88, 0x0d, 0x00, 0x02, WINDOW_FLAGS, 0x00, ...le16(0), ...le16(min), ...le16(max), ...le16(0), ...le16(max - min + 1)];
}

/** Word Address Space Descriptor for an I/O window (type-specific _RNG = 3: ISA and non-ISA ports). */
export function wordIo(min: number, max: number): Aml {
  return [0x88, 0x0d, 0x00, 0x01, WINDOW_FLAGS, 0x03, ...le16(0), ...le16(min), ...le16(max), ...le16(0), ...le16(max - min + 1)];
}

/** DWord Address Space Descriptor (6.4.3.5.2) for a read-write memory window; `cacheable` picks _MEM 1 over 0. */
export function dwordMemory(min: number, max: number, cacheable: boolean): Aml {
  const specific = 0x01 | (cacheable ? 0x02 : 0);
  return [0x87, 0x17, 0x00, 0x00, WINDOW_FLAGS, specific, ...le32(0), ...le32(min), ...le32(max), ...le32(0), ...le32((max - min + 1) >>> 0)];
}

/** A resource template: the descriptors and the End Tag (6.4.2.9), whose zero checksum means "none". */
export function resourceTemplate(...descriptors: Aml[]): Aml {
  return buffer([...descriptors.flat(), 0x79, 0x00]);
}
