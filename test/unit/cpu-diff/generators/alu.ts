import { CF } from '../layout';
import { FX, FlagFx } from '../flag-effects';
import { emitRm, immOf, pickSize } from './common';
import { memOperand, regOperand, rmOperand } from './operands';
import { StreamBuilder, imm } from './stream';

/** ADD OR ADC SBB AND SUB XOR CMP in ModRM order. */
const ALU_FX: FlagFx[] = [FX.arith, FX.logic, FX.arith, FX.arith, FX.logic, FX.arith, FX.logic, FX.arith];
const READS_CF = (op: number): number => (op === 2 || op === 3 ? CF : 0);

/**
 * One ALU instruction in one of its encodings: r/m,reg / reg,r/m / accumulator,imm / group 1 (80, 81, 83 and the
 * 82 alias valid in 32-bit code) / INC DEC NEG NOT (short and ModRM forms) / TEST. Memory operands use any
 * ModRM/SIB form, 16-bit addressing (faulting) and DS/ES/SS/CS overrides; LOCK on lockable memory forms, and
 * occasionally on a register form or CMP, where it must raise #UD.
 */
export function genAluInstr(b: StreamBuilder, last: boolean): void {
  const rng = b.rng;
  const os = pickSize(rng);
  const w = os.size === 1 ? 0 : 1;
  const op = rng.int(8);
  const writes = op !== 7;
  const form = rng.int(10);
  const lockOk = (isMem: boolean): number[] =>
    isMem && writes && rng.chance(0.1) ? [0xf0] : !isMem && rng.chance(0.004) ? [0xf0] : []; // the latter: #UD
  const memOpts = { allow16: last, allowSeg: true };
  switch (form) {
    case 0: case 1: { // op r/m, reg
      const rm = rmOperand(b, os.size, writes, 0.5, memOpts);
      emitRm(b, [op * 8 + w], rm, rng.int(8), [], ALU_FX[op], READS_CF(op), lockOk(rm.isMem), os.prefix);
      return;
    }
    case 2: { // op reg, r/m
      const dst = writes ? (os.size === 1 ? b.freeReg8() : b.freeReg()) : rng.int(8);
      const rm = rng.chance(0.5) ? memOperand(b, { size: os.size, ...memOpts }) : regOperand(rng.int(8));
      emitRm(b, [op * 8 + 2 + w], rm, dst, [], ALU_FX[op], READS_CF(op), [], os.prefix);
      return;
    }
    case 3: { // op AL/AX/EAX, imm
      if (writes && (b.pinned & 1)) return genAluInstr(b, last);
      if (writes) b.written |= 1; // the accumulator is written without going through freeReg
      b.emit([...os.prefix, op * 8 + 4 + w, ...immOf(rng, os.size)], ALU_FX[op], READS_CF(op));
      return;
    }
    case 4: case 5: { // group 1: 80/81/83 (and 82 = 80 in 32-bit code)
      const rm = rmOperand(b, os.size, writes, 0.5, memOpts);
      const opc = os.size === 1 ? (rng.chance(0.1) ? 0x82 : 0x80) : rng.chance(0.5) ? 0x83 : 0x81;
      const ib = opc === 0x81 ? immOf(rng, os.size) : imm(rng.interesting(), 1);
      emitRm(b, [opc], rm, op, ib, ALU_FX[op], READS_CF(op), lockOk(rm.isMem), os.prefix);
      return;
    }
    case 6: { // INC/DEC r16/r32 short form
      if (os.size === 1) return genAluInstr(b, last);
      b.emit([...os.prefix, (rng.chance(0.5) ? 0x40 : 0x48) | b.freeReg()], FX.incdec);
      return;
    }
    case 7: { // INC/DEC (FE/FF /0 /1), NOT/NEG (F6/F7 /2 /3)
      const rm = rmOperand(b, os.size, true, 0.5, memOpts);
      if (rng.chance(0.5)) {
        emitRm(b, [0xfe | w], rm, rng.int(2), [], FX.incdec, 0, lockOk(rm.isMem), os.prefix);
      } else {
        const neg = rng.chance(0.5);
        emitRm(b, [0xf6 | w], rm, neg ? 3 : 2, [], neg ? FX.neg : FX.none, 0, lockOk(rm.isMem), os.prefix);
      }
      return;
    }
    default: { // TEST r/m, reg (84/85), TEST r/m, imm (F6/F7 /0), TEST acc, imm (A8/A9)
      const k = rng.int(3);
      if (k === 2) {
        b.emit([...os.prefix, 0xa8 | w, ...immOf(rng, os.size)], FX.logic);
        return;
      }
      const rm = rmOperand(b, os.size, false, 0.5, memOpts);
      if (k === 0) emitRm(b, [0x84 | w], rm, rng.int(8), [], FX.logic, 0, [], os.prefix);
      else emitRm(b, [0xf6 | w], rm, 0, immOf(rng, os.size), FX.logic, 0, [], os.prefix);
    }
  }
}

export function genAlu(b: StreamBuilder): void {
  const n = b.rng.range(1, 6);
  for (let i = 0; i < n; i++) genAluInstr(b, i === n - 1);
}
