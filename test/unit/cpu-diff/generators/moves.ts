import { AF, CF, PF, SF, ZF, DF, OF } from '../layout';
import { FX } from '../flag-effects';
import { emitRm, immOf, pickSize } from './common';
import { memOperand, regOperand, rmOperand } from './operands';
import { EAX, EBX, StreamBuilder, imm, le32 } from './stream';

/**
 * MOV (all forms incl. moffs), MOVSX/MOVZX, LEA (any addressing, 16-bit too: LEA never touches memory), XLAT,
 * LAHF/SAHF, CBW/CWDE/CWD/CDQ, CLC/STC/CMC/CLD/STD, MOV r32, Sreg.
 */
export function genMoveInstr(b: StreamBuilder, last: boolean): void {
  const rng = b.rng;
  const os = pickSize(rng);
  const w = os.size === 1 ? 0 : 1;
  switch (rng.int(12)) {
    case 0: { // mov r/m, r
      const rm = rmOperand(b, os.size, true, 0.5, { allow16: last });
      emitRm(b, [0x88 | w], rm, rng.int(8), [], FX.none, 0, [], os.prefix);
      return;
    }
    case 1: { // mov r, r/m
      const dst = os.size === 1 ? b.freeReg8() : b.freeReg();
      const src = rng.chance(0.6) ? memOperand(b, { size: os.size, allowSeg: true, allow16: last }) : regOperand(rng.int(8));
      emitRm(b, [0x8a | w], src, dst, [], FX.none, 0, [], os.prefix);
      return;
    }
    case 2: { // mov r, imm (B0-BF) / mov r/m, imm (C6/C7 /0)
      if (rng.chance(0.5)) {
        const r = os.size === 1 ? b.freeReg8() : b.freeReg();
        b.emit([...os.prefix, (os.size === 1 ? 0xb0 : 0xb8) | r, ...immOf(rng, os.size)]);
      } else {
        emitRm(b, [0xc6 | w], rmOperand(b, os.size, true, 0.7, { allow16: last }), 0, immOf(rng, os.size), FX.none, 0, [], os.prefix);
      }
      return;
    }
    case 3: { // mov al/eax, moffs and back
      if (b.pinned & (1 << EAX)) return genMoveInstr(b, last);
      const m = memOperand(b, { size: os.size });
      const addr = m.ea ?? 0x20000000;
      b.emit([...os.prefix, (rng.chance(0.5) ? 0xa0 : 0xa2) | w, ...le32(addr)]);
      return;
    }
    case 4: { // movzx / movsx r, r/m8|r/m16
      const srcSize = rng.chance(0.5) ? 1 : 2;
      const dos = pickSize(rng, false);
      const src = rng.chance(0.5) ? memOperand(b, { size: srcSize, allowSeg: true, allow16: last }) : regOperand(rng.int(8));
      emitRm(b, [0x0f, (rng.chance(0.5) ? 0xb6 : 0xbe) | (srcSize === 2 ? 1 : 0)], src, b.freeReg(), [], FX.none, 0, [], dos.prefix);
      return;
    }
    case 5: case 6: { // lea: any form; with 0x67, 16-bit addressing computed from whatever the registers hold
      const dos = pickSize(rng, false);
      const m = memOperand(b, { size: 1, allowSeg: rng.chance(0.2), allow16: true });
      emitRm(b, [0x8d], { ...m, prefix: m.prefix.filter((p) => p === 0x67 || rng.chance(0.5)) }, b.freeReg(), [], FX.none, 0, [],
        dos.prefix);
      return;
    }
    case 7: { // xlat: AL = [EBX + AL] (EBX pinned to a pointer with 256 bytes of room)
      if ((b.pinned >> EAX & 1) || (b.pinned >> EBX & 1 && !(b.regs[EBX] >= 0x20000000 && b.regs[EBX] < 0x2000fe00))) return;
      if (!(b.pinned >> EBX & 1)) {
        if ((b.written | b.noPtr) >> EBX & 1) return;
        b.pin(EBX, 0x20000000 + rng.int(0xfe00));
      }
      b.noPtr |= 1 << EAX;
      b.randomize(b.regs[EBX], 256);
      b.emit([...(rng.chance(0.2) ? [rng.pick([0x26, 0x2e, 0x36, 0x3e])] : []), 0xd7]);
      return;
    }
    case 8: { // lahf / sahf
      if (b.pinned >> EAX & 1) return;
      if (rng.chance(0.5)) b.emit([0x9f], FX.none, SF | ZF | AF | PF | CF);
      else b.emit([0x9e], FX.sahf);
      return;
    }
    case 9: { // cbw/cwde, cwd/cdq
      if ((b.pinned & 0b101) !== 0) return;
      b.emit([...(rng.chance(0.4) ? [0x66] : []), rng.chance(0.5) ? 0x98 : 0x99]);
      return;
    }
    case 10: { // clc stc cmc cld std
      const op = rng.pick([0xf8, 0xf9, 0xf5, 0xfc, 0xfd]);
      b.emit([op], op === 0xfc || op === 0xfd ? FX.none : FX.clc, op === 0xf5 ? CF : 0);
      return;
    }
    default: { // mov r/m16|r32, Sreg (ES CS SS DS FS GS): P6 zero-extends into a 32-bit register
      const dst = rng.chance(0.7) ? regOperand(b.freeReg()) : memOperand(b, { size: 2, write: true });
      emitRm(b, [0x8c], dst, rng.int(6), [], FX.none, 0, [], rng.chance(0.3) ? [0x66] : []);
    }
  }
  void DF; void OF; void imm;
}

export function genMoves(b: StreamBuilder): void {
  // CBW/CWD, XLAT, LAHF, MOV moffs write EAX/EDX implicitly.
  b.noPtr |= (1 << EAX) | (1 << 2);
  b.written |= (1 << EAX) | (1 << 2);
  const n = b.rng.range(1, 6);
  for (let i = 0; i < n; i++) genMoveInstr(b, i === n - 1);
}
