import { SymbolFileError, hex } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Bounds-checked little-endian reader over a window of a byte array. Every read checks the window first,
 * so corrupt lengths or offsets turn into SymbolFileError instead of RangeError or a huge allocation.
 * 64-bit quantities are returned as numbers: IA-32 addresses fit, and larger values only feed bounds checks.
 */
export class ByteCursor {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly start = 0,
    readonly end = bytes.length,
    readonly what = 'data',
  ) {
    if (start < 0 || end > bytes.length || start > end) {
      throw new SymbolFileError(`${what} at ${hex(start)}..${hex(end)} lies outside its ${bytes.length}-byte container`, start);
    }
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  need(n: number): void {
    if (!(n >= 0) || this.pos + n > this.end) {
      throw new SymbolFileError(`truncated ${this.what} at offset ${hex(this.pos)} (needs ${n} bytes, ${Math.max(0, this.end - this.pos)} left)`, this.pos);
    }
  }

  seek(pos: number): this {
    if (!(pos >= this.start && pos <= this.end)) {
      throw new SymbolFileError(`offset ${hex(pos)} is outside ${this.what} (${hex(this.start)}..${hex(this.end)})`, pos);
    }
    this.pos = pos;
    return this;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  s8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  s16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  s32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return hi * 0x1_0000_0000 + lo;
  }

  s64(): number {
    const lo = this.u32();
    const hi = this.s32();
    return hi * 0x1_0000_0000 + lo;
  }

  /** Reads an unsigned integer of 1, 2, 4 or 8 bytes (address and offset sizes). */
  uint(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: throw new SymbolFileError(`unsupported integer size ${size} in ${this.what}`, this.pos);
    }
  }

  sint(size: number): number {
    switch (size) {
      case 1: return this.s8();
      case 2: return this.s16();
      case 4: return this.s32();
      case 8: return this.s64();
      default: throw new SymbolFileError(`unsupported integer size ${size} in ${this.what}`, this.pos);
    }
  }

  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      // Past 2^53 precision is lost; such values are only ever compared against section sizes, so that is fine.
      if (scale < 2 ** 64) result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
  }

  sleb(): number {
    let result = 0;
    let scale = 1;
    let b: number;
    do {
      b = this.u8();
      if (scale < 2 ** 64) result += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    if (b & 0x40 && scale < 2 ** 64) result -= scale;
    return result;
  }

  /** NUL-terminated string; a missing terminator is corruption, not "read to the end". */
  cstr(): string {
    const from = this.pos;
    const nul = this.bytes.indexOf(0, from);
    if (nul < 0 || nul >= this.end) {
      throw new SymbolFileError(`unterminated string at offset ${hex(from)} in ${this.what}`, from);
    }
    this.pos = nul + 1;
    return utf8.decode(this.bytes.subarray(from, nul));
  }

  /** A view (no copy) of the next n bytes; checked before anything is allocated. */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A cursor over the next n bytes, advancing this one past them. */
  sub(n: number, what = this.what): ByteCursor {
    this.need(n);
    const c = new ByteCursor(this.bytes, this.pos, this.pos + n, what);
    this.pos += n;
    return c;
  }
}

/** Reads a NUL-terminated string at an offset of a string section, as the ELF and DWARF string tables need. */
export function stringAt(table: Uint8Array, offset: number, what: string): string {
  if (!(offset >= 0 && offset < table.length)) {
    throw new SymbolFileError(`string offset ${hex(offset)} is outside ${what} (${table.length} bytes)`, offset);
  }
  return new ByteCursor(table, offset, table.length, what).cstr();
}
