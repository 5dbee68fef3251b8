/**
 * Fast paths in 32-bit limb arithmetic for the common case: normal operands and a normal result. They give
 * exactly the answers of the BigInt paths (round.ts, arith.ts, convert.ts), which remain the reference and
 * handle everything else (specials, denormals, overflow, underflow): each function returns null to say
 * "take the slow path" and touches `ctx` only on success.
 */
import { F80, f80 } from './f80';
import { Ctx, PE, RC_DOWN, RC_NEAREST, RC_UP } from './status';

// Result registers of roundSig (module scratch, so the hot path allocates nothing but the F80 result).
let rHi = 0;
let rLo = 0;
let rE = 0;
let rInexact = false;
let rUp = false;

/**
 * Rounds the 128-bit significand w3:w2:w1:w0 (bit 127 set) plus a sticky flag to p = 24, 53 or 64 bits,
 * leaving the 64-bit result in rHi:rLo and the exponent of its leading bit in rE.
 */
function roundSig(sign: number, w3: number, w2: number, w1: number, w0: number, sticky: number, E: number, p: number, rc: number): void {
  let hi: number;
  let lo: number;
  let roundBit: number;
  let rest: number;
  let lsb: number;
  if (p === 64) {
    hi = w3;
    lo = w2;
    roundBit = w1 >>> 31;
    rest = (w1 & 0x7fffffff) | w0 | sticky;
    lsb = lo & 1;
  } else if (p === 53) {
    hi = w3;
    lo = (w2 & 0xfffff800) >>> 0;
    roundBit = (w2 >>> 10) & 1;
    rest = (w2 & 0x3ff) | w1 | w0 | sticky;
    lsb = (lo >>> 11) & 1;
  } else {
    hi = (w3 & 0xffffff00) >>> 0;
    lo = 0;
    roundBit = (w3 >>> 7) & 1;
    rest = (w3 & 0x7f) | w2 | w1 | w0 | sticky;
    lsb = (hi >>> 8) & 1;
  }
  const inexact = (roundBit | rest) !== 0;
  let up = false;
  if (inexact) {
    if (rc === RC_NEAREST) up = roundBit === 1 && (rest !== 0 || lsb === 1);
    else if (rc === RC_UP) up = sign === 0;
    else if (rc === RC_DOWN) up = sign === 1;
  }
  if (up) {
    if (p === 24) hi += 0x100;
    else {
      lo += p === 64 ? 1 : 0x800;
      if (lo > 0xffffffff) {
        lo -= 0x100000000;
        hi += 1;
      }
    }
    if (hi > 0xffffffff) {
      hi = 0x80000000;
      lo = 0;
      E += 1;
    }
  }
  rHi = hi >>> 0;
  rLo = lo >>> 0;
  rE = E;
  rInexact = inexact;
  rUp = up;
}

function finish(sign: number, ctx: Ctx): F80 | null {
  const biased = rE + 16383;
  if (biased < 1 || biased > 0x7ffe) return null;
  if (rInexact) {
    ctx.flags |= PE;
    ctx.c1 = rUp ? 1 : 0;
  }
  return f80((sign << 15) | biased, rHi, rLo);
}

function isNormal(v: F80): boolean {
  const e = v.se & 0x7fff;
  return e !== 0 && e !== 0x7fff && v.hi >= 0x80000000;
}

/** a + b (b negated when `neg`) for normal operands with a normal, non-zero result. */
export function fastAdd(a: F80, b: F80, neg: boolean, ctx: Ctx): F80 | null {
  if (!isNormal(a) || !isNormal(b)) return null;
  let xs = a.se >>> 15;
  let ys = (b.se >>> 15) ^ (neg ? 1 : 0);
  let xe = a.se & 0x7fff;
  let ye = b.se & 0x7fff;
  let xh = a.hi;
  let xl = a.lo;
  let yh = b.hi;
  let yl = b.lo;
  if (ye > xe || (ye === xe && (yh > xh || (yh === xh && yl > xl)))) {
    [xs, ys, xe, ye, xh, yh, xl, yl] = [ys, xs, ye, xe, yh, xh, yl, xl];
  }
  const d = xe - ye;
  // y as 128 bits shifted right by d: limbs y3..y0 and a sticky for anything beyond bit 0.
  let y3 = yh;
  let y2 = yl;
  let y1 = 0;
  let y0 = 0;
  let sticky = 0;
  if (d >= 128) {
    y3 = y2 = 0;
    sticky = 1;
  } else if (d > 0) {
    let k = d >>> 5;
    const r = d & 31;
    while (k-- > 0) {
      sticky |= y0;
      y0 = y1;
      y1 = y2;
      y2 = y3;
      y3 = 0;
    }
    if (r) {
      sticky |= (y0 << (32 - r)) >>> 0;
      y0 = ((y0 >>> r) | (y1 << (32 - r))) >>> 0;
      y1 = ((y1 >>> r) | (y2 << (32 - r))) >>> 0;
      y2 = ((y2 >>> r) | (y3 << (32 - r))) >>> 0;
      y3 = y3 >>> r;
    }
    sticky = sticky ? 1 : 0;
  }
  let w3: number;
  let w2: number;
  let w1: number;
  let w0: number;
  let E = xe - 16383;
  if (xs === ys) {
    w0 = y0;
    let t = y1;
    w1 = t;
    t = xl + y2;
    w2 = t >>> 0;
    t = xh + y3 + (t > 0xffffffff ? 1 : 0);
    w3 = t >>> 0;
    if (t > 0xffffffff) {
      sticky |= w0 & 1;
      w0 = ((w0 >>> 1) | (w1 << 31)) >>> 0;
      w1 = ((w1 >>> 1) | (w2 << 31)) >>> 0;
      w2 = ((w2 >>> 1) | (w3 << 31)) >>> 0;
      w3 = ((w3 >>> 1) | 0x80000000) >>> 0;
      E += 1;
    }
  } else {
    // x - y - (sticky ? 1 unit : 0): the lost bits of y borrow one unit, the sticky keeps the result inexact.
    let t = 0 - y0 - sticky;
    w0 = t >>> 0;
    let borrow = t < 0 ? 1 : 0;
    t = 0 - y1 - borrow;
    w1 = t >>> 0;
    borrow = t < 0 ? 1 : 0;
    t = xl - y2 - borrow;
    w2 = t >>> 0;
    borrow = t < 0 ? 1 : 0;
    t = xh - y3 - borrow;
    w3 = t >>> 0;
    if ((w3 | w2 | w1 | w0) === 0 && sticky === 0) return null; // exact zero: sign rules on the slow path
    while (w3 === 0) {
      w3 = w2;
      w2 = w1;
      w1 = w0;
      w0 = 0;
      E -= 32;
    }
    const z = Math.clz32(w3);
    if (z) {
      w3 = ((w3 << z) | (w2 >>> (32 - z))) >>> 0;
      w2 = ((w2 << z) | (w1 >>> (32 - z))) >>> 0;
      w1 = ((w1 << z) | (w0 >>> (32 - z))) >>> 0;
      w0 = (w0 << z) >>> 0;
      E -= z;
    }
  }
  roundSig(xs, w3, w2, w1, w0, sticky, E, ctx.pcBits, ctx.rc);
  return finish(xs, ctx);
}

/** a * b for normal operands with a normal result. */
export function fastMul(a: F80, b: F80, ctx: Ctx): F80 | null {
  if (!isNormal(a) || !isNormal(b)) return null;
  const A0 = a.lo & 0xffff;
  const A1 = a.lo >>> 16;
  const A2 = a.hi & 0xffff;
  const A3 = a.hi >>> 16;
  const B0 = b.lo & 0xffff;
  const B1 = b.lo >>> 16;
  const B2 = b.hi & 0xffff;
  const B3 = b.hi >>> 16;
  // Column sums of 16x16-bit products stay below 2^35: exact in doubles.
  const c = [
    A0 * B0,
    A0 * B1 + A1 * B0,
    A0 * B2 + A1 * B1 + A2 * B0,
    A0 * B3 + A1 * B2 + A2 * B1 + A3 * B0,
    A1 * B3 + A2 * B2 + A3 * B1,
    A2 * B3 + A3 * B2,
    A3 * B3,
    0,
  ];
  let carry = 0;
  for (let k = 0; k < 8; k++) {
    const v = c[k] + carry;
    const digit = v % 0x10000;
    carry = (v - digit) / 0x10000;
    c[k] = digit;
  }
  let w0 = (c[0] | (c[1] << 16)) >>> 0;
  let w1 = (c[2] | (c[3] << 16)) >>> 0;
  let w2 = (c[4] | (c[5] << 16)) >>> 0;
  let w3 = (c[6] | (c[7] << 16)) >>> 0;
  let E = (a.se & 0x7fff) - 16383 + (b.se & 0x7fff) - 16383 + 1;
  if (w3 < 0x80000000) {
    w3 = ((w3 << 1) | (w2 >>> 31)) >>> 0;
    w2 = ((w2 << 1) | (w1 >>> 31)) >>> 0;
    w1 = ((w1 << 1) | (w0 >>> 31)) >>> 0;
    w0 = (w0 << 1) >>> 0;
    E -= 1;
  }
  const sign = (a.se ^ b.se) >>> 15;
  roundSig(sign, w3, w2, w1, w0, 0, E, ctx.pcBits, ctx.rc);
  return finish(sign, ctx);
}

/** FLD m64 of a normal double: a pure bit move. */
export function fastFromDouble(hi: number, lo: number): F80 | null {
  const exp = (hi >>> 20) & 0x7ff;
  if (exp === 0 || exp === 0x7ff) return null;
  return f80(((hi >>> 31) << 15) | (exp - 1023 + 16383), 0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21), lo << 11);
}

/** FLD m32 of a normal single. */
export function fastFromSingle(bits: number): F80 | null {
  const exp = (bits >>> 23) & 0xff;
  if (exp === 0 || exp === 0xff) return null;
  return f80(((bits >>> 31) << 15) | (exp - 127 + 16383), 0x80000000 | ((bits & 0x7fffff) << 8), 0);
}

/** FST m64/m32 of a normal register whose rounded value is a normal double/single. */
export function fastToIeee(v: F80, p: number, ctx: Ctx): number[] | null {
  if (!isNormal(v)) return null;
  const sign = v.se >>> 15;
  roundSig(sign, v.hi, v.lo, 0, 0, 0, (v.se & 0x7fff) - 16383, p, ctx.rc);
  const bias = p === 24 ? 127 : 1023;
  if (rE < 1 - bias || rE > bias) return null;
  if (rInexact) {
    ctx.flags |= PE;
    ctx.c1 = rUp ? 1 : 0;
  }
  if (p === 24) return [((sign << 31) | ((rE + 127) << 23) | ((rHi >>> 8) & 0x7fffff)) >>> 0];
  return [((sign << 31) | ((rE + 1023) << 20) | ((rHi >>> 11) & 0xfffff)) >>> 0, ((rHi << 21) | (rLo >>> 11)) >>> 0];
}

/** FILD of a 16- or 32-bit integer (any int32): exact, no BigInt. */
export function fastFromInt(n: number): F80 {
  if (n === 0) return f80(0, 0, 0);
  const sign = n < 0 ? 1 : 0;
  const m = Math.abs(n);
  const z = Math.clz32(m);
  // m < 2^31 except for -2^31, whose magnitude 2^31 still fits a uint32.
  return f80((sign << 15) | (16383 + 31 - z), (m * 2 ** z) >>> 0, 0);
}

/**
 * FIST/FISTP for normal registers below 2^31 in magnitude: rounds per RC and returns the integer, or null
 * (slow path) for anything else, including results outside the destination's range.
 */
export function fastToInt(v: F80, bits: number, ctx: Ctx): number | null {
  if (!isNormal(v)) return null;
  const E = (v.se & 0x7fff) - 16383;
  if (E > 30) return null;
  const sign = v.se >>> 15;
  let int: number;
  let roundBit: number;
  let rest: boolean;
  if (E < 0) {
    int = 0;
    roundBit = E === -1 ? 1 : 0;
    rest = E === -1 ? ((v.hi & 0x7fffffff) | v.lo) !== 0 : true;
  } else {
    int = v.hi >>> (31 - E);
    const frac = E === 31 ? 0 : (v.hi << (E + 1)) >>> 0;
    roundBit = frac >>> 31;
    rest = ((frac << 1) >>> 0 | v.lo) !== 0;
  }
  const inexact = roundBit === 1 || rest;
  let up = false;
  if (inexact) {
    const rc = ctx.rc;
    if (rc === RC_NEAREST) up = roundBit === 1 && (rest || (int & 1) === 1);
    else if (rc === RC_UP) up = sign === 0;
    else if (rc === RC_DOWN) up = sign === 1;
  }
  if (up) int += 1;
  const n = sign ? -int : int;
  const limit = bits === 16 ? 0x8000 : 0x80000000;
  if (n >= limit || n < -limit) return null;
  if (inexact) {
    ctx.flags |= PE;
    ctx.c1 = up ? 1 : 0;
  }
  return n;
}

/** Spreads a quotient/root q (msb at bit `msb`, msb <= 127) into the 128-bit limbs roundSig expects. */
function roundBig(sign: number, q: bigint, msb: number, sticky: number, E: number, ctx: Ctx): F80 | null {
  const v = q << BigInt(127 - msb);
  roundSig(
    sign,
    Number((v >> 96n) & 0xffffffffn),
    Number((v >> 64n) & 0xffffffffn),
    Number((v >> 32n) & 0xffffffffn),
    Number(v & 0xffffffffn),
    sticky,
    E,
    ctx.pcBits,
    ctx.rc,
  );
  return finish(sign, ctx);
}

/** a / b for normal operands with a normal result: one 130-by-64-bit BigInt division, limb rounding. */
export function fastDiv(a: F80, b: F80, ctx: Ctx): F80 | null {
  if (!isNormal(a) || !isNormal(b)) return null;
  const x = (BigInt(a.hi) << 32n) | BigInt(a.lo);
  const y = (BigInt(b.hi) << 32n) | BigInt(b.lo);
  const num = x << 66n;
  const q = num / y;
  const sticky = num === q * y ? 0 : 1;
  // x/y is in (1/2, 2): q has its leading bit at 66 (x >= y) or 65.
  const ge = x >= y;
  const E = (a.se & 0x7fff) - (b.se & 0x7fff) - (ge ? 0 : 1);
  return roundBig((a.se ^ b.se) >>> 15, q, ge ? 66 : 65, sticky, E, ctx);
}

/** sqrt of a positive normal: integer square root of the significand scaled to 132 or 133 bits. */
export function fastSqrt(a: F80, ctx: Ctx): F80 | null {
  if (!isNormal(a) || a.se & 0x8000) return null;
  const e = (a.se & 0x7fff) - 16383;
  // value = sig * 2^(e - 63); shift by s (68 or 69) so that e - 63 - s is even and the root exact in scale.
  const s = (e & 1) === 0 ? 69 : 68;
  const n = ((BigInt(a.hi) << 32n) | BigInt(a.lo)) << BigInt(s);
  let r = BigInt(Math.floor(Math.sqrt(Number(n))));
  r = (r + n / r) >> 1n;
  while (r * r > n) r -= 1n;
  while ((r + 1n) * (r + 1n) <= n) r += 1n;
  const sticky = r * r === n ? 0 : 1;
  // n is in [2^131, 2^133): r has its leading bit at 65 or 66.
  const msb = r >> 66n ? 66 : 65;
  return roundBig(0, r, msb, sticky, msb + (e - 63 - s) / 2, ctx);
}
