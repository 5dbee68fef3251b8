/**
 * Correct rounding of exact results into a destination format, with the x87's masked and unmasked
 * overflow/underflow responses. Values are exact rationals sig * 2^e (BigInt significands: the operations
 * that call this run a few times per x87 instruction, not on the integer CPU's hot path).
 */
import { BIAS, bitLen, F80, f80, infinity, zero } from './f80';
import { Ctx, OE, PE, RC_CHOP, RC_DOWN, RC_NEAREST, RC_UP, UE } from './status';

export interface Fmt {
  /** Significand bits including the integer bit. */
  p: number;
  /** Unbiased exponent range of normal numbers. */
  emin: number;
  emax: number;
  /** Exponent of the smallest denormal's bit. */
  lsbMin: number;
  /** Register destination: unmasked OE/UE deliver a result with the exponent biased by 24576. */
  reg: boolean;
}

export const FMT32: Fmt = { p: 24, emin: -126, emax: 127, lsbMin: -149, reg: false };
export const FMT64: Fmt = { p: 53, emin: -1022, emax: 1023, lsbMin: -1074, reg: false };
// With precision control below 64 bits, a denormal register result keeps only the top p bits of the 64-bit
// significand field (measured on hardware), so its last bit sits p-1 places below 2^-16382, not 63.
const REG: Fmt[] = [24, 53, 64].map((p) => ({ p, emin: 1 - BIAS, emax: BIAS, lsbMin: 1 - BIAS - (p - 1), reg: true }));
export const FMT80 = REG[2];

export function regFmt(bits: number): Fmt {
  return bits === 24 ? REG[0] : bits === 53 ? REG[1] : REG[2];
}

/** A rounded result: (-1)^sign * q * 2^L with q < 2^p, or an infinity. */
export interface Rounded {
  sign: number;
  q: bigint;
  L: number;
  inf: boolean;
}

export interface Step {
  q: bigint;
  inexact: boolean;
  up: boolean;
}

export function roundAt(sign: number, sig: bigint, e: number, L: number, rc: number): Step {
  const shift = L - e;
  if (shift <= 0) return { q: sig << BigInt(-shift), inexact: false, up: false };
  const bs = BigInt(shift);
  let q = sig >> bs;
  const rem = sig - (q << bs);
  if (rem === 0n) return { q, inexact: false, up: false };
  let inc: boolean;
  switch (rc) {
    case RC_NEAREST: {
      const half = 1n << (bs - 1n);
      inc = rem > half || (rem === half && (q & 1n) === 1n);
      break;
    }
    case RC_DOWN:
      inc = sign === 1;
      break;
    case RC_UP:
      inc = sign === 0;
      break;
    default:
      inc = false;
  }
  if (inc) q += 1n;
  return { q, inexact: true, up: inc };
}

function overflowResult(sign: number, fmt: Fmt, rc: number): Rounded {
  const toInf = rc === RC_NEAREST || (rc === RC_UP && sign === 0) || (rc === RC_DOWN && sign === 1);
  if (toInf) return { sign, q: 0n, L: 0, inf: true };
  return { sign, q: (1n << BigInt(fmt.p)) - 1n, L: fmt.emax - fmt.p + 1, inf: false };
}

/**
 * Rounds sig * 2^e (sig >= 0) per `rc` into `fmt`, setting PE/OE/UE and C1 in ctx. Returns null when an
 * unmasked overflow or underflow leaves a memory destination unwritten.
 */
export function roundExact(sign: number, sig: bigint, e: number, fmt: Fmt, ctx: Ctx, rc = ctx.rc): Rounded | null {
  if (sig === 0n) return { sign, q: 0n, L: 0, inf: false };
  const E = e + bitLen(sig) - 1;
  let L = E - fmt.p + 1;
  let r = roundAt(sign, sig, e, L, rc);
  let Eu = E;
  if (r.q >> BigInt(fmt.p) !== 0n) {
    r.q >>= 1n;
    L += 1;
    Eu += 1;
  }
  if (Eu > fmt.emax) {
    if (ctx.masked(OE)) {
      ctx.flags |= OE | PE;
      const o = overflowResult(sign, fmt, rc);
      ctx.c1 = o.inf ? 1 : 0;
      return o;
    }
    ctx.flags |= OE;
    // A memory destination is left alone and only OE is reported (measured: no PE, C1 untouched).
    if (!fmt.reg) return null;
    if (r.inexact) {
      ctx.flags |= PE;
      ctx.c1 = r.up ? 1 : 0;
    }
    // Massive overflow (FSCALE): still out of range after the bias adjustment, an infinity is stored.
    if (Eu - 24576 > fmt.emax) {
      ctx.flags |= PE;
      ctx.c1 = 1;
      return { sign, q: 0n, L: 0, inf: true };
    }
    return { sign, q: r.q, L: L - 24576, inf: false };
  }
  if (Eu < fmt.emin) {
    if (!ctx.masked(UE)) {
      ctx.flags |= UE;
      if (!fmt.reg) return null;
      if (r.inexact) {
        ctx.flags |= PE;
        ctx.c1 = r.up ? 1 : 0;
      }
      // Massive underflow (FSCALE): still tiny after the bias adjustment, a signed zero is stored.
      if (Eu + 24576 < fmt.emin) {
        ctx.flags |= PE;
        ctx.c1 = 0;
        return { sign, q: 0n, L: 0, inf: false };
      }
      return { sign, q: r.q, L: L + 24576, inf: false };
    }
    const L2 = Math.max(E - fmt.p + 1, fmt.lsbMin);
    r = roundAt(sign, sig, e, L2, rc);
    if (r.inexact) {
      ctx.flags |= UE | PE;
      ctx.c1 = r.up ? 1 : 0;
    }
    return { sign, q: r.q, L: L2, inf: false };
  }
  if (r.inexact) {
    ctx.flags |= PE;
    ctx.c1 = r.up ? 1 : 0;
  }
  return { sign, q: r.q, L, inf: false };
}

/** Packs a rounded value into the 80-bit register format. */
export function pack80(r: Rounded): F80 {
  if (r.inf) return infinity(r.sign);
  if (r.q === 0n) return zero(r.sign);
  const n = bitLen(r.q);
  const E = r.L + n - 1;
  let exp: number;
  let sig: bigint;
  if (E >= 1 - BIAS) {
    exp = E + BIAS;
    sig = r.q << BigInt(64 - n);
  } else {
    exp = 0;
    sig = r.q << BigInt(r.L - (1 - BIAS - 63));
  }
  return f80((r.sign << 15) | (exp & 0x7fff), Number(sig >> 32n), Number(sig & 0xffffffffn));
}

/** Packs into IEEE single (returns the 32-bit pattern) or double (returns [hi, lo]). */
export function packIeee(r: Rounded, fmt: Fmt): number[] {
  const frac = fmt.p - 1;
  const bias = fmt.emax;
  const expMax = 2 * bias + 1;
  let bits: bigint;
  if (r.inf) bits = BigInt(expMax) << BigInt(frac);
  else if (r.q === 0n) bits = 0n;
  else {
    const n = bitLen(r.q);
    const E = r.L + n - 1;
    if (E >= fmt.emin) bits = (BigInt(E + bias) << BigInt(frac)) | ((r.q << BigInt(fmt.p - n)) & ((1n << BigInt(frac)) - 1n));
    else bits = r.q << BigInt(r.L - fmt.lsbMin);
  }
  if (r.sign) bits |= 1n << BigInt(frac + 1 + (fmt.p === 24 ? 7 : 10));
  if (fmt.p === 24) return [Number(bits)];
  return [Number(bits >> 32n), Number(bits & 0xffffffffn)];
}

/** Convenience: round an exact value to a register with the current precision control. */
export function roundToReg(sign: number, sig: bigint, e: number, ctx: Ctx, bits = ctx.pcBits): F80 {
  return pack80(roundExact(sign, sig, e, regFmt(bits), ctx) as Rounded);
}

export { RC_CHOP };
