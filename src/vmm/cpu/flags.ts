import type { Cpu } from './cpu';
import { F } from './constants';

/**
 * Lazy arithmetic flags. An ALU instruction records its kind, operands, result and size mask; a flag is only
 * computed when something reads it (Jcc, PUSHF, ADC...). `c.lzMask` says which of the six arithmetic flags
 * come from the recorded operation; the others are in `c.flags`. Most flag results are overwritten before
 * anything reads them, so this saves the work for almost every instruction.
 */
export const enum LzOp {
  ADD = 0,
  SUB = 1,
  LOGIC = 2,
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b; b >>= 1) p ^= b & 1;
  PARITY[i] = p ? F.PF : 0;
}

export function setAdd(c: Cpu, a: number, b: number, r: number, m: number): void {
  c.lzOp = LzOp.ADD;
  c.lzA = a;
  c.lzB = b;
  c.lzRes = r;
  c.lzSize = m;
  c.lzMask = F.ARITH;
}

export function setSub(c: Cpu, a: number, b: number, r: number, m: number): void {
  c.lzOp = LzOp.SUB;
  c.lzA = a;
  c.lzB = b;
  c.lzRes = r;
  c.lzSize = m;
  c.lzMask = F.ARITH;
}

/** Result-only flags (ZF SF PF), with CF OF AF cleared: logic ops, and the base for shifts. */
export function setLogic(c: Cpu, r: number, m: number): void {
  c.lzOp = LzOp.LOGIC;
  c.lzRes = r;
  c.lzSize = m;
  c.lzMask = F.ARITH;
}

/** Sets ZF SF PF lazily from `r` and takes CF OF AF from `eager` (only those three bits of it are used). */
export function setResultEager(c: Cpu, r: number, m: number, eager: number): void {
  c.lzOp = LzOp.LOGIC;
  c.lzRes = r;
  c.lzSize = m;
  c.lzMask = F.ZF | F.SF | F.PF;
  c.flags = (c.flags & ~(F.CF | F.OF | F.AF)) | (eager & (F.CF | F.OF | F.AF));
}

/** Freezes the current value of `bits` into c.flags, so the next lazy op can replace the others only. */
export function freeze(c: Cpu, bits: number): void {
  const lz = c.lzMask & bits;
  if (lz === 0) return;
  c.flags = (c.flags & ~lz) | (computeLazy(c) & lz);
  c.lzMask &= ~lz;
}

export function computeLazy(c: Cpu): number {
  const m = c.lzSize;
  const r = c.lzRes & m;
  const sign = (m >>> 1) + 1;
  let out = PARITY[r & 0xff];
  if (r === 0) out |= F.ZF;
  if (r & sign) out |= F.SF;
  const op = c.lzOp;
  if (op === LzOp.ADD) {
    const a = c.lzA, b = c.lzB;
    if ((r >>> 0) < ((a & m) >>> 0)) out |= F.CF;
    if ((a ^ r) & (b ^ r) & sign) out |= F.OF;
    out |= (a ^ b ^ r) & F.AF;
  } else if (op === LzOp.SUB) {
    const a = c.lzA, b = c.lzB;
    if (((a & m) >>> 0) < ((b & m) >>> 0)) out |= F.CF;
    if ((a ^ b) & (a ^ r) & sign) out |= F.OF;
    out |= (a ^ b ^ r) & F.AF;
  }
  return out;
}

/** The full EFLAGS value. */
export function getFlags(c: Cpu): number {
  const lz = c.lzMask;
  if (lz === 0) return c.flags;
  return (c.flags & ~lz) | (computeLazy(c) & lz);
}

/** Replaces the arithmetic flags (all six) from `v`; system bits are untouched. */
export function setArith(c: Cpu, v: number): void {
  c.flags = (c.flags & ~F.ARITH) | (v & F.ARITH);
  c.lzMask = 0;
}

export function cf(c: Cpu): number {
  if ((c.lzMask & F.CF) === 0) return c.flags & F.CF;
  const m = c.lzSize;
  const op = c.lzOp;
  if (op === LzOp.ADD) return ((c.lzRes & m) >>> 0) < ((c.lzA & m) >>> 0) ? 1 : 0;
  if (op === LzOp.SUB) return ((c.lzA & m) >>> 0) < ((c.lzB & m) >>> 0) ? 1 : 0;
  return 0;
}

export function zf(c: Cpu): boolean {
  if ((c.lzMask & F.ZF) === 0) return (c.flags & F.ZF) !== 0;
  return (c.lzRes & c.lzSize) === 0;
}

export function sf(c: Cpu): boolean {
  if ((c.lzMask & F.SF) === 0) return (c.flags & F.SF) !== 0;
  const m = c.lzSize;
  return (c.lzRes & ((m >>> 1) + 1)) !== 0;
}

export function of(c: Cpu): boolean {
  if ((c.lzMask & F.OF) === 0) return (c.flags & F.OF) !== 0;
  const m = c.lzSize;
  const sign = (m >>> 1) + 1;
  const a = c.lzA, b = c.lzB, r = c.lzRes;
  const op = c.lzOp;
  if (op === LzOp.ADD) return ((a ^ r) & (b ^ r) & sign) !== 0;
  if (op === LzOp.SUB) return ((a ^ b) & (a ^ r) & sign) !== 0;
  return false;
}

export function pf(c: Cpu): boolean {
  if ((c.lzMask & F.PF) === 0) return (c.flags & F.PF) !== 0;
  return PARITY[c.lzRes & 0xff] !== 0;
}

export function af(c: Cpu): number {
  if ((c.lzMask & F.AF) === 0) return c.flags & F.AF;
  if (c.lzOp === LzOp.LOGIC) return 0;
  return (c.lzA ^ c.lzB ^ c.lzRes) & F.AF;
}

export function parityOf(v: number): number {
  return PARITY[v & 0xff];
}

/** Condition codes 0-15 as encoded in Jcc/SETcc/CMOVcc. */
export function cond(c: Cpu, cc: number): boolean {
  switch (cc) {
    case 0: return of(c);
    case 1: return !of(c);
    case 2: return cf(c) !== 0;
    case 3: return cf(c) === 0;
    case 4: return zf(c);
    case 5: return !zf(c);
    case 6: return cf(c) !== 0 || zf(c);
    case 7: return cf(c) === 0 && !zf(c);
    case 8: return sf(c);
    case 9: return !sf(c);
    case 10: return pf(c);
    case 11: return !pf(c);
    case 12: return sf(c) !== of(c);
    case 13: return sf(c) === of(c);
    case 14: return zf(c) || sf(c) !== of(c);
    default: return !zf(c) && sf(c) === of(c);
  }
}
