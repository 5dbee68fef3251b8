/** FRNDINT, FSCALE, FXTRACT, FPREM and FPREM1: exact operations (only FSCALE and FRNDINT can round). */
import { screen2 } from './arith';
import { roundToInteger } from './convert';
import { bitLen, classify, Cls, exactOf, F80, INDEFINITE, infinity, isNaN80, normExp, quiet, zero } from './f80';
import { FMT80, pack80, roundExact, Rounded } from './round';
import { C0, C1, C2, C3, Ctx, DE, IE, RC_NEAREST, ZE } from './status';

function invalid(ctx: Ctx): F80 {
  ctx.flags |= IE;
  return INDEFINITE;
}

/** Screens a single operand; returns the finished result for NaNs and unsupported formats. */
export function screen1(a: F80, ca: Cls, ctx: Ctx): F80 | null {
  if (ca === Cls.Unsupported) return invalid(ctx);
  if (isNaN80(ca)) {
    if (ca === Cls.SNaN) ctx.flags |= IE;
    return quiet(a);
  }
  if (ca === Cls.Denormal) ctx.flags |= DE;
  return null;
}

export function frndint(a: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  const s = screen1(a, ca, ctx);
  if (s) return s;
  if (ctx.aborted) return INDEFINITE;
  if (ca === Cls.Zero || ca === Cls.Inf) return a;
  const n = roundToInteger(a, ctx);
  if (n === 0n) return zero(a.se >>> 15);
  const sign = n < 0n ? 1 : 0;
  return pack80({ sign, q: sign ? -n : n, L: 0, inf: false });
}

export function fscale(a: F80, b: F80, ctx: Ctx): F80 {
  const ca = classify(a);
  const cb = classify(b);
  const s = screen2(a, ca, b, cb, ctx);
  if (s) return s;
  if (ctx.aborted) return INDEFINITE;
  const sa = a.se >>> 15;
  const sb = b.se >>> 15;
  if (cb === Cls.Inf) {
    if (ca === Cls.Zero) return sb ? a : invalid(ctx);
    if (ca === Cls.Inf) return sb ? invalid(ctx) : a;
    return sb ? zero(sa) : infinity(sa);
  }
  if (ca === Cls.Zero || ca === Cls.Inf) return a;
  // Any scale beyond +-2^17 overflows or underflows every operand; clamping keeps the BigInt small.
  const t = exactOf(b);
  let n = 0;
  if (t.sig !== 0n) {
    const E = t.e + bitLen(t.sig) - 1;
    const mag = E > 20 ? 1 << 20 : t.e >= 0 ? Number(t.sig) * 2 ** t.e : Number(t.sig >> BigInt(-t.e));
    n = sb ? -mag : mag;
  }
  const x = exactOf(a);
  return pack80(roundExact(sa, x.sig, x.e + n, FMT80, ctx) as Rounded);
}

/** FXTRACT: [exponent, significand]; the exponent replaces ST(0), then the significand is pushed. */
export function fxtract(a: F80, ctx: Ctx): [F80, F80] {
  const ca = classify(a);
  const s = screen1(a, ca, ctx);
  if (s) return [s, s];
  const sa = a.se >>> 15;
  if (ca === Cls.Zero) {
    ctx.flags |= ZE;
    return [infinity(1), a];
  }
  if (ca === Cls.Inf) return [infinity(0), a];
  const E = normExp(a);
  const x = exactOf(a);
  const sig = pack80({ sign: sa, q: x.sig, L: -(bitLen(x.sig) - 1), inf: false });
  const exp = E === 0 ? zero(0) : pack80({ sign: E < 0 ? 1 : 0, q: BigInt(Math.abs(E)), L: 0, inf: false });
  return [exp, sig];
}

/**
 * How far one FPREM/FPREM1 step reduces when the exponents differ by 64 or more: the SDM allows any N in
 * 32..63; real hardware (measured) uses N = 32 + (D mod 32), so that is what we do.
 */
export function premPartialN(D: number): number {
  return 32 + (D & 31);
}

/** FPREM (truncating) or FPREM1 (IEEE, round-to-nearest quotient). Returns the new ST(0) and condition codes. */
export function fprem(a: F80, b: F80, ieee: boolean, ctx: Ctx): { r: F80; cc: number } {
  const ca = classify(a);
  const cb = classify(b);
  // Invalid and NaN operands: C2 and C1 are cleared, C0 and C3 keep their values (cc = -1 says so).
  const before = ctx.flags;
  const s = screen2(a, ca, b, cb, ctx);
  if (s) return { r: s, cc: -1 };
  if (ca === Cls.Inf || cb === Cls.Zero) {
    // Measured: an invalid remainder does not also report a denormal operand.
    ctx.flags = before;
    return { r: invalid(ctx), cc: -1 };
  }
  if (ctx.aborted) return { r: INDEFINITE, cc: -1 };
  if (ca === Cls.Zero) return { r: a, cc: 0 };
  if (cb === Cls.Inf) {
    // ST(0) is the remainder, re-encoded like any result (measured: a pseudo-denormal comes back
    // normalized, a denormal with UE unmasked reports UE and comes back exponent-biased).
    const x = exactOf(a);
    return { r: pack80(roundExact(x.sign, x.sig, x.e, FMT80, ctx, RC_NEAREST) as Rounded), cc: 0 };
  }
  const sa = a.se >>> 15;
  const x = exactOf(a);
  const y = exactOf(b);
  const D = normExp(a) - normExp(b);
  const partial = D >= 64;
  const k = partial ? D - premPartialN(D) : 0;
  const m = Math.min(x.e, y.e + k);
  const X = x.sig << BigInt(x.e - m);
  const Y = y.sig << BigInt(y.e + k - m);
  let q = X / Y;
  let R = X - q * Y;
  if (ieee && !partial && (2n * R > Y || (2n * R === Y && (q & 1n) === 1n))) {
    q += 1n;
    R -= Y;
  }
  let cc = 0;
  if (partial) cc = C2;
  else {
    if (q & 4n) cc |= C0;
    if (q & 2n) cc |= C3;
    if (q & 1n) cc |= C1;
  }
  let r: F80;
  if (R === 0n) r = zero(sa);
  else {
    const rs = R < 0n ? sa ^ 1 : sa;
    r = pack80(roundExact(rs, R < 0n ? -R : R, m, FMT80, ctx, RC_NEAREST) as Rounded);
  }
  return { r, cc };
}
