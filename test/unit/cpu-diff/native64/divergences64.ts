import { Outcome } from '../convert';
import { GenCase } from '../generators/stream';
import { CODE_BASE } from '../layout';

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
  {
    id: 'ringside-split-write-cr2',
    kind: 'pending',
    why: 'Ringside wrong: a write that crosses into a faulting page reports CR2 = the LAST byte of the access ' +
      '(src/vmm/cpu/access.ts slowWrite probes the second page at lin + size - 1); silicon reports the first byte ' +
      'of the faulting page, the linear address whose translation failed (SDM Vol. 3A 6.15 #PF: "the processor ' +
      'loads the CR2 register with the 32-bit linear address that generated the exception"); split reads and ' +
      'read-modify-writes already report the first faulting byte. Fix: probe (lin | 0xfff) + 1.',
    explains: (_c, exp, act, diffs) => diffs.length === 1 && diffs[0].startsWith('cr2:') && exp.vector === 14 &&
      ((exp.errorCode ?? 0) & 2) !== 0 && exp.cr2 !== undefined && (exp.cr2 & 0xfff) === 0 && act.cr2 !== undefined &&
      act.cr2 - exp.cr2 >= 1 && act.cr2 - exp.cr2 <= 3,
  },
];

export function explainedBy(c: GenCase, exp: Outcome, act: Outcome, diffs: string[]): Divergence64 | undefined {
  return DIVERGENCES64.find((d) => d.explains(c, exp, act, diffs));
}
