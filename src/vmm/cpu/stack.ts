import type { Cpu } from './cpu';
import { Seg } from './constants';
import { rd16, rd32, wr16, wr32 } from './access';

/** Stack pushes and pops honour SS.B (ESP vs SP). Memory is touched before ESP changes, so a fault is clean. */

export function push16(c: Cpu, v: number): void {
  const esp = c.reg[4];
  if (c.ss32) {
    const n = (esp - 2) | 0;
    wr16(c, Seg.SS, n, v);
    c.reg[4] = n;
  } else {
    const n = (esp - 2) & 0xffff;
    wr16(c, Seg.SS, n, v);
    c.reg[4] = (esp & ~0xffff) | n;
  }
}

export function push32(c: Cpu, v: number): void {
  const esp = c.reg[4];
  if (c.ss32) {
    const n = (esp - 4) | 0;
    wr32(c, Seg.SS, n, v);
    c.reg[4] = n;
  } else {
    const n = (esp - 4) & 0xffff;
    wr32(c, Seg.SS, n, v);
    c.reg[4] = (esp & ~0xffff) | n;
  }
}

export function pushV(c: Cpu, v: number): void {
  if (c.osz) push32(c, v);
  else push16(c, v);
}

export function pop16(c: Cpu): number {
  const esp = c.reg[4];
  if (c.ss32) {
    const v = rd16(c, Seg.SS, esp);
    c.reg[4] = (esp + 2) | 0;
    return v;
  }
  const v = rd16(c, Seg.SS, esp & 0xffff);
  c.reg[4] = (esp & ~0xffff) | ((esp + 2) & 0xffff);
  return v;
}

export function pop32(c: Cpu): number {
  const esp = c.reg[4];
  if (c.ss32) {
    const v = rd32(c, Seg.SS, esp);
    c.reg[4] = (esp + 4) | 0;
    return v;
  }
  const v = rd32(c, Seg.SS, esp & 0xffff);
  c.reg[4] = (esp & ~0xffff) | ((esp + 4) & 0xffff);
  return v;
}

export function popV(c: Cpu): number {
  return c.osz ? pop32(c) : pop16(c);
}

/** Reads the stack at ESP+`delta` without popping (for instructions that must check before committing). */
export function peek32(c: Cpu, delta: number): number {
  const off = c.ss32 ? (c.reg[4] + delta) | 0 : (c.reg[4] + delta) & 0xffff;
  return rd32(c, Seg.SS, off);
}

export function peek16(c: Cpu, delta: number): number {
  const off = c.ss32 ? (c.reg[4] + delta) | 0 : (c.reg[4] + delta) & 0xffff;
  return rd16(c, Seg.SS, off);
}

/** ESP after adding `delta` with the stack's width. */
export function addSp(c: Cpu, delta: number): void {
  const esp = c.reg[4];
  c.reg[4] = c.ss32 ? (esp + delta) | 0 : (esp & ~0xffff) | ((esp + delta) & 0xffff);
}
