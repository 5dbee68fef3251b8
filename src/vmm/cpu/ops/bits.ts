import type { Cpu } from '../cpu';
import { F } from '../constants';
import { cond, freeze } from '../flags';
import { ud } from '../fault';
import { checkSegRange, probeWrite, rd16, rd32, wr16, wr32 } from '../access';
import {
  decodeEA, getR8, readEb, readEbRmw, readEd, readEdRmw, readEw, readEwRmw, rmwRd16, rmwRd32, setR16, writeBackEb,
  writeBackEd, writeBackEw, writeEb,
} from '../modrm';
import { alu } from './alu';
import type { Handler } from '../handler';

// ---- BT / BTS / BTR / BTC ----

/** op: 0 BT, 1 BTS, 2 BTR, 3 BTC. Sets CF; ZF stays, the other flags are undefined (left as they were). */
function bitOp(c: Cpu, op: number, v: number, bit: number): number {
  const mask = 1 << bit;
  freeze(c, F.ARITH);
  c.flags = (c.flags & ~F.CF) | ((v & mask) !== 0 ? 1 : 0);
  if (op === 1) return v | mask;
  if (op === 2) return v & ~mask;
  if (op === 3) return v ^ mask;
  return v;
}

/** BT* Ev,Gv: for memory, the bit offset is a signed index that can reach outside the addressed operand. */
function btEvGv(op: number, bits: 16 | 32): Handler {
  return (c) => {
    const g = c.reg[(c.modrm >> 3) & 7];
    if (c.modrm >= 0xc0) {
      const r = c.modrm & 7;
      if (bits === 32) {
        const v = bitOp(c, op, c.reg[r], g & 31);
        if (op) c.reg[r] = v;
      } else {
        const v = bitOp(c, op, c.reg[r] & 0xffff, g & 15);
        if (op) setR16(c, r, v);
      }
      return;
    }
    decodeEA(c);
    if (bits === 32) {
      let off = (c.eaOff + ((g >> 5) << 2)) | 0;
      if (!c.asz) off &= 0xffff;
      c.eaOff = off;
      const v = bitOp(c, op, op ? rmwRd32(c) : rd32(c, c.eaSeg, off), g & 31);
      if (op) wr32(c, c.eaSeg, off, v);
    } else {
      const gs = (g << 16) >> 16;
      let off = (c.eaOff + ((gs >> 4) << 1)) | 0;
      if (!c.asz) off &= 0xffff;
      c.eaOff = off;
      const v = bitOp(c, op, op ? rmwRd16(c) : rd16(c, c.eaSeg, off), gs & 15);
      if (op) wr16(c, c.eaSeg, off, v);
    }
  };
}

export const btEwGw = btEvGv(0, 16);
export const btsEwGw = btEvGv(1, 16);
export const btrEwGw = btEvGv(2, 16);
export const btcEwGw = btEvGv(3, 16);
export const btEdGd = btEvGv(0, 32);
export const btsEdGd = btEvGv(1, 32);
export const btrEdGd = btEvGv(2, 32);
export const btcEdGd = btEvGv(3, 32);

/** Group 8 (0F BA /4-/7): Ev,Ib; the immediate only selects a bit within the operand. */
export function btEvIb(op: number, bits: 16 | 32): Handler {
  return (c) => {
    if (bits === 32) {
      const v = op ? readEdRmw(c) : readEd(c);
      const r = bitOp(c, op, v, c.fetch8() & 31);
      if (op) writeBackEd(c, r);
    } else {
      const v = op ? readEwRmw(c) : readEw(c);
      const r = bitOp(c, op, v, c.fetch8() & 15);
      if (op) writeBackEw(c, r);
    }
  };
}

// ---- BSF / BSR: source 0 sets ZF and leaves the destination unchanged (as P6 and later do) ----

function bsx(reverse: boolean, bits: 16 | 32): Handler {
  return (c) => {
    const v = bits === 32 ? readEd(c) : readEw(c);
    freeze(c, F.ARITH);
    if (v === 0) {
      c.flags |= F.ZF;
      return;
    }
    c.flags &= ~F.ZF;
    const idx = reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v);
    const g = (c.modrm >> 3) & 7;
    if (bits === 32) c.reg[g] = idx;
    else setR16(c, g, idx);
  };
}

export const bsfGwEw = bsx(false, 16);
export const bsfGdEd = bsx(false, 32);
export const bsrGwEw = bsx(true, 16);
export const bsrGdEd = bsx(true, 32);

// ---- SETcc / CMOVcc ----

export function setcc(cc: number): Handler {
  return (c) => writeEb(c, cond(c, cc) ? 1 : 0);
}

/** CMOVcc reads its source (and can fault) whether or not the condition holds. */
export function cmovW(cc: number): Handler {
  return (c) => {
    const v = readEw(c);
    if (cond(c, cc)) setR16(c, (c.modrm >> 3) & 7, v);
  };
}

export function cmovD(cc: number): Handler {
  return (c) => {
    const v = readEd(c);
    if (cond(c, cc)) c.reg[(c.modrm >> 3) & 7] = v;
  };
}

// ---- BSWAP, MOVZX/MOVSX ----

export const bswap: Handler = (c) => {
  const r = c.instrOp & 7;
  const v = c.reg[r];
  if (c.osz) c.reg[r] = ((v >>> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
  else setR16(c, r, 0); // undefined for 16-bit operands; real CPUs zero the low word
};

export const movzxGvEb: Handler = (c) => {
  const v = readEb(c);
  const g = (c.modrm >> 3) & 7;
  if (c.osz) c.reg[g] = v;
  else setR16(c, g, v);
};
export const movzxGvEw: Handler = (c) => {
  const v = readEw(c);
  const g = (c.modrm >> 3) & 7;
  if (c.osz) c.reg[g] = v;
  else setR16(c, g, v);
};
export const movsxGvEb: Handler = (c) => {
  const v = (readEb(c) << 24) >> 24;
  const g = (c.modrm >> 3) & 7;
  if (c.osz) c.reg[g] = v;
  else setR16(c, g, v);
};
export const movsxGvEw: Handler = (c) => {
  const v = (readEw(c) << 16) >> 16;
  const g = (c.modrm >> 3) & 7;
  if (c.osz) c.reg[g] = v;
  else setR16(c, g, v);
};

// ---- XADD / CMPXCHG / CMPXCHG8B ----

export const xaddEbGb: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  const d = readEbRmw(c);
  const r = alu(c, 0, d, getR8(c, g), 0xff);
  writeBackEb(c, r);
  if (c.modrm >= 0xc0 && (c.modrm & 7) === g) return;
  if (g < 4) c.reg[g] = (c.reg[g] & ~0xff) | d;
  else c.reg[g - 4] = (c.reg[g - 4] & ~0xff00) | (d << 8);
};

export const xaddEwGw: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  const d = readEwRmw(c);
  const s = c.reg[g] & 0xffff;
  const r = alu(c, 0, d, s, 0xffff);
  if (c.modrm < 0xc0) {
    writeBackEw(c, r);
    setR16(c, g, d);
  } else {
    setR16(c, g, d);
    writeBackEw(c, r);
  }
};

export const xaddEdGd: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  const d = readEdRmw(c);
  const r = alu(c, 0, d, c.reg[g], -1);
  if (c.modrm < 0xc0) {
    writeBackEd(c, r);
    c.reg[g] = d;
  } else {
    c.reg[g] = d;
    writeBackEd(c, r);
  }
};

/** The destination is written either way (the old value when unequal), as the locked bus cycle does. */
export const cmpxchgEbGb: Handler = (c) => {
  const d = readEbRmw(c);
  alu(c, 7, c.reg[0] & 0xff, d, 0xff);
  if ((c.reg[0] & 0xff) === d) writeBackEb(c, getR8(c, (c.modrm >> 3) & 7));
  else {
    writeBackEb(c, d);
    c.reg[0] = (c.reg[0] & ~0xff) | d;
  }
};

export const cmpxchgEwGw: Handler = (c) => {
  const d = readEwRmw(c);
  alu(c, 7, c.reg[0] & 0xffff, d, 0xffff);
  if ((c.reg[0] & 0xffff) === d) writeBackEw(c, c.reg[(c.modrm >> 3) & 7]);
  else {
    writeBackEw(c, d);
    setR16(c, 0, d);
  }
};

export const cmpxchgEdGd: Handler = (c) => {
  const d = readEdRmw(c);
  alu(c, 7, c.reg[0], d, -1);
  if (c.reg[0] === d) writeBackEd(c, c.reg[(c.modrm >> 3) & 7]);
  else {
    writeBackEd(c, d);
    c.reg[0] = d;
  }
};

export const cmpxchg8b: Handler = (c) => {
  if (c.modrm >= 0xc0) ud(c);
  decodeEA(c);
  const s = c.eaSeg;
  const o = c.eaOff;
  const lo = rd32(c, s, o);
  const hi = rd32(c, s, (o + 4) | 0);
  // It always writes (the old value back on a mismatch): check the whole quadword for writing first, so a
  // fault on the second dword (another page, or the segment limit) leaves the first one untouched.
  probeWrite(c, checkSegRange(c, s, o, 8, true), 8);
  freeze(c, F.ARITH);
  if (lo === c.reg[0] && hi === c.reg[2]) {
    wr32(c, s, o, c.reg[3]);
    wr32(c, s, (o + 4) | 0, c.reg[1]);
    c.flags |= F.ZF;
  } else {
    wr32(c, s, o, lo);
    wr32(c, s, (o + 4) | 0, hi);
    c.reg[0] = lo;
    c.reg[2] = hi;
    c.flags &= ~F.ZF;
  }
};
