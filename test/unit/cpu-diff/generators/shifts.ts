import { CF } from '../layout';
import { FX, FlagFx } from '../flag-effects';
import { emitRm, pickSize } from './common';
import { regOperand, rmOperand } from './operands';
import { ECX, StreamBuilder } from './stream';

/** A shift count biased to the boundaries: 0, 1, the operand width and its neighbours, 31/32/33, >= 64. */
function pickCount(b: StreamBuilder, bits: number): number {
  return b.rng.weighted<number>([
    [2, 0], [3, 1], [2, bits - 1], [2, bits], [2, bits + 1], [1, 9], [1, 17], [1, 31], [1, 32], [1, 33],
    [6, b.rng.int(32)], [3, b.rng.int(256)],
  ]) & 0xff;
}

/**
 * Gets CL to hold `count` (pinning ECX), or returns the count CL already has if ECX is pinned; -1 if ECX was
 * written by an earlier instruction (its value is unknown: the caller uses an immediate count instead).
 */
function clCount(b: StreamBuilder, want: number): number {
  if (b.pinned >> ECX & 1) return b.regs[ECX] & 0xff;
  if ((b.written | b.noPtr) >> ECX & 1) return -1;
  b.pin(ECX, (b.rng.u32() & 0xffffff00) | want);
  return want;
}

/** Flag effect of ROL..SAR (ModRM reg field `op`) for a count already masked to 5 bits. */
export function shiftFx(op: number, masked: number, bits: number): FlagFx {
  if (masked === 0) return FX.none;
  if (op < 4) return masked === 1 ? FX.rot1 : FX.rotN;
  if (masked === 1) return FX.shift1;
  const isSar = op === 7;
  return !isSar && masked >= bits ? FX.shiftBig : FX.shiftN;
}

/** One ROL/ROR/RCL/RCR/SHL/SHR/SAL(/6 alias)/SAR by 1, by CL, or by imm8. Returns false if the stream must end. */
export function genShiftInstr(b: StreamBuilder, last: boolean): boolean {
  const rng = b.rng;
  const os = pickSize(rng);
  const bits = os.size * 8;
  const w = os.size === 1 ? 0 : 1;
  const op = rng.chance(0.03) ? 6 : rng.pick([0, 1, 2, 3, 4, 5, 7]);
  const how = rng.int(3);
  let count = how === 1 ? clCount(b, pickCount(b, bits)) : -1;
  let opcode: number;
  let immb: number[] = [];
  if (how === 0) {
    count = 1;
    opcode = 0xd0 | w;
  } else if (count >= 0) {
    opcode = 0xd2 | w;
  } else {
    count = pickCount(b, bits);
    opcode = 0xc0 | w;
    immb = [count];
  }
  const rm = rmOperand(b, os.size, true, 0.4, { allow16: last });
  const reads = op === 2 || op === 3 ? CF : 0;
  emitRm(b, [opcode], rm, op, immb, shiftFx(op, count & 31, bits), reads, [], os.prefix);
  return true;
}

/**
 * SHLD/SHRD r/m, reg, imm8|CL. A 16-bit one with a masked count above 16 leaves the destination and the flags
 * undefined: it is generated with a register destination only, marked undefined, and ends the stream.
 */
export function genShdInstr(b: StreamBuilder, last: boolean): boolean {
  const rng = b.rng;
  const os = pickSize(rng, false);
  const bits = os.size * 8;
  const right = rng.chance(0.5);
  const cl = rng.chance(0.5) ? clCount(b, pickCount(b, bits)) : -1;
  const byCl = cl >= 0;
  const count = byCl ? cl : pickCount(b, bits);
  const masked = count & 31;
  const big = masked > bits;
  const rm = big ? regOperand(b.freeReg()) : rmOperand(b, os.size, true, 0.4, { allow16: last });
  const fx = masked === 0 ? FX.none : masked === 1 ? FX.shd1 : big ? FX.shdBig : FX.shdN;
  const opcode = [0x0f, (right ? 0xac : 0xa4) | (byCl ? 1 : 0)];
  emitRm(b, opcode, rm, rng.int(8), byCl ? [] : [count], fx, 0, [], os.prefix);
  if (big) {
    b.undefRegs |= 1 << (rm.reg ?? 0);
    return false;
  }
  return true;
}

export function genShifts(b: StreamBuilder): void {
  const n = b.rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const more = b.rng.chance(0.75) ? genShiftInstr(b, i === n - 1) : genShdInstr(b, i === n - 1);
    if (!more) return;
  }
}
