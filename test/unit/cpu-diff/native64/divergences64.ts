import { Outcome } from '../convert';
import { GenCase } from '../generators/stream';

/**
 * Disagreements between Ringside's CPU and the 64-bit silicon oracle that are understood, each narrow and with
 * its reason. Two kinds, never mixed:
 *  - `allowed`: the host runs the stream in 64-bit mode on an AMD CPU; where that legitimately differs from
 *    what an i686 does in 32-bit mode (and the SDM agrees with Ringside), the entry says so.
 *  - `pending`: Ringside is wrong per the SDM; the case is recorded here until the CPU is fixed (then the entry
 *    goes and the case becomes a regression test). The CPU side (src/vmm/cpu) is someone else's.
 * Anything else that differs fails the test.
 */
export interface Divergence64 {
  id: string;
  kind: 'allowed' | 'pending';
  /** The SDM/APM reason. */
  why: string;
  /** Whether this entry explains *all* the diff lines of this case. */
  explains: (c: GenCase, exp: Outcome, act: Outcome, diffs: string[]) => boolean;
}

export const DIVERGENCES64: readonly Divergence64[] = [];

export function explainedBy(c: GenCase, exp: Outcome, act: Outcome, diffs: string[]): Divergence64 | undefined {
  return DIVERGENCES64.find((d) => d.explains(c, exp, act, diffs));
}
