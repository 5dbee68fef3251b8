/**
 * The 80-bit double extended-precision format as the x87 keeps it: a 16-bit sign/exponent word and a 64-bit
 * significand with an explicit integer bit (J, bit 63), held as two uint32 halves so that loads and stores
 * are bit-exact for every encoding, including the ones the 387 and later reject (unnormals, pseudo-NaNs).
 */
export interface F80 {
  /** sign << 15 | biased exponent. */
  se: number;
  /** Significand bits 63..32 (bit 31 of `hi` is the integer bit J). */
  hi: number;
  /** Significand bits 31..0. */
  lo: number;
}

export const enum Cls {
  Zero,
  /** Exponent field 0 and a non-zero significand, including pseudo-denormals (J=1). */
  Denormal,
  Normal,
  Inf,
  QNaN,
  SNaN,
  /** Unnormals, pseudo-NaNs and pseudo-infinities: invalid operands since the 387. */
  Unsupported,
}

export const BIAS = 16383;
/** Exponent of the significand's least significant bit for exponent field 1 (also used by denormals). */
export const EMIN_LSB = 1 - BIAS - 63;

export function f80(se: number, hi: number, lo: number): F80 {
  return { se: se & 0xffff, hi: hi >>> 0, lo: lo >>> 0 };
}

/** The "real indefinite" QNaN every masked invalid operation produces. */
export const INDEFINITE: F80 = f80(0xffff, 0xc0000000, 0);
export const POS_ZERO: F80 = f80(0, 0, 0);
export const ONE: F80 = f80(0x3fff, 0x80000000, 0);

export function classify(v: F80): Cls {
  const exp = v.se & 0x7fff;
  if (exp === 0) return (v.hi | v.lo) === 0 ? Cls.Zero : Cls.Denormal;
  if ((v.hi & 0x80000000) === 0) return Cls.Unsupported;
  if (exp !== 0x7fff) return Cls.Normal;
  if ((v.hi & 0x7fffffff) === 0 && v.lo === 0) return Cls.Inf;
  return v.hi & 0x40000000 ? Cls.QNaN : Cls.SNaN;
}

export function isNaN80(c: Cls): boolean {
  return c === Cls.QNaN || c === Cls.SNaN;
}

export function signOf(v: F80): number {
  return v.se >>> 15;
}

export function quiet(v: F80): F80 {
  return f80(v.se, v.hi | 0x40000000, v.lo);
}

export function withSign(v: F80, sign: number): F80 {
  return f80((v.se & 0x7fff) | (sign << 15), v.hi, v.lo);
}

export function infinity(sign: number): F80 {
  return f80((sign << 15) | 0x7fff, 0x80000000, 0);
}

export function zero(sign: number): F80 {
  return f80(sign << 15, 0, 0);
}

/** A finite value as an exact rational: (-1)^sign * sig * 2^e. */
export interface Exact {
  sign: number;
  sig: bigint;
  e: number;
}

export function sigOf(v: F80): bigint {
  return (BigInt(v.hi) << 32n) | BigInt(v.lo);
}

/** Exact value of a zero, denormal, pseudo-denormal or normal register (pseudo-denormals weigh as exponent 1). */
export function exactOf(v: F80): Exact {
  const exp = v.se & 0x7fff;
  return { sign: v.se >>> 15, sig: sigOf(v), e: (exp === 0 ? 1 : exp) - BIAS - 63 };
}

export function bitLen(x: bigint): number {
  let n = 0;
  while (x > 0xffffffffn) {
    x >>= 32n;
    n += 32;
  }
  return n + 32 - Math.clz32(Number(x));
}

/** Unbiased exponent of the leading one bit, as if the value were normalized (denormals included). */
export function normExp(v: F80): number {
  const x = exactOf(v);
  return x.e + bitLen(x.sig) - 1;
}

/** For display and for the transcendental functions: nearest JS double (overflow to +-Infinity, NaN kept). */
export function toDouble(v: F80): number {
  const c = classify(v);
  const s = v.se & 0x8000 ? -1 : 1;
  switch (c) {
    case Cls.Zero:
      return s * 0;
    case Cls.Inf:
      return s * Infinity;
    case Cls.QNaN:
    case Cls.SNaN:
    case Cls.Unsupported:
      return NaN;
    default: {
      const exp = v.se & 0x7fff;
      const e = (exp === 0 ? 1 : exp) - BIAS;
      // hi*2^-31 + lo*2^-63 rounds twice at worst; good enough for display and libm inputs.
      const m = v.hi * 2 ** -31 + v.lo * 2 ** -63;
      return s * m * 2 ** e;
    }
  }
}

export function bytesOf(v: F80): Uint8Array {
  const b = new Uint8Array(10);
  for (let i = 0; i < 4; i++) {
    b[i] = (v.lo >>> (8 * i)) & 0xff;
    b[4 + i] = (v.hi >>> (8 * i)) & 0xff;
  }
  b[8] = v.se & 0xff;
  b[9] = v.se >>> 8;
  return b;
}

export function fromBytes(b: ArrayLike<number>, off = 0): F80 {
  const lo = b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24);
  const hi = b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24);
  return f80(b[off + 8] | (b[off + 9] << 8), hi, lo);
}
