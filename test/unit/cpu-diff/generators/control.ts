import { CF, OF, PF, SF, ZF } from '../layout';
import { FX } from '../flag-effects';
import { genAluInstr } from './alu';
import { emitRm } from './common';
import { memOperand, regOperand, rmOperand } from './operands';
import { ECX, StreamBuilder, le32 } from './stream';

/** Status flags read by condition code cc (O NO B AE E NE BE A S NS P NP L GE LE G). */
export function ccReads(cc: number): number {
  return [OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF][cc >> 1];
}

/**
 * Emits a forward branch over a block of 1-3 ALU instructions: the displacement is patched once the block is
 * there. At the target, flags undefined at the branch stay possibly undefined (the block may have been skipped),
 * which is recorded as a zero-length effect so the comparison's replay merges both paths.
 */
function branchOver(b: StreamBuilder, opcode: number[], relSize: 1 | 4, reads: number, prefix: number[] = []): void {
  b.emit([...prefix, ...opcode, ...new Array<number>(relSize).fill(0)], FX.none, reads);
  const at = b.length;
  const undefAtBranch = b.undef;
  const k = b.rng.range(1, 3);
  for (let i = 0; i < k; i++) genAluInstr(b, false);
  const rel = b.length - at;
  if (relSize === 1) b.code[at - 1] = rel; // at most 3 ALU instructions of <= 15 bytes: fits in rel8
  else le32(rel).forEach((v, i) => (b.code[at - 4 + i] = v));
  b.instrs.push({ off: b.length, len: 0, fx: { def: 0, undef: undefAtBranch } });
  b.undef |= undefAtBranch;
}

export function genControl(b: StreamBuilder): void {
  const rng = b.rng;
  b.noPtr |= 1 << ECX;
  b.written |= 1 << ECX;
  const n = rng.range(2, 6);
  for (let i = 0; i < n; i++) {
    const cc = rng.int(16);
    switch (rng.int(9)) {
      case 0: case 1: branchOver(b, [0x70 | cc], 1, ccReads(cc)); break;
      case 2: branchOver(b, [0x0f, 0x80 | cc], 4, ccReads(cc)); break;
      case 3: if (rng.chance(0.5)) branchOver(b, [0xeb], 1, 0); else branchOver(b, [0xe9], 4, 0); break;
      case 4: { // LOOP / LOOPE / LOOPNE / JECXZ, sometimes with a 16-bit count (0x67: CX)
        if (b.pinned >> ECX & 1) break;
        if (rng.chance(0.5)) b.emit([0xb9, ...le32(rng.weighted<number>([[1, 0], [1, 1], [1, 0x10000], [2, rng.interesting()]]))]);
        const op = rng.pick([0xe0, 0xe1, 0xe2, 0xe3]);
        branchOver(b, [op], 1, op === 0xe0 || op === 0xe1 ? ZF : 0, rng.chance(0.15) ? [0x67] : []);
        break;
      }
      case 5: case 6: { // SETcc r/m8
        const rm = rmOperand(b, 1, true, 0.3);
        emitRm(b, [0x0f, 0x90 | cc], rm, 0, [], FX.none, ccReads(cc));
        break;
      }
      case 7: { // CMOVcc r, r/m (the memory source is read whatever the condition)
        const os = rng.chance(0.3) ? [0x66] : [];
        const src = rng.chance(0.4) ? memOperand(b, { size: os.length ? 2 : 4, allowSeg: true }) : regOperand(rng.int(8));
        emitRm(b, [0x0f, 0x40 | cc], src, b.freeReg(), [], FX.none, ccReads(cc), [], os);
        break;
      }
      default: genAluInstr(b, false);
    }
  }
}
