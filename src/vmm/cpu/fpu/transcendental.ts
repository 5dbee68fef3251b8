/**
 * F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS. NOT exact: the core function is evaluated in
 * JS double precision (libm-quality, ~1 ulp of a double, i.e. about 11 bits short of extended precision),
 * and the double result is widened exactly. PE is always set for non-trivial results and C1 is left 0.
 * Special operands (zeros, infinities, NaNs, domain errors, |x| >= 2^63 for the trigonometric ones)
 * follow the SDM's instruction pages exactly.
 */
import { screen2 } from './arith';
import { fromDouble } from './convert';
import { bitLen, classify, Cls, exactOf, F80, f80, INDEFINITE, infinity, normExp, ONE, toDouble, zero } from './f80';
import { screen1 } from './reduce';
import { Ctx, DE, IE, PE, ZE } from './status';
import { roundToReg } from './round';

const view = new DataView(new ArrayBuffer(8));

/**
 * Rounds an approximation that lies just above (dir=1) or just below (dir=-1) the exact sig * 2^e, or
 * anywhere near it (dir=0: plain sticky), to 64 bits: the nudge sits far below the rounding point, so PE,
 * C1 and UE come out as for a truly inexact result.
 */
export function roundInexact(sign: number, sig: bigint, e: number, dir: number, ctx: Ctx): F80 {
  const shift = Math.max(0, 130 - bitLen(sig));
  const s2 = sig << BigInt(shift);
  const r = roundToReg(sign, dir < 0 ? s2 - 1n : s2 | 1n, e - shift, ctx, 64);
  ctx.flags |= PE;
  return r;
}

/**
 * y * d rounded once to 64 bits, exactly (BigInt), so results far outside the double range (tiny or huge
 * extended values) come out right with UE/OE as they should. PE is set: d is an inexact libm value.
 */
export function mulByDouble(y: F80, d: number, ctx: Ctx): F80 {
  view.setFloat64(0, d);
  const hi = view.getUint32(0);
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let e2 = -1074;
  if (exp !== 0) {
    m |= 1n << 52n;
    e2 = exp - 1075;
  }
  const x = exactOf(y);
  // Marked inexact (d itself is an approximation), so tiny results report UE.
  return roundInexact(x.sign ^ (d < 0 ? 1 : 0), x.sig * m, x.e + e2, 0, ctx);
}

/** A finite register scaled by 2^shift, as a double (for ratios whose parts overflow or underflow doubles). */
function scaled(v: F80, shift: number): number {
  const x = exactOf(v);
  return (x.sign ? -1 : 1) * Number(x.sig) * 2 ** (x.e + shift);
}

export function fromJs(d: number, ctx: Ctx): F80 {
  view.setFloat64(0, d);
  const r = fromDouble(view.getUint32(0), view.getUint32(4), new Ctx(0x37f));
  if (d !== 0 && Number.isFinite(d)) ctx.flags |= PE;
  return r;
}

function invalid(ctx: Ctx): F80 {
  ctx.flags |= IE;
  return INDEFINITE;
}

export function f2xm1(a: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  const s = screen1(a, ca, ctx);
  if (s) return s;
  if (ctx.aborted) return INDEFINITE;
  if (ca === Cls.Zero) return a;
  if (ca === Cls.Inf) return a.se & 0x8000 ? f80(0xbfff, 0x80000000, 0) : a; // exactly -1, no PE
  // Outside -1..+1 the SDM leaves the result undefined; real hardware (measured) returns x with PE.
  const E = normExp(a);
  if (E > 0 || (E === 0 && (a.hi !== 0x80000000 || a.lo !== 0))) {
    ctx.flags |= PE;
    return a;
  }
  // Tiny x: 2^x - 1 = x * ln 2 to well below the last bit, computed exactly so denormal results are right.
  if (normExp(a) < -60) return mulByDouble(a, Math.LN2, ctx);
  return fromJs(Math.expm1(toDouble(a) * Math.LN2), ctx);
}

/** FYL2X: ST(1) * log2(ST(0)); FYL2XP1: ST(1) * log2(ST(0) + 1). `a` is ST(0), `b` is ST(1). */
export function fyl2x(a: F80, b: F80, plusOne: boolean, ctx: Ctx): F80 {
  const ca = classify(a);
  const cb = classify(b);
  const before = ctx.flags;
  const s = screen2(a, ca, b, cb, ctx);
  if (s) return s;
  // Measured: invalid and zero-divide cases outrank the denormal operand; DE is reported otherwise.
  const de = ctx.flags & DE & ~before;
  ctx.flags &= ~de;
  const sa = a.se >>> 15;
  const sb = b.se >>> 15;
  const aZero = ca === Cls.Zero;
  let logNeg: boolean;
  if (!plusOne) {
    if (sa && !aZero) return invalid(ctx);
    if (aZero) {
      if (cb === Cls.Zero) return invalid(ctx);
      if (cb !== Cls.Inf) ctx.flags |= ZE;
      return infinity(sb ^ 1);
    }
    if (ca === Cls.Inf) {
      if (cb === Cls.Zero) return invalid(ctx);
      ctx.flags |= de;
      return infinity(sb);
    }
    const E = normExp(a);
    const isOne = E === 0 && exactOf(a).sig === 1n << 63n;
    if (isOne && cb === Cls.Inf) return invalid(ctx);
    if (isOne) {
      ctx.flags |= de;
      return zero(sb);
    }
    logNeg = E < 0;
  } else {
    // (Outside +-(1 - sqrt(2)/2) the result is undefined; infinities follow log2(1 + x) as real parts do.)
    if (ca === Cls.Inf && (sa || cb === Cls.Zero)) return invalid(ctx);
    if (ca === Cls.Inf) {
      ctx.flags |= de;
      return infinity(sb);
    }
    if (aZero) {
      if (cb === Cls.Inf) return invalid(ctx);
      ctx.flags |= de;
      return zero(sa ^ sb);
    }
    logNeg = sa === 1;
  }
  ctx.flags |= de;
  if (cb === Cls.Inf) return infinity(sb ^ (logNeg ? 1 : 0));
  if (cb === Cls.Zero) return zero(sb ^ (logNeg ? 1 : 0));
  if (ctx.aborted) return INDEFINITE;
  if (plusOne && normExp(a) < -60) {
    // log2(1 + x) = x / ln 2 for tiny x: one exact product (x * 1/ln2 * y) and one rounding.
    view.setFloat64(0, 1 / Math.LN2);
    const m = (BigInt(view.getUint32(0) & 0xfffff) << 32n) | BigInt(view.getUint32(4)) | (1n << 52n);
    const e2 = ((view.getUint32(0) >>> 20) & 0x7ff) - 1075;
    const x = exactOf(a);
    const y = exactOf(b);
    return roundInexact(x.sign ^ y.sign, x.sig * m * y.sig, x.e + e2 + y.e, 0, ctx);
  }
  const lx = plusOne ? Math.log1p(toDouble(a)) / Math.LN2 : log2Of(a);
  return mulByDouble(b, lx, ctx);
}

/** FPATAN: atan(ST(1) / ST(0)) with the quadrant from both signs. `a` is ST(0), `b` is ST(1). */
export function fpatan(a: F80, b: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  const cb = classify(b);
  const s = screen2(a, ca, b, cb, ctx);
  if (s) return s;
  if (ctx.aborted) return INDEFINITE;
  if (ca !== Cls.Zero && ca !== Cls.Inf && cb !== Cls.Zero && cb !== Cls.Inf && !(a.se & 0x8000) && normExp(b) - normExp(a) < -64) {
    // atan(y/x) = y/x far below the last bit: exact division keeps tiny and denormal results right.
    const x = exactOf(a);
    const y = exactOf(b);
    const num = y.sig << 192n;
    const q = num / x.sig;
    return roundInexact(y.sign, q, y.e - x.e - 192, 0, ctx);
  }
  // Common scaling keeps the ratio when either part is beyond the double range.
  const k = ca === Cls.Zero || ca === Cls.Inf ? (cb === Cls.Zero || cb === Cls.Inf ? 0 : -normExp(b)) : cb === Cls.Zero || cb === Cls.Inf ? -normExp(a) : -Math.max(normExp(a), normExp(b));
  const fin = (v: F80, c: Cls) => (c === Cls.Zero || c === Cls.Inf ? toDouble(v) : scaled(v, k));
  const r = Math.atan2(fin(b, cb), fin(a, ca));
  if (r === 0) return zero(b.se >>> 15);
  return fromJs(r, ctx);
}

/** The argument range of FSIN/FCOS/FSINCOS/FPTAN: |x| < 2^63, else C2 is set and nothing changes. */
export function trigOutOfRange(a: F80): boolean {
  const c = classify(a);
  return (c === Cls.Normal || c === Cls.Denormal) && normExp(a) >= 63;
}

export type TrigFn = 'sin' | 'cos' | 'tan';

/** pi/2 as the hardware's 66-bit approximation (Intel documents FSIN & co. reducing with a 66-bit pi). */
const HALF_PI_SIG = 0xc90fdaa22168c234cn;
const HALF_PI_EXP = -67;

/**
 * Reduces |x| modulo pi/2 exactly against the 66-bit pi: returns the quadrant k mod 4 and the remainder
 * r in [-pi/4, pi/4] rounded to a double (the only rounding before libm).
 */
function reduce(a: F80): [number, number] {
  const { sig, e } = exactOf(a);
  const m = Math.min(e, HALF_PI_EXP);
  const X = sig << BigInt(e - m);
  const P = HALF_PI_SIG << BigInt(HALF_PI_EXP - m);
  const k = (2n * X + P) / (2n * P);
  const R = X - k * P;
  return [Number(k & 3n), Number(R) * 2 ** m];
}

/** One trigonometric result for a finite or special ST(0) already known to be in range. */
export function trig(a: F80, fn: TrigFn, ctx: Ctx): F80 {
  const ca = classify(a);
  const s = screen1(a, ca, ctx);
  if (s) return s;
  if (ca === Cls.Inf) return invalid(ctx);
  if (ctx.aborted) return INDEFINITE;
  if (ca === Cls.Zero) return fn === 'cos' ? ONE : a;
  if (normExp(a) < -40) {
    // sin x = tan x = x and cos x = 1 to far below the last bit; only the flags show the truth.
    // cos x is just below 1, sin x just below x and tan x just above x in magnitude: a sticky bit on the
    // right side makes every rounding mode (and C1, PE, UE) come out as the hardware's.
    if (fn === 'cos') return roundInexact(0, 1n, 0, -1, ctx);
    const x = exactOf(a);
    return roundInexact(x.sign, x.sig, x.e, fn === 'sin' ? -1 : 1, ctx);
  }
  const [q, r] = reduce(a);
  const neg = a.se & 0x8000 ? 1 : 0;
  if (fn === 'tan') return fromJs((neg ? -1 : 1) * (q & 1 ? -1 / Math.tan(r) : Math.tan(r)), ctx);
  // Quadrant: which of +-sin r / +-cos r; cos r is formed as 1 - 2 sin^2(r/2) to keep its low bits.
  const useCos = (fn === 'cos') !== ((q & 1) === 1);
  const negative = (fn === 'sin' ? neg ^ (q >> 1) : ((q + 1) >> 1) & 1) === 1;
  if (!useCos) return fromJs((negative ? -1 : 1) * Math.sin(r), ctx);
  const h = Math.sin(r / 2);
  return onePlus(-2 * h * h, negative ? 1 : 0, ctx);
}

/** (-1)^sign * (1 + d) for a small double d, summed exactly and rounded once (PE set). */
function onePlus(d: number, sign: number, ctx: Ctx): F80 {
  if (d === 0) return roundInexact(sign, 1n, 0, 0, ctx);
  view.setFloat64(0, d);
  const hi = view.getUint32(0);
  const exp = (hi >>> 20) & 0x7ff;
  const m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4)) | (exp ? 1n << 52n : 0n);
  const e2 = (exp || 1) - 1075;
  const sum = (1n << BigInt(-e2)) + (d < 0 ? -m : m);
  return roundInexact(sign, sum, e2, 0, ctx);
}

/** log2 of a positive finite register without the cancellation a double conversion would cause near 1. */
export function log2Of(a: F80): number {
  const { sig, e } = exactOf(a);
  const E = normExp(a);
  if (E === 0 || E === -1) {
    // x - 1 exactly, then log1p: keeps full relative accuracy for x close to 1.
    const m = Math.min(e, 0);
    const t = (sig << BigInt(e - m)) - (1n << BigInt(-m));
    return Math.log1p(Number(t) * 2 ** m) / Math.LN2;
  }
  return Math.log2(Number(sig) * 2 ** (e - E)) + E;
}
