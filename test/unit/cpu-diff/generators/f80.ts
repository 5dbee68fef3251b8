/** Conversions between JS numbers and the x87's 80-bit extended format (10 bytes, little-endian). */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Exact: every double is representable as an 80-bit extended value (denormal doubles become normal). */
export function f80FromNumber(x: number): Uint8Array {
  const out = new Uint8Array(10);
  f64[0] = x;
  const lo = u32[0];
  const hi = u32[1];
  const sign = hi >>> 31;
  const exp = (hi >>> 20) & 0x7ff;
  let mantHi = ((hi & 0xfffff) << 11 | lo >>> 21) >>> 0; // top 31 fraction bits
  let mantLo = (lo << 11) >>> 0;
  let e80: number;
  if (exp === 0x7ff) {
    e80 = 0x7fff;
    mantHi = (mantHi | 0x80000000) >>> 0;
  } else if (exp === 0) {
    if (mantHi === 0 && mantLo === 0) {
      e80 = 0;
    } else {
      // A denormal double is 0.f * 2^-1022: normalise so the explicit integer bit is set.
      e80 = 1 - 1023 + 16383;
      while (!(mantHi & 0x80000000)) {
        mantHi = ((mantHi << 1) | (mantLo >>> 31)) >>> 0;
        mantLo = (mantLo << 1) >>> 0;
        e80--;
      }
    }
  } else {
    e80 = exp - 1023 + 16383;
    mantHi = (mantHi | 0x80000000) >>> 0;
  }
  out[0] = mantLo & 0xff; out[1] = (mantLo >>> 8) & 0xff; out[2] = (mantLo >>> 16) & 0xff; out[3] = mantLo >>> 24;
  out[4] = mantHi & 0xff; out[5] = (mantHi >>> 8) & 0xff; out[6] = (mantHi >>> 16) & 0xff; out[7] = mantHi >>> 24;
  out[8] = e80 & 0xff;
  out[9] = ((e80 >>> 8) & 0x7f) | (sign << 7);
  return out;
}

/** A double's 8 bytes, little-endian. */
export function f64Bytes(x: number): number[] {
  f64[0] = x;
  const b = new Uint8Array(f64.buffer);
  return Array.from(b);
}

export function f32Bytes(x: number): number[] {
  return Array.from(new Uint8Array(new Float32Array([x]).buffer));
}

/** 10 little-endian bytes -> the oracle's 20 hex digits, most significant first. */
export function f80ToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 9; i >= 0; i--) s += (b[i] >>> 4).toString(16) + (b[i] & 15).toString(16);
  return s;
}

export function f80FromHex(h: string): Uint8Array {
  const out = new Uint8Array(10);
  for (let i = 0; i < 10; i++) out[9 - i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}
