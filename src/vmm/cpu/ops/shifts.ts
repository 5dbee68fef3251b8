import type { Cpu } from '../cpu';
import { F } from '../constants';
import { cf, freeze, setResultEager } from '../flags';
import { rd16, rd32, rd8 } from '../access';
import { decodeEA, getR8, rmwRd16, rmwRd32, rmwRd8, writeBackEb, writeBackEd, writeBackEw } from '../modrm';
import type { Handler } from '../handler';

/**
 * Group 2 shifts and rotates, SHLD/SHRD. Counts are masked to 5 bits; a zero count changes nothing (not even
 * flags). Rotates only touch CF and OF. OF is computed for every count with the count-1 formula (the SDM
 * leaves it undefined for larger counts).
 */

function rotFlags(c: Cpu, carry: number, overflow: boolean): void {
  freeze(c, F.ARITH);
  c.flags = (c.flags & ~(F.CF | F.OF)) | carry | (overflow ? F.OF : 0);
}

/** op: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL(=SHL) 7 SAR; bits = 8/16/32. Returns the new value. */
export function shift(c: Cpu, op: number, x: number, count: number, bits: number): number {
  count &= 0x1f;
  if (count === 0) return x;
  const m = bits === 32 ? -1 : (1 << bits) - 1;
  const top = bits - 1;
  switch (op) {
    case 0: {
      const n = count & top;
      const r = n === 0 ? x : ((x << n) | ((x & m) >>> (bits - n))) & m;
      const carry = r & 1;
      rotFlags(c, carry, ((r >>> top) & 1) !== carry);
      return r;
    }
    case 1: {
      const n = count & top;
      const r = n === 0 ? x : (((x & m) >>> n) | (x << (bits - n))) & m;
      const msb = (r >>> top) & 1;
      rotFlags(c, msb, msb !== ((r >>> (top - 1)) & 1));
      return r;
    }
    case 2: {
      const n = bits === 32 ? count : count % (bits + 1);
      if (n === 0) return x;
      let v = x & m;
      let carry = cf(c);
      for (let i = 0; i < n; i++) {
        const out = (v >>> top) & 1;
        v = ((v << 1) | carry) & m;
        carry = out;
      }
      rotFlags(c, carry, ((v >>> top) & 1) !== carry);
      return v;
    }
    case 3: {
      const n = bits === 32 ? count : count % (bits + 1);
      if (n === 0) return x;
      let v = x & m;
      let carry = cf(c);
      for (let i = 0; i < n; i++) {
        const out = v & 1;
        v = ((v >>> 1) | (carry << top)) & m;
        carry = out;
      }
      rotFlags(c, carry, ((v >>> top) & 1) !== ((v >>> (top - 1)) & 1));
      return v;
    }
    case 4:
    case 6: {
      const r = (x << count) & m;
      const carry = count <= bits ? (x >>> (bits - count)) & 1 : 0;
      setResultEager(c, r, m, carry | (((r >>> top) & 1) !== carry ? F.OF : 0));
      return r;
    }
    case 5: {
      const v = x & m;
      const r = v >>> count;
      const carry = (v >>> (count - 1)) & 1;
      setResultEager(c, r, m, carry | ((v >>> top) & 1 ? F.OF : 0));
      return r;
    }
    default: {
      const sx = (x << (32 - bits)) >> (32 - bits);
      const r = (sx >> count) & m;
      const carry = (sx >> (count - 1)) & 1;
      setResultEager(c, r, m, carry);
      return r;
    }
  }
}

/** Count sources: 1 (D0/D1), CL (D2/D3), imm8 (C0/C1, fetched after the displacement). */
export function grp2Eb(op: number, src: 0 | 1 | 2): Handler {
  return (c) => {
    const m = c.modrm;
    if (m < 0xc0) decodeEA(c);
    const n = src === 0 ? 1 : src === 1 ? c.reg[1] : c.fetch8();
    // Read for writing (see rmwLin) unless the count is zero, which writes nothing.
    const x = m >= 0xc0 ? getR8(c, m & 7) : (n & 0x1f) !== 0 ? rmwRd8(c) : rd8(c, c.eaSeg, c.eaOff);
    if ((n & 0x1f) !== 0) writeBackEb(c, shift(c, op, x, n, 8));
  };
}

export function grp2Ew(op: number, src: 0 | 1 | 2): Handler {
  return (c) => {
    const m = c.modrm;
    if (m < 0xc0) decodeEA(c);
    const n = src === 0 ? 1 : src === 1 ? c.reg[1] : c.fetch8();
    // Read for writing (see rmwLin) unless the count is zero, which writes nothing.
    const x = m >= 0xc0 ? c.reg[m & 7] & 0xffff : (n & 0x1f) !== 0 ? rmwRd16(c) : rd16(c, c.eaSeg, c.eaOff);
    if ((n & 0x1f) !== 0) writeBackEw(c, shift(c, op, x, n, 16));
  };
}

export function grp2Ed(op: number, src: 0 | 1 | 2): Handler {
  return (c) => {
    const m = c.modrm;
    if (m < 0xc0) decodeEA(c);
    const n = src === 0 ? 1 : src === 1 ? c.reg[1] : c.fetch8();
    // Read for writing (see rmwLin) unless the count is zero, which writes nothing.
    const x = m >= 0xc0 ? c.reg[m & 7] : (n & 0x1f) !== 0 ? rmwRd32(c) : rd32(c, c.eaSeg, c.eaOff);
    if ((n & 0x1f) !== 0) writeBackEd(c, shift(c, op, x, n, 32));
  };
}

// ---- SHLD / SHRD ----

function shld(c: Cpu, dst: number, src: number, count: number, bits: number): number {
  const m = bits === 32 ? -1 : 0xffff;
  let r: number;
  let carry: number;
  if (bits === 32) {
    r = (dst << count) | (src >>> (32 - count));
    carry = (dst >>> (32 - count)) & 1;
  } else {
    // 16-bit counts above 16 are undefined; model the 48-bit dst:src:dst funnel the P6 uses.
    const wide = ((dst & 0xffff) * 0x100000000) + ((src & 0xffff) * 0x10000) + (dst & 0xffff);
    const shifted = Math.floor(wide / 2 ** (48 - 16 - count)) % 0x10000;
    r = shifted & 0xffff;
    carry = Math.floor(wide / 2 ** (48 - count)) & 1;
  }
  r &= m;
  const of = ((r ^ dst) >>> (bits - 1)) & 1;
  setResultEager(c, r, m, carry | (of ? F.OF : 0));
  return r;
}

function shrd(c: Cpu, dst: number, src: number, count: number, bits: number): number {
  const m = bits === 32 ? -1 : 0xffff;
  let r: number;
  let carry: number;
  if (bits === 32) {
    r = (dst >>> count) | (src << (32 - count));
    carry = (dst >>> (count - 1)) & 1;
  } else {
    const wide = ((dst & 0xffff) * 0x100000000) + ((src & 0xffff) * 0x10000) + (dst & 0xffff);
    r = Math.floor(wide / 2 ** count) & 0xffff;
    carry = Math.floor(wide / 2 ** (count - 1)) & 1;
  }
  r &= m;
  const of = ((r ^ dst) >>> (bits - 1)) & 1;
  setResultEager(c, r, m, carry | (of ? F.OF : 0));
  return r;
}

function dshift(left: boolean, bits: 16 | 32, imm: boolean): Handler {
  return (c) => {
    const m = c.modrm;
    if (m < 0xc0) decodeEA(c);
    const n = (imm ? c.fetch8() : c.reg[1]) & 0x1f;
    const x = m >= 0xc0 ? (bits === 16 ? c.reg[m & 7] & 0xffff : c.reg[m & 7])
      : bits === 16 ? (n !== 0 ? rmwRd16(c) : rd16(c, c.eaSeg, c.eaOff)) : n !== 0 ? rmwRd32(c) : rd32(c, c.eaSeg, c.eaOff);
    const src = c.reg[(m >> 3) & 7];
    if (n === 0) return;
    const r = left ? shld(c, x, src, n, bits) : shrd(c, x, src, n, bits);
    if (bits === 16) writeBackEw(c, r);
    else writeBackEd(c, r);
  };
}

export const shldEwGwIb = dshift(true, 16, true);
export const shldEdGdIb = dshift(true, 32, true);
export const shldEwGwCl = dshift(true, 16, false);
export const shldEdGdCl = dshift(true, 32, false);
export const shrdEwGwIb = dshift(false, 16, true);
export const shrdEdGdIb = dshift(false, 32, true);
export const shrdEwGwCl = dshift(false, 16, false);
export const shrdEdGdCl = dshift(false, 32, false);
