import type { Cpu } from '../cpu';
import { F, Seg } from '../constants';
import { cond, zf } from '../flags';
import { gp } from '../fault';
import { rd16, rd32 } from '../access';
import { readEd, readEw, setR16 } from '../modrm';
import { addSp, pop16, pop32, push16, push32 } from '../stack';
import type { Handler } from '../handler';

/** Near control transfers. The target is checked against the CS limit before anything changes. */

export function jumpNear(c: Cpu, target: number): void {
  if (!c.osz) target &= 0xffff;
  // Staying inside the fetch window proves the CS limit check (the window never extends past the limit).
  if ((target - c.fEip) >>> 0 > c.fSpan && target >>> 0 > c.csHi) gp(c, 0);
  c.eip = target | 0;
}

/** ZF without a call: JE/JNE close most loops, so they get their own straight-line handlers. */
function zfSet(c: Cpu): boolean {
  return c.lzMask & F.ZF ? (c.lzRes & c.lzSize) === 0 : (c.flags & F.ZF) !== 0;
}

const je8: Handler = (c) => {
  const d = (c.fetch8() << 24) >> 24;
  if (zfSet(c)) jumpNear(c, c.eip + d);
};

const jne8: Handler = (c) => {
  const d = (c.fetch8() << 24) >> 24;
  if (!zfSet(c)) jumpNear(c, c.eip + d);
};

export function jcc8(cc: number): Handler {
  if (cc === 4) return je8;
  if (cc === 5) return jne8;
  return (c) => {
    const d = (c.fetch8() << 24) >> 24;
    if (cond(c, cc)) jumpNear(c, c.eip + d);
  };
}

const jeV: Handler = (c) => {
  const d = c.osz ? c.fetch32() : (c.fetch16() << 16) >> 16;
  if (zfSet(c)) jumpNear(c, c.eip + d);
};

const jneV: Handler = (c) => {
  const d = c.osz ? c.fetch32() : (c.fetch16() << 16) >> 16;
  if (!zfSet(c)) jumpNear(c, c.eip + d);
};

export function jccV(cc: number): Handler {
  if (cc === 4) return jeV;
  if (cc === 5) return jneV;
  return (c) => {
    const d = c.osz ? c.fetch32() : (c.fetch16() << 16) >> 16;
    if (cond(c, cc)) jumpNear(c, c.eip + d);
  };
}

export const jmp8: Handler = (c) => {
  const d = (c.fetch8() << 24) >> 24;
  jumpNear(c, c.eip + d);
};

export const jmpV: Handler = (c) => {
  const d = c.osz ? c.fetch32() : (c.fetch16() << 16) >> 16;
  jumpNear(c, c.eip + d);
};

function callTo(c: Cpu, target: number): void {
  if (!c.osz) target &= 0xffff;
  if (target >>> 0 > c.csHi) gp(c, 0);
  if (c.osz) push32(c, c.eip);
  else push16(c, c.eip);
  c.eip = target | 0;
}

export const callV: Handler = (c) => {
  const d = c.osz ? c.fetch32() : (c.fetch16() << 16) >> 16;
  callTo(c, c.eip + d);
};

export const callEv: Handler = (c) => {
  const t = c.osz ? readEd(c) : readEw(c);
  callTo(c, t);
};

export const jmpEv: Handler = (c) => {
  const t = c.osz ? readEd(c) : readEw(c);
  jumpNear(c, t);
};

function retNear(c: Cpu, extra: number): void {
  const t = c.osz ? peekRet32(c) : peekRet16(c);
  if (t >>> 0 > c.csHi) gp(c, 0);
  addSp(c, (c.osz ? 4 : 2) + extra);
  c.eip = t;
}

function peekRet32(c: Cpu): number {
  return rd32(c, Seg.SS, c.ss32 ? c.reg[4] : c.reg[4] & 0xffff);
}

function peekRet16(c: Cpu): number {
  return rd16(c, Seg.SS, c.ss32 ? c.reg[4] : c.reg[4] & 0xffff);
}

export const ret: Handler = (c) => retNear(c, 0);
export const retIw: Handler = (c) => retNear(c, c.fetch16());

// ---- LOOP family: the counter has the address size ----

function loopOp(kind: number): Handler {
  return (c) => {
    const d = (c.fetch8() << 24) >> 24;
    let count: number;
    if (c.asz) count = c.reg[1] = (c.reg[1] - 1) | 0;
    else {
      count = (c.reg[1] - 1) & 0xffff;
      c.reg[1] = (c.reg[1] & ~0xffff) | count;
    }
    let take = count !== 0;
    if (kind === 1) take = take && zf(c);
    else if (kind === 0) take = take && !zf(c);
    if (take) jumpNear(c, c.eip + d);
  };
}

export const loopne = loopOp(0);
export const loope = loopOp(1);
export const loop = loopOp(2);

export const jcxz: Handler = (c) => {
  const d = (c.fetch8() << 24) >> 24;
  const count = c.asz ? c.reg[1] : c.reg[1] & 0xffff;
  if (count === 0) jumpNear(c, c.eip + d);
};

// ---- ENTER / LEAVE ----

export const enter: Handler = (c) => {
  const alloc = c.fetch16();
  const level = c.fetch8() & 31;
  const esp0 = c.reg[4];
  const ebp0 = c.reg[5];
  try {
    const size = c.osz ? 4 : 2;
    const push = (v: number): void => (c.osz ? push32(c, v) : push16(c, v));
    push(c.reg[5]);
    const frame = c.reg[4];
    if (level > 0) {
      let bp = c.reg[5];
      for (let i = 1; i < level; i++) {
        bp = c.ss32 ? (bp - size) | 0 : (bp & ~0xffff) | ((bp - size) & 0xffff);
        const off = c.ss32 ? bp : bp & 0xffff;
        push(c.osz ? rd32(c, Seg.SS, off) : rd16(c, Seg.SS, off));
      }
      push(frame);
    }
    addSp(c, -alloc);
    if (c.osz) c.reg[5] = frame;
    else setR16(c, 5, frame);
  } catch (e) {
    c.reg[4] = esp0;
    c.reg[5] = ebp0;
    throw e;
  }
};

export const leave: Handler = (c) => {
  const esp0 = c.reg[4];
  if (c.ss32) c.reg[4] = c.reg[5];
  else c.reg[4] = (c.reg[4] & ~0xffff) | (c.reg[5] & 0xffff);
  try {
    if (c.osz) c.reg[5] = pop32(c);
    else setR16(c, 5, pop16(c));
  } catch (e) {
    c.reg[4] = esp0;
    throw e;
  }
};
