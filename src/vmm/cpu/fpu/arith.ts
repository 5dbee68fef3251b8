/**
 * FADD/FSUB/FMUL/FDIV/FSQRT on 80-bit operands: exact BigInt arithmetic, then one correct rounding to the
 * precision-control width with the current rounding mode. Special operands follow the SDM's tables
 * (Vol. 1 §4.8.3, §8.5 and the instruction pages).
 */
import { classify, Cls, exactOf, F80, INDEFINITE, infinity, isNaN80, quiet, zero } from './f80';
import { fastAdd, fastDiv, fastMul, fastSqrt } from './fast';
import { roundToReg } from './round';
import { Ctx, DE, IE, RC_DOWN, ZE } from './status';

/** NaN propagation for two operands (at least one NaN): SNaNs are quieted and raise IE. */
export function nanResult(a: F80, ca: Cls, b: F80, cb: Cls, ctx: Ctx): F80 {
  if (ca === Cls.SNaN || cb === Cls.SNaN) ctx.flags |= IE;
  const an = isNaN80(ca);
  const bn = isNaN80(cb);
  // SNaN against QNaN: the QNaN wins whatever the significands.
  if (an && bn && ca !== cb) return quiet(ca === Cls.QNaN ? a : b);
  if (an && bn) {
    // The NaN with the larger significand wins (quiet bit disregarded); on a tie, the positive one... Intel
    // leaves the tie unspecified, real parts return the first-listed (destination) operand.
    const ah = a.hi | 0x40000000;
    const bh = b.hi | 0x40000000;
    if (bh > ah || (bh === ah && b.lo > a.lo)) return quiet(b);
    if (bh === ah && b.lo === a.lo && (a.se & 0x8000) !== 0 && (b.se & 0x8000) === 0) return quiet(b);
    return quiet(a);
  }
  return quiet(an ? a : b);
}

/**
 * Common operand screening of the arithmetic instructions. Returns the finished result for unsupported and
 * NaN operands, otherwise null after flagging denormal operands.
 */
export function screen2(a: F80, ca: Cls, b: F80, cb: Cls, ctx: Ctx): F80 | null {
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) {
    ctx.flags |= IE;
    return INDEFINITE;
  }
  if (isNaN80(ca) || isNaN80(cb)) return nanResult(a, ca, b, cb, ctx);
  if (ca === Cls.Denormal || cb === Cls.Denormal) ctx.flags |= DE;
  return null;
}

function invalid(ctx: Ctx): F80 {
  ctx.flags |= IE;
  return INDEFINITE;
}

/** a + b, or a - b when `negateB`. */
export function add(a: F80, b: F80, negateB: boolean, ctx: Ctx): F80 {
  return fastAdd(a, b, negateB, ctx) ?? addExact(a, b, negateB, ctx);
}

/** The reference (BigInt) path of add, for every operand class. */
export function addExact(a: F80, b: F80, negateB: boolean, ctx: Ctx): F80 {
  const ca = classify(a);
  const cb = classify(b);
  const special = screen2(a, ca, b, cb, ctx);
  if (special) return special;
  if (ctx.aborted) return INDEFINITE;
  const sa = a.se >>> 15;
  const sb = (b.se >>> 15) ^ (negateB ? 1 : 0);
  if (ca === Cls.Inf) return cb === Cls.Inf && sa !== sb ? invalid(ctx) : infinity(sa);
  if (cb === Cls.Inf) return infinity(sb);
  const x = exactOf(a);
  const y = exactOf(b);
  if (x.sig === 0n && y.sig === 0n) return zero(sa === sb ? sa : ctx.rc === RC_DOWN ? 1 : 0);
  let xs = x.sig;
  let ys = y.sig;
  let xe = x.e;
  let ye = y.e;
  // Operands far apart: the smaller one only matters as a sticky bit below every possible rounding point.
  if (xs !== 0n && ys !== 0n) {
    if (xe - ye > 140) {
      ys = 1n;
      ye = xe - 140;
    } else if (ye - xe > 140) {
      xs = 1n;
      xe = ye - 140;
    }
  }
  const e = Math.min(xe, ye);
  const xv = (xs << BigInt(xe - e)) * (sa ? -1n : 1n);
  const yv = (ys << BigInt(ye - e)) * (sb ? -1n : 1n);
  const sum = xv + yv;
  if (sum === 0n) return zero(ctx.rc === RC_DOWN ? 1 : 0);
  return sum < 0n ? roundToReg(1, -sum, e, ctx) : roundToReg(0, sum, e, ctx);
}

export function mul(a: F80, b: F80, ctx: Ctx): F80 {
  return fastMul(a, b, ctx) ?? mulExact(a, b, ctx);
}

/** The reference (BigInt) path of mul. */
export function mulExact(a: F80, b: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  const cb = classify(b);
  const special = screen2(a, ca, b, cb, ctx);
  if (special) return special;
  if (ctx.aborted) return INDEFINITE;
  const s = (a.se ^ b.se) >>> 15;
  if (ca === Cls.Inf || cb === Cls.Inf) return ca === Cls.Zero || cb === Cls.Zero ? invalid(ctx) : infinity(s);
  if (ca === Cls.Zero || cb === Cls.Zero) return zero(s);
  const x = exactOf(a);
  const y = exactOf(b);
  return roundToReg(s, x.sig * y.sig, x.e + y.e, ctx);
}

/** Left-justifies a significand so that bit 63 is set (exact; denormals become normal-shaped). */
function norm(sig: bigint, e: number): [bigint, number] {
  let n = 0;
  while (sig >> BigInt(63 - n) === 0n) n++;
  return [sig << BigInt(n), e - n];
}

export function div(a: F80, b: F80, ctx: Ctx): F80 {
  return fastDiv(a, b, ctx) ?? divExact(a, b, ctx);
}

/** The reference (BigInt) path of div. */
export function divExact(a: F80, b: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  const cb = classify(b);
  // Measured: a finite non-zero dividend over zero reports only ZE, never DE.
  const flagsBefore = ctx.flags;
  const special = screen2(a, ca, b, cb, ctx);
  // (The DE may also come from loading a denormal m32/m64 dividend, hence the unconditional clear.)
  if (!special && cb === Cls.Zero && ca !== Cls.Zero && ca !== Cls.Inf) ctx.flags = flagsBefore & ~DE;
  if (special) return special;
  if (ctx.aborted) return INDEFINITE;
  const s = (a.se ^ b.se) >>> 15;
  if (ca === Cls.Inf) return cb === Cls.Inf ? invalid(ctx) : infinity(s);
  if (cb === Cls.Inf) return zero(s);
  if (cb === Cls.Zero) {
    if (ca === Cls.Zero) return invalid(ctx);
    ctx.flags |= ZE;
    return infinity(s);
  }
  if (ca === Cls.Zero) return zero(s);
  const [xs, xe] = norm(exactOf(a).sig, exactOf(a).e);
  const [ys, ye] = norm(exactOf(b).sig, exactOf(b).e);
  const num = xs << 130n;
  const q = num / ys;
  const sticky = num - q * ys !== 0n ? 1n : 0n;
  return roundToReg(s, (q << 1n) | sticky, xe - ye - 131, ctx);
}

export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x - 1n && y <= x + 1n) {
      x = y;
      break;
    }
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

export function sqrt(a: F80, ctx: Ctx): F80 {
  return fastSqrt(a, ctx) ?? sqrtExact(a, ctx);
}

/** The reference (BigInt) path of sqrt. */
export function sqrtExact(a: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  if (ca === Cls.Unsupported) return invalid(ctx);
  if (isNaN80(ca)) {
    if (ca === Cls.SNaN) ctx.flags |= IE;
    return quiet(a);
  }
  if (ca === Cls.Zero) return a;
  // A negative operand is invalid before it can be a denormal operand.
  if (a.se & 0x8000) return invalid(ctx);
  if (ca === Cls.Denormal) ctx.flags |= DE;
  if (ctx.aborted) return INDEFINITE;
  if (ca === Cls.Inf) return a;
  let { sig, e } = exactOf(a);
  if (e & 1) {
    sig <<= 1n;
    e -= 1;
  }
  const n = sig << 140n;
  const r = isqrt(n);
  const sticky = r * r !== n ? 1n : 0n;
  return roundToReg(0, (r << 1n) | sticky, (e - 140) / 2 - 1, ctx);
}
