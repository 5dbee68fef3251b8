import type { Cpu } from '../cpu';
import { F } from '../constants';
import { setResultEager } from '../flags';
import { raise } from '../fault';
import { readEb, readEd, readEw, setR16 } from '../modrm';
import type { Handler } from '../handler';

/**
 * MUL/IMUL/DIV/IDIV. 32x32->64 products are built from 16-bit halves (exact in doubles) and 64/32 division
 * is a shift-subtract loop, so nothing allocates (no BigInt). CF=OF per the SDM; SF ZF PF AF are undefined
 * and follow the low half of the result here.
 */

let hiOut = 0;

/** Unsigned 32x32: returns the low half, leaves the high half in hiOut. */
function mulu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  hiOut = (p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536)) | 0;
  return ((p00 & 0xffff) | (mid << 16)) | 0;
}

function muls32(a: number, b: number): number {
  const lo = mulu32(a, b);
  let hi = hiOut;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  hiOut = hi;
  return lo;
}

const OVF = F.CF | F.OF;

// ---- MUL / IMUL one-operand (F6/F7 /4 /5) ----

export const mulEb: Handler = (c) => {
  const r = (c.reg[0] & 0xff) * readEb(c);
  c.reg[0] = (c.reg[0] & ~0xffff) | r;
  setResultEager(c, r, 0xff, r > 0xff ? OVF : 0);
};

export const mulEw: Handler = (c) => {
  const r = (c.reg[0] & 0xffff) * readEw(c);
  setR16(c, 0, r);
  setR16(c, 2, r >>> 16);
  setResultEager(c, r, 0xffff, r > 0xffff ? OVF : 0);
};

export const mulEd: Handler = (c) => {
  const lo = mulu32(c.reg[0], readEd(c));
  c.reg[0] = lo;
  c.reg[2] = hiOut;
  setResultEager(c, lo, -1, hiOut !== 0 ? OVF : 0);
};

export const imulEb: Handler = (c) => {
  const r = ((c.reg[0] << 24) >> 24) * ((readEb(c) << 24) >> 24);
  c.reg[0] = (c.reg[0] & ~0xffff) | (r & 0xffff);
  setResultEager(c, r, 0xff, r !== (r << 24) >> 24 ? OVF : 0);
};

export const imulEw: Handler = (c) => {
  const r = ((c.reg[0] << 16) >> 16) * ((readEw(c) << 16) >> 16);
  setR16(c, 0, r);
  setR16(c, 2, r >> 16);
  setResultEager(c, r, 0xffff, r !== (r << 16) >> 16 ? OVF : 0);
};

export const imulEd: Handler = (c) => {
  const lo = muls32(c.reg[0], readEd(c));
  c.reg[0] = lo;
  c.reg[2] = hiOut;
  setResultEager(c, lo, -1, hiOut !== lo >> 31 ? OVF : 0);
};

// ---- IMUL two/three operand (0F AF, 69, 6B) ----

function imul16(c: Cpu, a: number, b: number): number {
  const r = ((a << 16) >> 16) * ((b << 16) >> 16);
  setResultEager(c, r, 0xffff, r !== (r << 16) >> 16 ? OVF : 0);
  return r & 0xffff;
}

function imul32(c: Cpu, a: number, b: number): number {
  const lo = muls32(a, b);
  setResultEager(c, lo, -1, hiOut !== lo >> 31 ? OVF : 0);
  return lo;
}

export const imulGwEw: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  setR16(c, g, imul16(c, c.reg[g], readEw(c)));
};
export const imulGdEd: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  c.reg[g] = imul32(c, c.reg[g], readEd(c));
};
export const imulGwEwIw: Handler = (c) => {
  const a = readEw(c);
  setR16(c, (c.modrm >> 3) & 7, imul16(c, a, c.fetch16()));
};
export const imulGdEdId: Handler = (c) => {
  const a = readEd(c);
  c.reg[(c.modrm >> 3) & 7] = imul32(c, a, c.fetch32());
};
export const imulGwEwIb: Handler = (c) => {
  const a = readEw(c);
  setR16(c, (c.modrm >> 3) & 7, imul16(c, a, (c.fetch8() << 24) >> 24));
};
export const imulGdEdIb: Handler = (c) => {
  const a = readEd(c);
  c.reg[(c.modrm >> 3) & 7] = imul32(c, a, (c.fetch8() << 24) >> 24);
};

// ---- DIV / IDIV ----

export const divEb: Handler = (c) => {
  const d = readEb(c);
  if (d === 0) raise(c, 0);
  const n = c.reg[0] & 0xffff;
  const q = Math.floor(n / d);
  if (q > 0xff) raise(c, 0);
  c.reg[0] = (c.reg[0] & ~0xffff) | ((n % d) << 8) | q;
};

export const divEw: Handler = (c) => {
  const d = readEw(c);
  if (d === 0) raise(c, 0);
  const n = ((c.reg[2] & 0xffff) << 16 | (c.reg[0] & 0xffff)) >>> 0;
  const q = Math.floor(n / d);
  if (q > 0xffff) raise(c, 0);
  setR16(c, 0, q);
  setR16(c, 2, n % d);
};

let remOut = 0;

/** Unsigned 64/32 with hi < d (so the quotient fits 32 bits); remainder in remOut. */
function divu64(hi: number, lo: number, d: number): number {
  if (hi === 0) {
    remOut = lo % d;
    return Math.floor(lo / d);
  }
  let rem = hi;
  let q = 0;
  for (let i = 31; i >= 0; i--) {
    rem = rem * 2 + ((lo >>> i) & 1);
    q *= 2;
    if (rem >= d) {
      rem -= d;
      q += 1;
    }
  }
  remOut = rem;
  return q;
}

export const divEd: Handler = (c) => {
  const d = readEd(c) >>> 0;
  if (d === 0) raise(c, 0);
  const hi = c.reg[2] >>> 0;
  if (hi >= d) raise(c, 0);
  const q = divu64(hi, c.reg[0] >>> 0, d);
  c.reg[0] = q | 0;
  c.reg[2] = remOut | 0;
};

export const idivEb: Handler = (c) => {
  const d = (readEb(c) << 24) >> 24;
  if (d === 0) raise(c, 0);
  const n = (c.reg[0] << 16) >> 16;
  const q = Math.trunc(n / d);
  if (q > 127 || q < -128) raise(c, 0);
  c.reg[0] = (c.reg[0] & ~0xffff) | (((n % d) & 0xff) << 8) | (q & 0xff);
};

export const idivEw: Handler = (c) => {
  const d = (readEw(c) << 16) >> 16;
  if (d === 0) raise(c, 0);
  const n = ((c.reg[2] & 0xffff) << 16) | (c.reg[0] & 0xffff);
  const q = Math.trunc(n / d);
  if (q > 32767 || q < -32768) raise(c, 0);
  setR16(c, 0, q);
  setR16(c, 2, n % d);
};

export const idivEd: Handler = (c) => {
  const d = readEd(c);
  if (d === 0) raise(c, 0);
  let hi = c.reg[2];
  let lo = c.reg[0];
  const neg = hi < 0;
  if (neg) {
    // 64-bit two's complement negate
    lo = (~lo + 1) | 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
  const ad = Math.abs(d);
  if (hi >>> 0 >= ad) raise(c, 0);
  const q = divu64(hi >>> 0, lo >>> 0, ad);
  const qneg = neg !== d < 0;
  if (qneg ? q > 0x80000000 : q > 0x7fffffff) raise(c, 0);
  c.reg[0] = (qneg ? -q : q) | 0;
  c.reg[2] = (neg ? -remOut : remOut) | 0;
};
