import { Outcome } from '../convert';
import { GenCase } from '../generators/stream';
import { CODE_BASE } from '../layout';

/**
 * Disagreements between Ringside's CPU and the 64-bit silicon oracle that are understood, each narrow and with
 * its reason. Two kinds, never mixed:
 *  - `allowed`: the host runs the stream in 64-bit mode on an AMD CPU; where that legitimately differs from
 *    what an i686 does in 32-bit mode (and the SDM agrees with Ringside), the entry says so.
 *  - `pending`: Ringside is wrong per the SDM; the case is recorded here until the CPU is fixed (then the entry
 *    goes and the case becomes a regression test). None is pending now: the one this oracle found (a write
 *    split across pages reported CR2 at its last byte, not at the faulting page's first) is fixed, and its case
 *    is in test/unit/cpu/flat-user.test.ts.
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

/** Software-interrupt vectors this host's hypervisor (dmesg: "Hypervisor detected: PVM") does not deliver as i686 does. */
export const PVM_INT_VECTORS: readonly number[] = [0x17, 0x19, 0x1a, 0x1b];

export const DIVERGENCES64: readonly Divergence64[] = [
  {
    id: 'pvm-int-vectors',
    kind: 'allowed',
    why: 'INT 0x17/0x19/0x1A/0x1B on this host: the guest kernel runs under the PVM hypervisor, whose event ' +
      'delivery answers these vectors itself (#GP(0) after the instruction, a plain return, #UD) instead of the ' +
      '#GP(vector*8+2) the SDM gives for a DPL-0 gate at CPL 3 (INT n: "IF ... DPL < CPL THEN #GP(vector*8+2)"). ' +
      'The oracle has no answer here, so Ringside is checked against the SDM directly: exactly #GP(n*8+2) at the INT.',
    explains: (c, _exp, act) => {
      const off = act.eip - CODE_BASE;
      if (act.status !== 'exception' || act.vector !== 13 || off < 0 || off + 2 > c.code.length) return false;
      const n = c.code[off + 1];
      return c.code[off] === 0xcd && PVM_INT_VECTORS.includes(n) && act.errorCode === n * 8 + 2 &&
        c.instrs.some((i) => i.off === off && i.len === 2);
    },
  },
];

export function explainedBy(c: GenCase, exp: Outcome, act: Outcome, diffs: string[]): Divergence64 | undefined {
  return DIVERGENCES64.find((d) => d.explains(c, exp, act, diffs));
}
