import { FX } from '../flag-effects';
import { emitRm, pickSize } from './common';
import { memOperand, regOperand, rmOperand } from './operands';
import { EAX, EBX, ECX, EDX, StreamBuilder, imm, le32 } from './stream';

/** CMPXCHG r/m, r with EAX arranged equal to the destination half the time (first instruction only). */
function genCmpxchg(b: StreamBuilder, first: boolean, last: boolean): void {
  const rng = b.rng;
  const os = pickSize(rng);
  const rm = rmOperand(b, os.size, true, 0.6, { allow16: last });
  const equal = first && rng.chance(0.5);
  if (equal) {
    const v = rng.interesting();
    if (rm.isMem && rm.ea !== undefined) b.poke(rm.ea, imm(v, os.size));
    else if (rm.reg !== undefined && (os.size > 1 || rm.reg < 4)) {
      const r = rm.reg & 3;
      b.regs[os.size === 1 ? r : rm.reg] = v >>> 0;
    }
    if (!(rm.reg !== undefined && (os.size === 1 ? rm.reg & 3 : rm.reg) === EAX)) b.regs[EAX] = v >>> 0;
  }
  emitRm(b, [0x0f, 0xb0 | (os.size === 1 ? 0 : 1)], rm, rng.int(8), [], FX.arith, 0,
    rm.isMem && rng.chance(0.2) ? [0xf0] : [], os.prefix);
}

/** CMPXCHG8B m64 (equal or not), LOCKed sometimes; the register form (mod=11) must raise #UD. */
function genCmpxchg8b(b: StreamBuilder, first: boolean): void {
  const rng = b.rng;
  if (rng.chance(0.05)) {
    b.emit([0x0f, 0xc7, 0xc8 | rng.int(8)], FX.cx8, 0, true);
    return;
  }
  const rm = memOperand(b, { size: 8, allowSeg: true, write: true, align: rng.chance(0.8) ? 8 : 1 });
  if (rm.ea !== undefined) {
    const lo = rng.interesting();
    const hi = rng.interesting();
    b.poke(rm.ea, [...le32(lo), ...le32(hi)]);
    if (first && rng.chance(0.5)) {
      b.regs[EAX] = lo;
      b.regs[EDX] = rng.chance(0.9) ? hi : hi ^ 1;
    }
  }
  emitRm(b, [0x0f, 0xc7], rm, 1, [], FX.cx8, 0, rng.chance(0.3) ? [0xf0] : []);
}

function genXadd(b: StreamBuilder, last: boolean): void {
  const rng = b.rng;
  const os = pickSize(rng);
  const rm = rmOperand(b, os.size, true, 0.5, { allow16: last });
  const src = os.size === 1 ? b.freeReg8() : b.freeReg();
  emitRm(b, [0x0f, 0xc0 | (os.size === 1 ? 0 : 1)], rm, src, [], FX.arith, 0,
    rm.isMem && rng.chance(0.2) ? [0xf0] : [], os.prefix);
}

function genXchg(b: StreamBuilder, last: boolean): void {
  const rng = b.rng;
  const os = pickSize(rng);
  if (os.size > 1 && rng.chance(0.3)) {
    // 90+r: XCHG (E)AX, r (90 itself is NOP)
    b.emit([...os.prefix, 0x90 | b.freeReg()], FX.none);
    return;
  }
  const rm = rmOperand(b, os.size, true, 0.5, { allow16: last });
  const src = os.size === 1 ? b.freeReg8() : b.freeReg();
  emitRm(b, [0x86 | (os.size === 1 ? 0 : 1)], rm, src, [], FX.none, 0,
    rm.isMem && rng.chance(0.1) ? [0xf0] : [], os.prefix);
}

/** CMPXCHG, CMPXCHG8B, XADD, BSWAP (32-bit only: a 16-bit BSWAP is undefined), XCHG. */
export function genAtomic(b: StreamBuilder): void {
  const rng = b.rng;
  b.noPtr |= (1 << EAX) | (1 << EDX);
  b.written |= (1 << EAX) | (1 << EDX);
  // XCHG 90+r needs EAX free of pointers, CMPXCHG8B reads ECX:EBX (any value is fine).
  void EBX; void ECX;
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    switch (rng.int(5)) {
      case 0: genCmpxchg(b, i === 0, last); break;
      case 1: genCmpxchg8b(b, i === 0); break;
      case 2: genXadd(b, last); break;
      case 3: b.emit([0x0f, 0xc8 | b.freeReg()]); break;
      default: genXchg(b, last); break;
    }
  }
  void regOperand;
}
