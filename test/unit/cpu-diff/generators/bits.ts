import { DATA_BASE, DATA_END } from '../layout';
import { FX } from '../flag-effects';
import { emitRm, pickSize } from './common';
import { memOperand, regOperand } from './operands';
import { StreamBuilder, imm } from './stream';

/**
 * BSF/BSR as the first instruction (the source value is chosen here: zero 15% of the time, when the SDM leaves
 * the destination undefined, so it is masked and the stream ends).
 */
function genScan(b: StreamBuilder): boolean {
  const rng = b.rng;
  const os = pickSize(rng, false);
  const zero = rng.chance(0.15);
  const v = zero ? 0 : (rng.interesting() & (os.size === 2 ? 0xffff : 0xffffffff)) || 1 << rng.int(os.size * 8);
  const dst = b.freeReg();
  let src;
  if (rng.chance(0.5)) {
    src = memOperand(b, { size: os.size, allowSeg: true });
    b.poke(src.ea!, imm(v, os.size));
  } else {
    const r = b.freshReg();
    if (r < 0) return true;
    b.pin(r, os.size === 2 ? ((b.regs[r] & 0xffff0000) | v) >>> 0 : v >>> 0);
    src = regOperand(r);
  }
  emitRm(b, [0x0f, rng.chance(0.5) ? 0xbc : 0xbd], src, dst, [], FX.bscan, 0, [], os.prefix);
  if (zero) {
    b.undefRegs |= 1 << dst;
    return false;
  }
  return true;
}

/**
 * BT/BTS/BTR/BTC with a register or imm8 bit offset, on registers and on memory bit strings: a register offset
 * addresses bits outside the operand (signed, scaled to the operand size), so the offset register is pinned to a
 * value that keeps the touched word inside the data region.
 */
function genBitTest(b: StreamBuilder, last: boolean): void {
  const rng = b.rng;
  const os = pickSize(rng, false);
  const bits = os.size * 8;
  const op = rng.int(4); // BT BTS BTR BTC
  const lock = op > 0 && rng.chance(0.1);
  const useImm = rng.chance(0.4);
  const mem = rng.chance(0.6);
  if (useImm) {
    const rm = mem ? memOperand(b, { size: os.size, allowSeg: true, allow16: last, write: op > 0 })
      : regOperand(op > 0 ? b.freeReg() : rng.int(8));
    emitRm(b, [0x0f, 0xba], rm, 4 + op, [rng.chance(0.7) ? rng.int(bits) : rng.int(256)], FX.bt, 0,
      mem && lock ? [0xf0] : [], os.prefix);
    return;
  }
  if (!mem) {
    const dst = op > 0 ? b.freeReg() : rng.int(8);
    emitRm(b, [0x0f, 0xa3 + op * 8], regOperand(dst), rng.int(8), [], FX.bt, 0, [], os.prefix);
    return;
  }
  const rm = memOperand(b, { size: os.size, allowSeg: true, write: op > 0 });
  const offReg = b.freshRegs().length > 1 ? b.freshReg() : -1;
  if (offReg < 0 || rm.ea === undefined) {
    emitRm(b, [0x0f, 0xba], rm, 4 + op, [rng.int(256)], FX.bt, 0, [], os.prefix);
    return;
  }
  // Bit offset k: word touched = ea + size * floor(k / bits); keep it inside the data region.
  const loW = Math.ceil((DATA_BASE - rm.ea) / os.size);
  const hiW = Math.floor((DATA_END - os.size - rm.ea) / os.size);
  let w = rng.chance(0.5) ? rng.range(-4, 4) : rng.range(loW, hiW);
  if (os.size === 2) w = Math.max(-2048, Math.min(2047, w));
  w = Math.max(loW, Math.min(hiW, w));
  const k = w * bits + rng.int(bits);
  const value = os.size === 2 ? ((rng.u32() & 0xffff0000) | (k & 0xffff)) >>> 0 : k >>> 0;
  b.pin(offReg, value);
  b.randomize(rm.ea + w * os.size, os.size);
  emitRm(b, [0x0f, 0xa3 + op * 8], rm, offReg, [], FX.bt, 0, lock ? [0xf0] : [], os.prefix);
}

export function genBits(b: StreamBuilder): void {
  const n = b.rng.range(1, 4);
  let i = 0;
  if (b.rng.chance(0.35)) {
    i++;
    if (!genScan(b)) return;
  }
  for (; i < n; i++) genBitTest(b, i === n - 1);
}
