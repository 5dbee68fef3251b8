import type { Cpu } from '../cpu';
import { Seg } from '../constants';
import { raise, ud } from '../fault';
import { rd16, rd32, rd8, wr16, wr32, wr8 } from '../access';
import {
  decodeEA, getR8, readEb, readEbRmw, readEd, readEdRmw, readEw, readEwRmw, setR16, setR8, writeBackEb, writeBackEd,
  writeBackEw, writeEb, writeEv, writeEw,
} from '../modrm';
import { loadSeg } from '../segmentation';
import { pop16, pop32, push16, push32, pushV } from '../stack';
import type { Handler } from '../handler';

/** Data movement: MOV forms, XCHG, LEA, far pointer loads, PUSH/POP, PUSHA/POPA, sign extensions, XLAT. */

export const movEbGb: Handler = (c) => writeEb(c, getR8(c, (c.modrm >> 3) & 7));
export const movEwGw: Handler = (c) => writeEw(c, c.reg[(c.modrm >> 3) & 7]);
export const movEdGd: Handler = (c) => {
  const v = c.reg[(c.modrm >> 3) & 7];
  if (c.modrm >= 0xc0) c.reg[c.modrm & 7] = v;
  else {
    decodeEA(c);
    wr32(c, c.eaSeg, c.eaOff, v);
  }
};
export const movGbEb: Handler = (c) => setR8(c, (c.modrm >> 3) & 7, readEb(c));
export const movGwEw: Handler = (c) => setR16(c, (c.modrm >> 3) & 7, readEw(c));
export const movGdEd: Handler = (c) => {
  const m = c.modrm;
  if (m >= 0xc0) c.reg[(m >> 3) & 7] = c.reg[m & 7];
  else {
    decodeEA(c);
    c.reg[(m >> 3) & 7] = rd32(c, c.eaSeg, c.eaOff);
  }
};

export const movEbIb: Handler = (c) => {
  if (c.modrm < 0xc0) decodeEA(c);
  writeBackEb(c, c.fetch8());
};
export const movEwIw: Handler = (c) => {
  if (c.modrm < 0xc0) decodeEA(c);
  writeBackEw(c, c.fetch16());
};
export const movEdId: Handler = (c) => {
  if (c.modrm < 0xc0) decodeEA(c);
  writeBackEd(c, c.fetch32());
};

export const movRbIb: Handler = (c) => setR8(c, c.instrOp & 7, c.fetch8());
export const movRwIw: Handler = (c) => setR16(c, c.instrOp & 7, c.fetch16());
export const movRdId: Handler = (c) => {
  c.reg[c.instrOp & 7] = c.fetch32();
};

/** A0-A3: the offset has the address size; the segment defaults to DS. */
function moffs(c: Cpu): number {
  return c.asz ? c.fetch32() : c.fetch16();
}
function moffsSeg(c: Cpu): number {
  return c.segOvr >= 0 ? c.segOvr : Seg.DS;
}
export const movAlOb: Handler = (c) => {
  const o = moffs(c);
  setR8(c, 0, rd8(c, moffsSeg(c), o));
};
export const movAxOw: Handler = (c) => {
  const o = moffs(c);
  if (c.osz) c.reg[0] = rd32(c, moffsSeg(c), o);
  else setR16(c, 0, rd16(c, moffsSeg(c), o));
};
export const movObAl: Handler = (c) => {
  const o = moffs(c);
  wr8(c, moffsSeg(c), o, c.reg[0]);
};
export const movOwAx: Handler = (c) => {
  const o = moffs(c);
  if (c.osz) wr32(c, moffsSeg(c), o, c.reg[0]);
  else wr16(c, moffsSeg(c), o, c.reg[0]);
};

/** MOV Ev,Sw: a register destination gets the selector zero-extended (P6 behaviour for 32-bit operands). */
export const movEwSw: Handler = (c) => {
  const s = (c.modrm >> 3) & 7;
  if (s > 5) ud(c);
  const v = c.segSel[s];
  if (c.modrm >= 0xc0) {
    if (c.osz) c.reg[c.modrm & 7] = v;
    else setR16(c, c.modrm & 7, v);
  } else {
    decodeEA(c);
    wr16(c, c.eaSeg, c.eaOff, v);
  }
};

export const movSwEw: Handler = (c) => {
  const s = (c.modrm >> 3) & 7;
  if (s > 5 || s === Seg.CS) ud(c);
  const v = readEw(c);
  loadSeg(c, s, v);
  if (s === Seg.SS) {
    c.shadow = true;
    c.ssShadow = true;
    c.attn = true;
  }
};

export const lea: Handler = (c) => {
  if (c.modrm >= 0xc0) ud(c);
  decodeEA(c);
  const g = (c.modrm >> 3) & 7;
  if (c.osz) c.reg[g] = c.eaOff;
  else setR16(c, g, c.eaOff);
};

/** LDS/LES/LSS/LFS/LGS: offset then selector; the register changes only after the segment load succeeded. */
export function loadFarPtr(s: number): Handler {
  return (c) => {
    if (c.modrm >= 0xc0) ud(c);
    decodeEA(c);
    const off = c.osz ? rd32(c, c.eaSeg, c.eaOff) : rd16(c, c.eaSeg, c.eaOff);
    const sel = rd16(c, c.eaSeg, (c.eaOff + (c.osz ? 4 : 2)) | 0);
    loadSeg(c, s, sel);
    const g = (c.modrm >> 3) & 7;
    if (c.osz) c.reg[g] = off;
    else setR16(c, g, off);
    if (s === Seg.SS) {
      c.shadow = true;
      c.ssShadow = true;
      c.attn = true;
    }
  };
}

export const xchgEbGb: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  const v = readEbRmw(c);
  writeBackEb(c, getR8(c, g));
  setR8(c, g, v);
};
export const xchgEwGw: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  const v = readEwRmw(c);
  writeBackEw(c, c.reg[g]);
  setR16(c, g, v);
};
export const xchgEdGd: Handler = (c) => {
  const g = (c.modrm >> 3) & 7;
  const v = readEdRmw(c);
  writeBackEd(c, c.reg[g]);
  c.reg[g] = v;
};
export const xchgAxR: Handler = (c) => {
  const r = c.instrOp & 7;
  const v = c.reg[r];
  if (c.osz) {
    c.reg[r] = c.reg[0];
    c.reg[0] = v;
  } else {
    setR16(c, r, c.reg[0]);
    setR16(c, 0, v);
  }
};

export const nop: Handler = () => {};

/** 0F 1F /0 (NOPL) and the other reserved-NOP ModRM forms: decode the operand, touch nothing. */
export const nopEv: Handler = (c) => {
  if (c.modrm < 0xc0) decodeEA(c);
};

// ---- stack ----

export const pushR16: Handler = (c) => push16(c, c.reg[c.instrOp & 7]);
export const pushR32: Handler = (c) => push32(c, c.reg[c.instrOp & 7]);
export const popR16: Handler = (c) => setR16(c, c.instrOp & 7, pop16(c));
export const popR32: Handler = (c) => {
  const v = pop32(c);
  c.reg[c.instrOp & 7] = v;
};
export const pushIz: Handler = (c) => pushV(c, c.fetchImmV());
export const pushIb: Handler = (c) => pushV(c, (c.fetch8() << 24) >> 24);
export const pushEv: Handler = (c) => {
  if (c.osz) push32(c, readEd(c));
  else push16(c, readEw(c));
};

/** POP Ev: ESP is incremented before the destination address is computed (SDM). */
export const popEv: Handler = (c) => {
  const oldEsp = c.reg[4];
  const v = c.osz ? pop32(c) : pop16(c);
  try {
    writeEv(c, v);
  } catch (e) {
    c.reg[4] = oldEsp;
    throw e;
  }
};

export function pushSeg(s: number): Handler {
  return (c) => {
    if (c.osz) {
      // A 32-bit push of a segment register writes only the low word on P6 (upper half untouched)
      const esp = c.reg[4];
      const n = c.ss32 ? (esp - 4) | 0 : (esp - 4) & 0xffff;
      wr16(c, Seg.SS, n, c.segSel[s]);
      c.reg[4] = c.ss32 ? n : (esp & ~0xffff) | n;
    } else push16(c, c.segSel[s]);
  };
}

export function popSeg(s: number): Handler {
  return (c) => {
    const esp = c.reg[4];
    const v = c.osz ? pop32(c) : pop16(c);
    try {
      loadSeg(c, s, v & 0xffff);
    } catch (e) {
      c.reg[4] = esp;
      throw e;
    }
    if (s === Seg.SS) {
      c.shadow = true;
      c.ssShadow = true;
      c.attn = true;
    }
  };
}

export const pusha: Handler = (c) => {
  const sp = c.reg[4];
  try {
    for (let r = 0; r < 8; r++) {
      const v = r === 4 ? sp : c.reg[r];
      if (c.osz) push32(c, v);
      else push16(c, v);
    }
  } catch (e) {
    c.reg[4] = sp;
    throw e;
  }
};

export const popa: Handler = (c) => {
  const sp = c.reg[4];
  try {
    for (let r = 7; r >= 0; r--) {
      if (r === 4) {
        if (c.osz) pop32(c);
        else pop16(c);
        continue;
      }
      if (c.osz) c.reg[r] = pop32(c);
      else setR16(c, r, pop16(c));
    }
  } catch (e) {
    c.reg[4] = sp;
    throw e;
  }
};

// ---- conversions, XLAT, BOUND ----

export const cbw: Handler = (c) => {
  if (c.osz) c.reg[0] = (c.reg[0] << 16) >> 16;
  else setR16(c, 0, (c.reg[0] << 24) >> 24);
};

export const cwd: Handler = (c) => {
  if (c.osz) c.reg[2] = c.reg[0] >> 31;
  else setR16(c, 2, (c.reg[0] << 16) >> 31);
};

export const xlat: Handler = (c) => {
  const seg = c.segOvr >= 0 ? c.segOvr : Seg.DS;
  const off = c.asz ? (c.reg[3] + (c.reg[0] & 0xff)) | 0 : (c.reg[3] + (c.reg[0] & 0xff)) & 0xffff;
  setR8(c, 0, rd8(c, seg, off));
};

export const bound: Handler = (c) => {
  if (c.modrm >= 0xc0) ud(c);
  decodeEA(c);
  const g = (c.modrm >> 3) & 7;
  if (c.osz) {
    const lo = rd32(c, c.eaSeg, c.eaOff);
    const hi = rd32(c, c.eaSeg, (c.eaOff + 4) | 0);
    const v = c.reg[g];
    if (v < lo || v > hi) raise(c, 5);
  } else {
    const lo = (rd16(c, c.eaSeg, c.eaOff) << 16) >> 16;
    const hi = (rd16(c, c.eaSeg, (c.eaOff + 2) & (c.asz ? -1 : 0xffff)) << 16) >> 16;
    const v = (c.reg[g] << 16) >> 16;
    if (v < lo || v > hi) raise(c, 5);
  }
};
