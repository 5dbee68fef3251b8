import { FX } from '../flag-effects';
import { emitRm, pickSize } from './common';
import { memOperand, regOperand, rmOperand } from './operands';
import { EAX, EDX, StreamBuilder, imm } from './stream';

const MASK = [0n, 0xffn, 0xffffn, 0n, 0xffffffffn];

/**
 * Chooses dividend and divisor for DIV/IDIV of `size` bytes: division by zero, quotient overflow (incl. the
 * signed minimum / -1), or a valid division with a random quotient and remainder.
 */
function divOperands(b: StreamBuilder, size: number, signed: boolean): { dividend: bigint; divisor: bigint } {
  const rng = b.rng;
  const bits = BigInt(size * 8);
  const m = MASK[size];
  const kind = rng.weighted<string>([[1, 'zero'], [2, 'overflow'], [7, 'ok']]);
  const rnd = (): bigint => BigInt(rng.interesting()) & m;
  if (kind === 'zero') return { dividend: (rnd() << bits) | rnd(), divisor: 0n };
  if (!signed) {
    const d = rnd() || 1n;
    if (kind === 'overflow') return { dividend: ((d + (rnd() % (m - d + 1n))) << bits) | rnd(), divisor: d };
    return { dividend: (rnd() % (m + 1n)) * d + rnd() % d, divisor: d };
  }
  const sx = (v: bigint): bigint => BigInt.asIntN(Number(bits), v);
  const min = -(1n << (bits - 1n));
  if (kind === 'overflow') {
    if (rng.chance(0.3)) return { dividend: min, divisor: -1n };
    const d = sx(rnd()) || 1n;
    const q = (1n << (bits - 1n)) + (rnd() >> 1n);
    return { dividend: (rng.chance(0.5) ? q : -q) * d, divisor: d };
  }
  const d = sx(rnd()) || -1n;
  const q = sx(rnd());
  const ad = d < 0n ? -d : d;
  let r = rnd() % ad;
  const dividend0 = q * d;
  if (dividend0 < 0n || (dividend0 === 0n && rng.chance(0.5))) r = -r;
  let dividend = dividend0 + r;
  // The true quotient must fit; for q at the signed edges, drop the remainder rather than recompute.
  if (dividend / d !== q) dividend = dividend0;
  return { dividend, divisor: d };
}

/**
 * DIV/IDIV as the first instruction of the stream (so the dividend in EDX:EAX / AX and the divisor, register or
 * memory, have values chosen here), covering #DE by zero and by overflow.
 */
function genDivide(b: StreamBuilder): boolean {
  const rng = b.rng;
  if ((b.pinned >> EAX & 1) || (b.pinned >> EDX & 1)) return false;
  const os = pickSize(rng);
  const signed = rng.chance(0.5);
  const { dividend, divisor } = divOperands(b, os.size, signed);
  const bits = BigInt(os.size * 8);
  const m = MASK[os.size];
  const lo = Number(BigInt.asUintN(Number(bits), dividend));
  const hi = Number(BigInt.asUintN(Number(bits), dividend >> bits));
  const dv = Number(BigInt.asUintN(Number(bits), divisor)) >>> 0;
  const keep = (old: number, v: number): number => os.size === 4 ? v : ((old & ~Number(m)) | v) >>> 0;
  if (os.size === 1) {
    b.regs[EAX] = keep(b.regs[EAX], (lo | (hi << 8)) & 0xffff);
  } else {
    b.regs[EAX] = keep(b.regs[EAX], lo);
    b.regs[EDX] = keep(b.regs[EDX], hi);
  }
  let rm;
  if (rng.chance(0.5)) {
    rm = memOperand(b, { size: os.size, allowSeg: true });
    b.poke(rm.ea!, imm(dv, os.size));
  } else {
    const r = b.freshReg(os.size === 1 ? 0xf0 : 0);
    if (r < 0) return false;
    b.pin(r, keep(b.regs[r], dv));
    rm = regOperand(r);
  }
  emitRm(b, [0xf6 | (os.size === 1 ? 0 : 1)], rm, signed ? 7 : 6, [], FX.div, 0, [], os.prefix);
  return true;
}

/** MUL/IMUL one-operand, IMUL r, r/m and IMUL r, r/m, imm8/imm. */
function genMultiply(b: StreamBuilder, last: boolean): void {
  const rng = b.rng;
  const accFree = !(b.pinned >> EAX & 1) && !(b.pinned >> EDX & 1);
  const form = accFree ? rng.int(4) : 1 + rng.int(3);
  if (form === 0) {
    const os = pickSize(rng);
    const rm = rmOperand(b, os.size, false, 0.4, { allow16: last });
    emitRm(b, [0xf6 | (os.size === 1 ? 0 : 1)], rm, rng.chance(0.5) ? 4 : 5, [], FX.mul, 0, [], os.prefix);
    return;
  }
  const os = pickSize(rng, false);
  const dst = b.freeReg();
  const src = rng.chance(0.4) ? memOperand(b, { size: os.size, allowSeg: true, allow16: last }) : regOperand(rng.int(8));
  if (form === 1) emitRm(b, [0x0f, 0xaf], src, dst, [], FX.mul, 0, [], os.prefix);
  else if (form === 2) emitRm(b, [0x6b], src, dst, imm(rng.interesting(), 1), FX.mul, 0, [], os.prefix);
  else emitRm(b, [0x69], src, dst, imm(rng.interesting(), os.size), FX.mul, 0, [], os.prefix);
}

export function genMulDiv(b: StreamBuilder): void {
  // Data for memory operands: random, so products of memory sources are not all zero.
  const n = b.rng.range(1, 4);
  b.noPtr |= (1 << EAX) | (1 << EDX);
  b.written |= (1 << EAX) | (1 << EDX);
  let i = 0;
  if (b.rng.chance(0.55) && genDivide(b)) i++;
  for (; i < n; i++) genMultiply(b, i === n - 1);
}
