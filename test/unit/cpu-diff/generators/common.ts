import { FlagFx } from '../flag-effects';
import { Rng } from './prng';
import { RmOperand } from './operands';
import { StreamBuilder, imm } from './stream';

/** Prefix bytes in a random order (the CPU must accept any order of prefixes from different groups). */
export function shuffled(rng: Rng, xs: number[]): number[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Operand size of a generated integer instruction, with the 0x66 prefix it needs. */
export interface OpSize {
  size: 1 | 2 | 4;
  prefix: number[];
}

export function pickSize(rng: Rng, allowByte = true): OpSize {
  const s = rng.weighted<1 | 2 | 4>(allowByte ? [[3, 1], [2, 2], [5, 4]] : [[1, 2], [2, 4]]);
  return { size: s, prefix: s === 2 ? [0x66] : [] };
}

/**
 * Emits `[prefixes] opcode modrm... imm` for an r/m instruction. `extra` are additional prefixes (LOCK, REP)
 * mixed in random order with the operand's own and the operand-size prefix.
 */
export function emitRm(b: StreamBuilder, opcode: number[], rm: RmOperand, reg: number, immBytes: number[],
  fx: FlagFx, reads = 0, extra: number[] = [], os: number[] = []): void {
  const pre = shuffled(b.rng, [...extra, ...rm.prefix, ...os]);
  // LOCK with a register destination is #UD (SDM Vol. 2 LOCK: "only ... when the destination operand is memory").
  b.emit([...pre, ...opcode, ...rm.enc(reg), ...immBytes], fx, reads, extra.includes(0xf0) && !rm.isMem);
}

export function immOf(rng: Rng, size: number): number[] {
  return imm(rng.interesting(), size);
}

/** Mask of a 32-bit register affected by writing register `r` of `size` (8-bit: AH..BH are 4..7). */
export function reg32Of(r: number, size: number): number {
  return size === 1 ? r & 3 : r;
}
