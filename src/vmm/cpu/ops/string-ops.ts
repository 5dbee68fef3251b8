import type { Cpu } from '../cpu';
import { F, Seg } from '../constants';
import { rd16, rd32, rd8, wr16, wr32, wr8 } from '../access';
import { alu } from './alu';
import { zf } from '../flags';
import { checkIoPermission, ioRead, ioWrite } from './io';
import type { Handler } from '../handler';

/**
 * String instructions. A REP runs in slices of REP_SLICE iterations; if the count is not exhausted the
 * instruction restarts (EIP back at its start), so interrupts, the pause flag and the budget get a look in,
 * exactly as a real CPU lets interrupts in between iterations. Registers are updated every iteration so a
 * fault leaves a restartable state.
 */
const REP_SLICE = 1024;

export const enum StrKind {
  MOVS = 0,
  CMPS = 1,
  STOS = 2,
  LODS = 3,
  SCAS = 4,
  INS = 5,
  OUTS = 6,
}

function read(c: Cpu, s: number, off: number, size: number): number {
  return size === 1 ? rd8(c, s, off) : size === 2 ? rd16(c, s, off) : rd32(c, s, off);
}

function write(c: Cpu, s: number, off: number, size: number, v: number): void {
  if (size === 1) wr8(c, s, off, v);
  else if (size === 2) wr16(c, s, off, v);
  else wr32(c, s, off, v);
}

function setAcc(c: Cpu, size: number, v: number): void {
  if (size === 1) c.reg[0] = (c.reg[0] & ~0xff) | (v & 0xff);
  else if (size === 2) c.reg[0] = (c.reg[0] & ~0xffff) | (v & 0xffff);
  else c.reg[0] = v;
}

/** One iteration; returns false when a REPE/REPNE condition ends the loop. */
function once(c: Cpu, kind: StrKind, size: number): void {
  const a32 = c.asz;
  const am = a32 ? -1 : 0xffff;
  const delta = c.flags & F.DF ? -size : size;
  const src = c.segOvr >= 0 ? c.segOvr : Seg.DS;
  const si = c.reg[6] & am;
  const di = c.reg[7] & am;
  const m = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  switch (kind) {
    case StrKind.MOVS:
      write(c, Seg.ES, di, size, read(c, src, si, size));
      stepSi(c, delta);
      stepDi(c, delta);
      return;
    case StrKind.CMPS: {
      const a = read(c, src, si, size);
      const b = read(c, Seg.ES, di, size);
      alu(c, 7, a, b, m);
      stepSi(c, delta);
      stepDi(c, delta);
      return;
    }
    case StrKind.STOS:
      write(c, Seg.ES, di, size, c.reg[0]);
      stepDi(c, delta);
      return;
    case StrKind.LODS:
      setAcc(c, size, read(c, src, si, size));
      stepSi(c, delta);
      return;
    case StrKind.SCAS:
      alu(c, 7, c.reg[0] & m, read(c, Seg.ES, di, size), m);
      stepDi(c, delta);
      return;
    case StrKind.INS: {
      // Probe the destination before the port read: a fault must not lose device data.
      write(c, Seg.ES, di, size, read(c, Seg.ES, di, size));
      write(c, Seg.ES, di, size, ioRead(c, c.reg[2] & 0xffff, size));
      stepDi(c, delta);
      return;
    }
    default:
      ioWrite(c, c.reg[2] & 0xffff, size, read(c, src, si, size));
      stepSi(c, delta);
  }
}

function stepSi(c: Cpu, d: number): void {
  if (c.asz) c.reg[6] = (c.reg[6] + d) | 0;
  else c.reg[6] = (c.reg[6] & ~0xffff) | ((c.reg[6] + d) & 0xffff);
}

function stepDi(c: Cpu, d: number): void {
  if (c.asz) c.reg[7] = (c.reg[7] + d) | 0;
  else c.reg[7] = (c.reg[7] & ~0xffff) | ((c.reg[7] + d) & 0xffff);
}

export function stringOp(kind: StrKind, size: 1 | 2 | 4 | 0): Handler {
  return (c) => {
    const sz = size === 0 ? (c.osz ? 4 : 2) : size;
    if (kind === StrKind.INS || kind === StrKind.OUTS) checkIoPermission(c, c.reg[2] & 0xffff, sz);
    if (c.rep === 0) {
      once(c, kind, sz);
      return;
    }
    const a32 = c.asz;
    const conditional = kind === StrKind.CMPS || kind === StrKind.SCAS;
    const repe = c.rep === 0xf3;
    for (let n = 0; ; n++) {
      const count = a32 ? c.reg[1] : c.reg[1] & 0xffff;
      if (count === 0) return;
      if (n === REP_SLICE) {
        c.eip = c.instrStart;
        return;
      }
      once(c, kind, sz);
      if (a32) c.reg[1] = (count - 1) | 0;
      else c.reg[1] = (c.reg[1] & ~0xffff) | ((count - 1) & 0xffff);
      if (conditional && zf(c) !== repe) return;
      if (c.attn && c.stopReq >= 0) {
        // A watchpoint hit: stop after this iteration, resuming the REP later.
        if ((a32 ? c.reg[1] : c.reg[1] & 0xffff) !== 0) c.eip = c.instrStart;
        return;
      }
    }
  };
}
