import type { Cpu } from '../cpu';
import { F } from '../constants';
import { LzOp, cf, setAdd, setLogic, setSub } from '../flags';
import {
  getR8, readEb, readEbRmw, readEd, readEdRmw, readEw, readEwRmw, setR8, setR16, writeBackEb, writeBackEd, writeBackEw,
} from '../modrm';
import type { Handler } from '../handler';

/**
 * ADD OR ADC SBB AND SUB XOR CMP (the ModRM reg / opcode bits 3-5 order); returns the result. Kept small so
 * V8 inlines it into every handler: the common cases are straight-line, carry-in ops go out of line.
 */
export function alu(c: Cpu, op: number, a: number, b: number, m: number): number {
  let r: number;
  if (op === 0) {
    r = (a + b) & m;
    c.lzOp = LzOp.ADD;
    c.lzA = a;
    c.lzB = b;
  } else if (op === 5 || op === 7) {
    r = (a - b) & m;
    c.lzOp = LzOp.SUB;
    c.lzA = a;
    c.lzB = b;
  } else if (op === 6) {
    r = (a ^ b) & m;
    c.lzOp = LzOp.LOGIC;
  } else if (op === 4) {
    r = a & b & m;
    c.lzOp = LzOp.LOGIC;
  } else if (op === 1) {
    r = (a | b) & m;
    c.lzOp = LzOp.LOGIC;
  } else return aluCarry(c, op, a, b, m);
  c.lzRes = r;
  c.lzSize = m;
  c.lzMask = F.ARITH;
  return r;
}

/** ADC and SBB: CF is computed eagerly since the lazy form cannot tell a carry-in from none. */
function aluCarry(c: Cpu, op: number, a: number, b: number, m: number): number {
  const ci = cf(c);
  let r: number;
  let carry: boolean;
  if (op === 2) {
    r = (a + b + ci) & m;
    setAdd(c, a, b, r, m);
    carry = ci ? (r >>> 0) <= ((a & m) >>> 0) : (r >>> 0) < ((a & m) >>> 0);
  } else {
    r = (a - b - ci) & m;
    setSub(c, a, b, r, m);
    carry = ci ? ((a & m) >>> 0) <= ((b & m) >>> 0) : ((a & m) >>> 0) < ((b & m) >>> 0);
  }
  c.lzMask = F.ARITH & ~F.CF;
  c.flags = (c.flags & ~F.CF) | (carry ? 1 : 0);
  return r;
}

export function inc(c: Cpu, a: number, m: number): number {
  const carry = cf(c);
  const r = (a + 1) & m;
  setAdd(c, a, 1, r, m);
  c.lzMask = F.ARITH & ~F.CF;
  c.flags = (c.flags & ~F.CF) | carry;
  return r;
}

export function dec(c: Cpu, a: number, m: number): number {
  const carry = cf(c);
  const r = (a - 1) & m;
  setSub(c, a, 1, r, m);
  c.lzMask = F.ARITH & ~F.CF;
  c.flags = (c.flags & ~F.CF) | carry;
  return r;
}

// ---- handler factories: one closure per ALU op and operand form ----
//
// Closures made by one function literal share their optimized code, in which `op` is a variable. The forms
// that dominate real code (ADD/CMP r/m32,imm8, CMP r/m8,imm8, XOR/ADD/CMP r/m32,r32) get literals of their
// own below, where `op` is a constant V8 folds through alu().

const addEdIb: Handler = (c) => {
  const m = c.modrm;
  if (m >= 0xc0) {
    c.reg[m & 7] = alu(c, 0, c.reg[m & 7], (c.fetch8() << 24) >> 24, -1);
    return;
  }
  const a = readEdRmw(c);
  writeBackEd(c, alu(c, 0, a, (c.fetch8() << 24) >> 24, -1));
};

const cmpEdIb: Handler = (c) => {
  const m = c.modrm;
  const a = m >= 0xc0 ? c.reg[m & 7] : readEd(c);
  alu(c, 7, a, (c.fetch8() << 24) >> 24, -1);
};

const cmpEbIb: Handler = (c) => {
  const a = readEb(c);
  alu(c, 7, a, c.fetch8(), 0xff);
};

function aluEdGdFor(op: number): Handler | null {
  if (op === 0) {
    return (c) => {
      const m = c.modrm;
      const src = c.reg[(m >> 3) & 7];
      if (m >= 0xc0) c.reg[m & 7] = alu(c, 0, c.reg[m & 7], src, -1);
      else writeBackEd(c, alu(c, 0, readEdRmw(c), src, -1));
    };
  }
  if (op === 6) {
    return (c) => {
      const m = c.modrm;
      const src = c.reg[(m >> 3) & 7];
      if (m >= 0xc0) c.reg[m & 7] = alu(c, 6, c.reg[m & 7], src, -1);
      else writeBackEd(c, alu(c, 6, readEdRmw(c), src, -1));
    };
  }
  if (op === 7) {
    return (c) => {
      const m = c.modrm;
      const src = c.reg[(m >> 3) & 7];
      alu(c, 7, m >= 0xc0 ? c.reg[m & 7] : readEd(c), src, -1);
    };
  }
  return null;
}

export function aluEbGb(op: number): Handler {
  return (c) => {
    const src = getR8(c, (c.modrm >> 3) & 7);
    const r = alu(c, op, op === 7 ? readEb(c) : readEbRmw(c), src, 0xff);
    if (op !== 7) writeBackEb(c, r);
  };
}

export function aluEwGw(op: number): Handler {
  return (c) => {
    const src = c.reg[(c.modrm >> 3) & 7] & 0xffff;
    const r = alu(c, op, op === 7 ? readEw(c) : readEwRmw(c), src, 0xffff);
    if (op !== 7) writeBackEw(c, r);
  };
}

export function aluEdGd(op: number): Handler {
  const own = aluEdGdFor(op);
  if (own !== null) return own;
  return (c) => {
    const m = c.modrm;
    const src = c.reg[(m >> 3) & 7];
    if (m >= 0xc0) {
      const r = alu(c, op, c.reg[m & 7], src, -1);
      if (op !== 7) c.reg[m & 7] = r;
      return;
    }
    const r = alu(c, op, op === 7 ? readEd(c) : readEdRmw(c), src, -1);
    if (op !== 7) writeBackEd(c, r);
  };
}

export function aluGbEb(op: number): Handler {
  return (c) => {
    const g = (c.modrm >> 3) & 7;
    const r = alu(c, op, getR8(c, g), readEb(c), 0xff);
    if (op !== 7) setR8(c, g, r);
  };
}

export function aluGwEw(op: number): Handler {
  return (c) => {
    const g = (c.modrm >> 3) & 7;
    const r = alu(c, op, c.reg[g] & 0xffff, readEw(c), 0xffff);
    if (op !== 7) setR16(c, g, r);
  };
}

export function aluGdEd(op: number): Handler {
  return (c) => {
    const m = c.modrm;
    const g = (m >> 3) & 7;
    const r = alu(c, op, c.reg[g], m >= 0xc0 ? c.reg[m & 7] : readEd(c), -1);
    if (op !== 7) c.reg[g] = r;
  };
}

export function aluAlIb(op: number): Handler {
  return (c) => {
    const r = alu(c, op, c.reg[0] & 0xff, c.fetch8(), 0xff);
    if (op !== 7) c.reg[0] = (c.reg[0] & ~0xff) | r;
  };
}

export function aluAxIw(op: number): Handler {
  return (c) => {
    const r = alu(c, op, c.reg[0] & 0xffff, c.fetch16(), 0xffff);
    if (op !== 7) c.reg[0] = (c.reg[0] & ~0xffff) | r;
  };
}

export function aluEaxId(op: number): Handler {
  return (c) => {
    const r = alu(c, op, c.reg[0], c.fetch32(), -1);
    if (op !== 7) c.reg[0] = r;
  };
}

/** Group 1 (80/82 Eb,Ib; 81 Ev,Iz; 83 Ev,Ib sign-extended). The immediate follows the displacement. */
export function grp1EbIb(op: number): Handler {
  if (op === 7) return cmpEbIb;
  return (c) => {
    const a = op === 7 ? readEb(c) : readEbRmw(c);
    const r = alu(c, op, a, c.fetch8(), 0xff);
    if (op !== 7) writeBackEb(c, r);
  };
}

export function grp1EwIw(op: number): Handler {
  return (c) => {
    const a = op === 7 ? readEw(c) : readEwRmw(c);
    const r = alu(c, op, a, c.fetch16(), 0xffff);
    if (op !== 7) writeBackEw(c, r);
  };
}

export function grp1EdId(op: number): Handler {
  return (c) => {
    const m = c.modrm;
    if (m >= 0xc0) {
      const r = alu(c, op, c.reg[m & 7], c.fetch32(), -1);
      if (op !== 7) c.reg[m & 7] = r;
      return;
    }
    const a = op === 7 ? readEd(c) : readEdRmw(c);
    const r = alu(c, op, a, c.fetch32(), -1);
    if (op !== 7) writeBackEd(c, r);
  };
}

export function grp1EwIb(op: number): Handler {
  return (c) => {
    const a = op === 7 ? readEw(c) : readEwRmw(c);
    const r = alu(c, op, a, ((c.fetch8() << 24) >> 24) & 0xffff, 0xffff);
    if (op !== 7) writeBackEw(c, r);
  };
}

export function grp1EdIb(op: number): Handler {
  if (op === 0) return addEdIb;
  if (op === 7) return cmpEdIb;
  return (c) => {
    const m = c.modrm;
    if (m >= 0xc0) {
      const r = alu(c, op, c.reg[m & 7], (c.fetch8() << 24) >> 24, -1);
      if (op !== 7) c.reg[m & 7] = r;
      return;
    }
    const a = op === 7 ? readEd(c) : readEdRmw(c);
    const r = alu(c, op, a, (c.fetch8() << 24) >> 24, -1);
    if (op !== 7) writeBackEd(c, r);
  };
}

// ---- INC/DEC/NOT/NEG/TEST ----

export const incR16: Handler = (c) => {
  const r = c.instrOp & 7;
  setR16(c, r, inc(c, c.reg[r] & 0xffff, 0xffff));
};
export const incR32: Handler = (c) => {
  const r = c.instrOp & 7;
  const a = c.reg[r];
  if (c.lzMask & F.CF) c.flags = (c.flags & ~F.CF) | cf(c);
  const v = (a + 1) | 0;
  c.reg[r] = v;
  c.lzOp = LzOp.ADD;
  c.lzA = a;
  c.lzB = 1;
  c.lzRes = v;
  c.lzSize = -1;
  c.lzMask = F.ARITH & ~F.CF;
};
export const decR16: Handler = (c) => {
  const r = c.instrOp & 7;
  setR16(c, r, dec(c, c.reg[r] & 0xffff, 0xffff));
};
export const decR32: Handler = (c) => {
  const r = c.instrOp & 7;
  const a = c.reg[r];
  // CF survives DEC: fold its current value into c.flags only if it is still lazy.
  if (c.lzMask & F.CF) c.flags = (c.flags & ~F.CF) | cf(c);
  const v = (a - 1) | 0;
  c.reg[r] = v;
  c.lzOp = LzOp.SUB;
  c.lzA = a;
  c.lzB = 1;
  c.lzRes = v;
  c.lzSize = -1;
  c.lzMask = F.ARITH & ~F.CF;
};

export const incEb: Handler = (c) => writeBackEb(c, inc(c, readEbRmw(c), 0xff));
export const decEb: Handler = (c) => writeBackEb(c, dec(c, readEbRmw(c), 0xff));
export const incEw: Handler = (c) => writeBackEw(c, inc(c, readEwRmw(c), 0xffff));
export const decEw: Handler = (c) => writeBackEw(c, dec(c, readEwRmw(c), 0xffff));
export const incEd: Handler = (c) => writeBackEd(c, inc(c, readEdRmw(c), -1));
export const decEd: Handler = (c) => writeBackEd(c, dec(c, readEdRmw(c), -1));

export const notEb: Handler = (c) => writeBackEb(c, ~readEbRmw(c) & 0xff);
export const notEw: Handler = (c) => writeBackEw(c, ~readEwRmw(c) & 0xffff);
export const notEd: Handler = (c) => writeBackEd(c, ~readEdRmw(c));

export const negEb: Handler = (c) => writeBackEb(c, alu(c, 5, 0, readEbRmw(c), 0xff));
export const negEw: Handler = (c) => writeBackEw(c, alu(c, 5, 0, readEwRmw(c), 0xffff));
export const negEd: Handler = (c) => writeBackEd(c, alu(c, 5, 0, readEdRmw(c), -1));

export const testEbGb: Handler = (c) => setLogic(c, readEb(c) & getR8(c, (c.modrm >> 3) & 7), 0xff);
export const testEwGw: Handler = (c) => setLogic(c, readEw(c) & c.reg[(c.modrm >> 3) & 7] & 0xffff, 0xffff);
export const testEdGd: Handler = (c) => setLogic(c, readEd(c) & c.reg[(c.modrm >> 3) & 7], -1);
export const testEbIb: Handler = (c) => {
  const a = readEb(c);
  setLogic(c, a & c.fetch8(), 0xff);
};
export const testEwIw: Handler = (c) => {
  const a = readEw(c);
  setLogic(c, a & c.fetch16(), 0xffff);
};
export const testEdId: Handler = (c) => {
  const a = readEd(c);
  setLogic(c, a & c.fetch32(), -1);
};
export const testAlIb: Handler = (c) => setLogic(c, c.reg[0] & c.fetch8() & 0xff, 0xff);
export const testAxIw: Handler = (c) => setLogic(c, c.reg[0] & c.fetch16() & 0xffff, 0xffff);
export const testEaxId: Handler = (c) => setLogic(c, c.reg[0] & c.fetch32(), -1);
