import { AC, DF, ID, NT, STATUS_FLAGS } from '../layout';
import { FX } from '../flag-effects';
import { emitRm } from './common';
import { memOperand, regOperand } from './operands';
import { CODE_BASE } from '../layout';
import { EBP, ESP, StreamBuilder, le16, le32 } from './stream';

/**
 * PUSH/POP (registers, immediates, r/m, 16-bit forms), PUSHA/POPA, PUSHF/POPF (values pushed first, so POPF
 * loads controlled flags, sometimes AC/NT/ID and the IOPL/IF bits CPL 3 cannot change), ENTER (nesting levels
 * 0-33, masked to 5 bits) / LEAVE, CALL rel/indirect with RET/RET imm16. ESP and EBP point into the data region
 * with room both ways; memory operands here never use ESP (it moves).
 */
export function genStack(b: StreamBuilder): void {
  const rng = b.rng;
  b.regs[ESP] = 0x20008000 + (rng.int(0x6000) & ~(rng.chance(0.9) ? 3 : 1));
  b.regs[EBP] = 0x20003000 + rng.int(0x3000);
  b.noPtr |= 1 << EBP;
  b.written |= 1 << EBP;
  b.pinned |= 1 << EBP; // ENTER/LEAVE own it; random instructions must not clobber it
  b.randomize(b.regs[ESP] - 0x100, 0x200);
  b.randomize(b.regs[EBP] - 0x100, 0x100);
  // A chain of saved frame pointers at EBP, so a LEAVE without a matching ENTER still pops a data pointer.
  let chain = 0;
  for (let p = b.regs[EBP]; chain < 6; chain++) {
    const next = 0x20003000 + rng.int(0x3000);
    b.poke(p, le32(next));
    p = next;
  }
  let frames = 0;
  const canLeave = (): boolean => frames > 0 || chain > 0;
  const leave = (): void => {
    if (frames > 0) frames--;
    else chain--;
    b.emit([0xc9]);
  };
  const n = rng.range(1, 6);
  for (let i = 0; i < n; i++) {
    const os16 = rng.chance(0.15);
    const os = os16 ? [0x66] : [];
    switch (rng.int(12)) {
      case 0: b.emit([...os, 0x50 | rng.int(8)]); break; // push r
      case 1: if (b.freeRegs().length) b.emit([...os, 0x58 | b.freeReg()]); break; // pop r
      case 2: b.emit([...os, 0x6a, rng.u32() & 0xff]); break; // push imm8 (sign-extended)
      case 3: b.emit([...os, 0x68, ...(os16 ? le16(rng.u32()) : le32(rng.interesting()))]); break;
      case 4: { // push r/m, pop r/m
        const m = rng.chance(0.6) ? memOperand(b, { size: os16 ? 2 : 4, allowSeg: true, allowEsp: false, write: true })
          : regOperand(b.freeReg());
        if (rng.chance(0.5)) emitRm(b, [0xff], m, 6, [], FX.none, 0, [], os);
        else emitRm(b, [0x8f], m, 0, [], FX.none, 0, [], os);
        break;
      }
      case 5: { // pusha / popa (POPA right after PUSHA, and only when nothing but ESP/EBP is pinned)
        if (rng.chance(0.5)) b.emit([...os, 0x60]);
        else if ((b.pinned & ~(1 << ESP) & ~(1 << EBP)) === 0) {
          b.emit([...os, 0x60]);
          b.emit([...os, 0x61]);
          b.written = 0xff;
        }
        break;
      }
      case 6: b.emit([...os, 0x9c], FX.none, STATUS_FLAGS); break; // pushf
      case 7: { // push imm32; popf
        let v = rng.u32() & (STATUS_FLAGS | DF);
        if (rng.chance(0.1)) v |= rng.pick([AC, NT, ID, 0x3000, 0x200, 0x8000, 0x20000]);
        b.emit([0x68, ...le32(v)]);
        b.emit([...os, 0x9d], FX.popf);
        break;
      }
      case 8: { // enter imm16, imm8 [; leave] (32-bit only: a 16-bit frame would leave EBP half-garbage)
        const level = rng.weighted<number>([[5, 0], [3, 1], [2, rng.range(2, 5)], [1, rng.range(30, 33)]]);
        b.emit([0xc8, ...le16(rng.range(0, 64)), level]);
        frames++;
        if (rng.chance(0.7)) leave();
        break;
      }
      case 9: if (canLeave()) leave(); break;
      case 10: { // call rel32 L; jmp short End; L: ...; ret [imm16]; End:
        const start = b.length;
        b.emit([0xe8, ...le32(2)]);
        b.emit([0xeb, 0]);
        const jmpAt = b.length - 1;
        if (rng.chance(0.5)) b.emit([0x50 | rng.int(8)], FX.none);
        if (b.length > start + 7) b.emit([0x58 | b.freeReg()]); // keep the return address on top
        if (rng.chance(0.5)) b.emit([0xc3]);
        else b.emit([0xc2, ...le16(rng.pick([0, 4, 8, 12]))]);
        b.code[jmpAt] = b.length - (jmpAt + 1);
        break;
      }
      default: { // call reg (indirect) to a label: call r; jmp short End; L: ret; End:
        const r = b.freshReg();
        if (r < 0) break;
        const at = b.length;
        b.pin(r, CODE_BASE + at + 4);
        b.emit([0xff, 0xd0 | r]);
        b.emit([0xeb, 1]);
        b.emit([0xc3]);
        break;
      }
    }
  }
}
