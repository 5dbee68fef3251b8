/**
 * Conversions between registers and the memory formats: IEEE single/double, 16/32/64-bit integers and
 * 18-digit packed BCD. 80-bit loads and stores are plain copies (see x87.ts) and need nothing here.
 */
import { BIAS, classify, Cls, exactOf, F80, f80, INDEFINITE, zero } from './f80';
import { fastFromDouble, fastFromSingle, fastToIeee, fastToInt } from './fast';
import { FMT32, FMT64, Fmt, pack80, packIeee, roundAt, roundExact } from './round';
import { Ctx, DE, IE, PE } from './status';

/** Loads an IEEE single or double given its significand field, biased exponent and sign. */
function loadIeee(sign: number, exp: number, frac: bigint, fmt: Fmt): F80 {
  const fracBits = fmt.p - 1;
  const expMax = 2 * fmt.emax + 1;
  const sig = frac << BigInt(63 - fracBits);
  if (exp === expMax) {
    return f80((sign << 15) | 0x7fff, Number(sig >> 32n) | 0x80000000, Number(sig & 0xffffffffn));
  }
  if (exp === 0) {
    if (frac === 0n) return zero(sign);
    return pack80({ sign, q: frac, L: fmt.lsbMin, inf: false });
  }
  return f80((sign << 15) | (exp - fmt.emax + BIAS), Number(sig >> 32n) | 0x80000000, Number(sig & 0xffffffffn));
}

/** FLD m32/m64 and the real-memory operands of arithmetic: SNaN -> IE (quieted), denormal -> DE. */
export function loadReal(v: F80, ctx: Ctx): F80 {
  const c = classify(v);
  if (c === Cls.SNaN) {
    ctx.flags |= IE;
    return f80(v.se, v.hi | 0x40000000, v.lo);
  }
  return v;
}

/** `keepSNaN`: arithmetic operands stay signalling so the NaN rules can tell SNaN from QNaN. */
export function fromSingle(bits: number, ctx: Ctx, keepSNaN = false): F80 {
  const quick = fastFromSingle(bits);
  if (quick) return quick;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0 && frac !== 0) ctx.flags |= DE;
  const v = loadIeee(bits >>> 31, exp, BigInt(frac), FMT32);
  return keepSNaN ? v : loadReal(v, ctx);
}

export function fromDouble(hi: number, lo: number, ctx: Ctx, keepSNaN = false): F80 {
  const quick = fastFromDouble(hi, lo);
  if (quick) return quick;
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (exp === 0 && frac !== 0n) ctx.flags |= DE;
  const v = loadIeee(hi >>> 31, exp, frac, FMT64);
  return keepSNaN ? v : loadReal(v, ctx);
}

/** Integers convert exactly (64 significand bits hold any int64). */
export function fromInt(v: bigint): F80 {
  if (v === 0n) return zero(0);
  return v < 0n ? pack80({ sign: 1, q: -v, L: 0, inf: false }) : pack80({ sign: 0, q: v, L: 0, inf: false });
}

/** Result of a store conversion: the value's bits, or null when an unmasked exception suppresses the store. */
export type Stored = number[] | null;

function indefiniteIeee(fmt: Fmt): number[] {
  return fmt.p === 24 ? [0xffc00000] : [0xfff80000, 0];
}

/** FST/FSTP m32/m64 (and the rounding they imply; precision control does not apply). */
export function toIeee(v: F80, fmt: Fmt, ctx: Ctx): Stored {
  return fastToIeee(v, fmt.p, ctx) ?? toIeeeExact(v, fmt, ctx);
}

/** The reference (BigInt) path of toIeee. */
export function toIeeeExact(v: F80, fmt: Fmt, ctx: Ctx): Stored {
  const c = classify(v);
  const sign = v.se >>> 15;
  switch (c) {
    case Cls.Unsupported:
      ctx.flags |= IE;
      return ctx.masked(IE) ? indefiniteIeee(fmt) : null;
    case Cls.SNaN:
    case Cls.QNaN: {
      if (c === Cls.SNaN) {
        ctx.flags |= IE;
        if (!ctx.masked(IE)) return null;
      }
      const hi = v.hi | 0x40000000;
      if (fmt.p === 24) return [((sign << 31) | 0x7f800000 | ((hi >>> 8) & 0x7fffff)) >>> 0];
      return [((sign << 31) | 0x7ff00000 | ((hi >>> 11) & 0xfffff)) >>> 0, ((hi << 21) | (v.lo >>> 11)) >>> 0];
    }
    case Cls.Inf:
      return packIeee({ sign, q: 0n, L: 0, inf: true }, fmt);
    case Cls.Zero:
      return packIeee({ sign, q: 0n, L: 0, inf: false }, fmt);
    default: {
      // Measured: storing a (pseudo-)denormal register reports UE/PE as needed but never DE.
      const x = exactOf(v);
      const r = roundExact(sign, x.sig, x.e, fmt, ctx);
      return r ? packIeee(r, fmt) : null;
    }
  }
}

/** Rounds a finite register to an integer with the current rounding mode; sets PE and C1. */
export function roundToInteger(v: F80, ctx: Ctx, rc = ctx.rc): bigint {
  const x = exactOf(v);
  if (x.sig === 0n) return 0n;
  const r = roundAt(x.sign, x.sig, x.e, 0, rc);
  if (r.inexact) {
    ctx.flags |= PE;
    ctx.c1 = r.up ? 1 : 0;
  }
  return x.sign ? -r.q : r.q;
}

/** FIST/FISTP: returns the two's complement value (as bigint) or null when an unmasked IE suppresses it. */
export function toInt(v: F80, bits: number, ctx: Ctx): bigint | null {
  const quick = bits === 64 ? null : fastToInt(v, bits, ctx);
  return quick !== null ? BigInt(quick) : toIntExact(v, bits, ctx);
}

/** The reference (BigInt) path of toInt. */
export function toIntExact(v: F80, bits: number, ctx: Ctx): bigint | null {
  const c = classify(v);
  const indefinite = -(1n << BigInt(bits - 1));
  if (c === Cls.Unsupported || c === Cls.QNaN || c === Cls.SNaN || c === Cls.Inf) {
    ctx.flags |= IE;
    return ctx.masked(IE) ? indefinite : null;
  }
  const probe = new Ctx(ctx.cw);
  const n = roundToInteger(v, probe);
  const limit = 1n << BigInt(bits - 1);
  if (n >= limit || n < -limit) {
    // Out of range is invalid, and the inexactness of the rounding is not reported.
    ctx.flags |= IE;
    return ctx.masked(IE) ? indefinite : null;
  }
  ctx.flags |= probe.flags;
  ctx.c1 = probe.c1;
  return n;
}

/** FBLD: 18 BCD digits (bytes 0..8, low digit first) and a sign in bit 7 of byte 9. */
export function fromBcd(b: ArrayLike<number>): F80 {
  let n = 0n;
  for (let i = 8; i >= 0; i--) n = n * 100n + BigInt(((b[i] >>> 4) & 15) * 10 + (b[i] & 15));
  const sign = (b[9] >>> 7) & 1;
  if (n === 0n) return zero(sign);
  return pack80({ sign, q: n, L: 0, inf: false });
}

/** FBSTP: the 10 bytes to store, or null when an unmasked IE suppresses the store. */
export function toBcd(v: F80, ctx: Ctx): number[] | null {
  const c = classify(v);
  const indefinite = [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff];
  if (c === Cls.Unsupported || c === Cls.QNaN || c === Cls.SNaN || c === Cls.Inf) {
    ctx.flags |= IE;
    return ctx.masked(IE) ? indefinite : null;
  }
  const probe = new Ctx(ctx.cw);
  let n = roundToInteger(v, probe);
  if (n >= 10n ** 18n || n <= -(10n ** 18n)) {
    ctx.flags |= IE;
    return ctx.masked(IE) ? indefinite : null;
  }
  ctx.flags |= probe.flags;
  ctx.c1 = probe.c1;
  const out = new Array<number>(10).fill(0);
  if (n < 0n) n = -n;
  for (let i = 0; i < 9; i++) {
    const d = Number(n % 100n);
    n /= 100n;
    out[i] = ((Math.floor(d / 10) << 4) | d % 10) & 0xff;
  }
  out[9] = v.se & 0x8000 ? 0x80 : 0;
  return out;
}

export { INDEFINITE };
