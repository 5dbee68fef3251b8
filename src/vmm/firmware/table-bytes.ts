/** A little-endian byte builder for firmware tables (MP, ACPI, e820, boot_params). */
export class TableBytes {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.grow(2);
    this.view.setUint16(this.length, v & 0xffff, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.grow(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }

  /** ASCII, padded with `pad` (or cut) to exactly `width` bytes. */
  text(s: string, width = s.length, pad = 0x20): this {
    for (let i = 0; i < width; i++) this.u8(i < s.length ? s.charCodeAt(i) : pad);
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.u8(b[i]);
    return this;
  }

  set16(at: number, v: number): void {
    this.view.setUint16(at, v & 0xffff, true);
  }

  set32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  /** Stores at `at` the byte that makes bytes [from, to) sum to zero (MP and ACPI checksums). */
  checksum(at: number, from = 0, to = this.length): void {
    this.buf[at] = 0;
    let s = 0;
    for (let i = from; i < to; i++) s += this.buf[i];
    this.buf[at] = -s & 0xff;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Sum of bytes modulo 256: zero for a valid MP/ACPI structure. */
export function byteSum(b: Uint8Array, from = 0, to = b.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += b[i];
  return s & 0xff;
}
