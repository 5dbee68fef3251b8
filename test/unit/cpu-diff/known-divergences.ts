import { Mnemonic, Register } from 'iced-x86';
import { masksFor } from './compare';
import { Outcome } from './convert';
import { GenCase } from './generators/stream';
import { completedBefore, hasLockByte, insnAt, InsnInfo, readsAndWritesMemory, writesMemory } from './insn-info';

/**
 * Differences between the CPU and the oracle that are accepted, each with the reason from the Intel SDM why the
 * oracle's answer is not the one an i686 must give. Nothing is masked anywhere else: a divergence either is
 * explained here line by line (and counted as "allowed" in the report) or fails the test.
 *
 * Every entry so far corrects QEMU user mode (the fallback oracle where the kernel cannot run i386 programs):
 * none applies to the real CPU's answers. One more QEMU correction lives in qemu-oracle.ts: EFLAGS bits that
 * are always 0 at CPL 3 (reserved bits, VIF, VIP) are cleared from QEMU's answers, with the reason there.
 */

/** Which oracle answered: the real CPU, or QEMU user mode (where the kernel cannot run i386 programs). */
export type OracleKind = 'native' | 'qemu';

/** What an entry looks at; the decoded instructions come from iced-x86, not from our decoder. */
export interface DivergenceContext {
  c: GenCase;
  expected: Outcome;
  actual: Outcome;
  /** The instruction where the CPU stopped with an exception (undefined otherwise). */
  faulting: InsnInfo | undefined;
  /** Instructions completed before the reference stopped. */
  completed: InsnInfo[];
  /** The CPU's x87 status word after running only the code before offset `off` (for masked state FNCLEX hides). */
  cpuSwBefore?: (off: number) => number | undefined;
}

export interface KnownDivergence {
  id: string;
  /** The oracle whose answer this entry corrects: entries for QEMU never apply to the real CPU's answers. */
  oracle: OracleKind;
  reason: string;
  /** Whether one line of compareOutcomes' output is a consequence of this divergence in this case. */
  explains(line: string, x: DivergenceContext): boolean;
}

const OF = 0x800;
const SF = 0x80;
const ZF = 0x40;
const AF = 0x10;
const PF = 0x4;
const CF = 0x1;
const STATUS = OF | SF | ZF | AF | PF | CF;

/** The differing EFLAGS bits among those compared. */
function flagDiff(x: DivergenceContext): number {
  return (x.expected.eflags ^ x.actual.eflags) & ~masksFor(x.c, x.expected).eflags;
}

function cpuFault(x: DivergenceContext, vector: number, errorCode?: number): boolean {
  return x.actual.status === 'exception' && x.actual.vector === vector &&
    (errorCode === undefined || (x.actual.errorCode ?? 0) === errorCode);
}

const qemuPageFault = (x: DivergenceContext): boolean =>
  x.expected.signal === 'SIGSEGV' && (x.expected.siCode === 1 || x.expected.siCode === 2) && cpuFault(x, 14);

/** Every register whose tag differs is empty (11) in the oracle's tag word and in use in the CPU's. */
function tagsOnlyFilledByCpu(expTw: number, actTw: number): boolean {
  for (let r = 0; r < 8; r++) {
    const e = (expTw >> (r * 2)) & 3;
    const a = (actTw >> (r * 2)) & 3;
    if (e !== a && (e !== 3 || a === 3)) return false;
  }
  return true;
}

function isFf7(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(b[i])) i++;
  return b[i] === 0xff && i + 1 < b.length && ((b[i + 1] >> 3) & 7) === 7;
}

const isFcomi = (i: InsnInfo): boolean =>
  i.mnemonic === Mnemonic.Fcomi || i.mnemonic === Mnemonic.Fcomip ||
  i.mnemonic === Mnemonic.Fucomi || i.mnemonic === Mnemonic.Fucomip;

export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = [
  {
    id: 'qemu-no-segment-checks',
    oracle: 'qemu',
    reason: 'QEMU user mode runs a flat address space without segment checks. SDM Vol. 3A 5.4.1 / instruction ' +
      'pages (MOV etc.): a memory access through a segment register holding a null selector (the oracle sets FS = ' +
      'GS = 0) is #GP(0), and so is a write through CS ("#GP(0) if the destination is located in a non-writable ' +
      'segment"; code segments are never writable, 3.4.5.1). The CPU stops there, QEMU goes on.',
    explains: (_l, x) => cpuFault(x, 13, 0) && x.faulting !== undefined && x.faulting.mem.some((m) =>
      m.seg === Register.FS || m.seg === Register.GS || (m.seg === Register.CS && writesMemory(m.access))),
  },
  {
    id: 'qemu-no-alignment-check',
    oracle: 'qemu',
    reason: 'QEMU user mode does not implement alignment checking. SDM Vol. 3A 6.15 (Interrupt 17, #AC): with ' +
      'CR0.AM = 1 (Linux sets it), EFLAGS.AC = 1 and CPL 3, an unaligned data access is #AC(0).',
    explains: (_l, x) => cpuFault(x, 17, 0),
  },
  {
    id: 'qemu-x87-no-stack-fault',
    oracle: 'qemu',
    reason: 'QEMU\'s x87 never checks the tag word. SDM Vol. 1 8.5.1.1: an instruction reading an empty register ' +
      '(underflow) or pushing onto a full one (overflow) raises the invalid-operation stack fault, IE and SF set ' +
      '(C1 = 0 underflow, 1 overflow); masked, the result is the QNaN indefinite, FCOMI/FUCOMI set ZF PF CF = 111, ' +
      'FIST stores the integer indefinite. QEMU computes with the stale contents instead, so from that point on ' +
      'everything that depends on the x87 differs.',
    explains: (_l, x) => (x.actual.fpu.sw & 0x41) === 0x41 && (x.expected.fpu.sw & 0x40) === 0,
  },
  {
    id: 'qemu-x87-no-stack-fault-cleared',
    oracle: 'qemu',
    reason: 'As qemu-x87-no-stack-fault, where a later FNCLEX/FNINIT cleared IE and SF again: the CPU run on the code ' +
      'before that instruction shows the stack fault (the QNaN/integer indefinite it produced stays in registers or ' +
      'memory, FCOMI\'s ZF PF CF = 111 in EFLAGS).',
    explains: (_l, x) => {
      const clear = x.completed.find((i) => i.mnemonic === Mnemonic.Fnclex || i.mnemonic === Mnemonic.Fninit);
      if (!clear || !x.cpuSwBefore || (x.expected.fpu.sw & 0x40) !== 0) return false;
      const sw = x.cpuSwBefore(clear.off);
      return sw !== undefined && (sw & 0x41) === 0x41;
    },
  },
  {
    id: 'qemu-ff-7',
    oracle: 'qemu',
    reason: 'SDM Vol. 2 opcode map, group 5 (FF): /7 is reserved, #UD. QEMU 7.2 decodes FF /7 with a memory operand ' +
      'as an access (SIGSEGV on the address) instead.',
    explains: (_l, x) => cpuFault(x, 6, 0) && x.faulting !== undefined && isFf7(x.faulting.bytes),
  },
  {
    id: 'qemu-no-x87-mf',
    oracle: 'qemu',
    reason: 'SDM Vol. 1 8.7 / Vol. 3A 6.15 (Interrupt 16, #MF): with CR0.NE = 1 (Linux) an unmasked x87 exception ' +
      'raises #MF at the next waiting x87 instruction. QEMU 7.2 user mode runs with CR0.NE = 0 and, having no FERR# ' +
      'to signal, never raises it: the program goes on.',
    explains: (_l, x) => cpuFault(x, 16, 0) && x.expected.status !== 'exception',
  },
  {
    id: 'qemu-fcomi-of-sf-af',
    oracle: 'qemu',
    reason: 'SDM FCOMI/FCOMIP/FUCOMI/FUCOMIP, "Flags affected": ZF, PF, CF from the comparison; "The OF, SF and AF ' +
      'flags are cleared". QEMU 7.2 sets ZF PF CF and leaves OF, SF, AF as they were.',
    explains: (l, x) => l.startsWith('eflags:') && x.completed.some(isFcomi) && (flagDiff(x) & ~(OF | SF | AF)) === 0,
  },
  {
    id: 'qemu-cmpxchg8b-flags',
    oracle: 'qemu',
    reason: 'SDM CMPXCHG8B, "Flags affected": ZF is set if the operands were equal, else cleared; CF, PF, AF, SF ' +
      'and OF are unaffected (and no other flag changes). QEMU 7.2 reports EFLAGS from a stale lazy-flags state: ' +
      'status flags cleared or changed, sometimes TF, DF, NT, AC, ID, IOPL, VM, VIP or reserved bits set (the last ' +
      'four are cleared in qemu-oracle.ts); ZF agrees.',
    explains: (l, x) => l.startsWith('eflags:') && x.completed.some((i) => i.mnemonic === Mnemonic.Cmpxchg8b) &&
      (flagDiff(x) & (ZF | 0x200)) === 0,
  },
  {
    id: 'qemu-flags-at-locked-fault',
    oracle: 'qemu',
    reason: 'SDM Vol. 3A 6.5: a fault reports the state before the faulting instruction, so EFLAGS are those the ' +
      'previous instruction left. When a LOCK-prefixed or implicitly locked instruction (XCHG with memory, ' +
      'CMPXCHG8B) or an RCL/RCR with a memory operand faults, QEMU 7.2 has already replaced its lazy-flags state ' +
      '(its translator computes EFLAGS before the access) and reports other status flags (with RCL/RCR also TF ' +
      'and DF).',
    explains: (l, x) => l.startsWith('eflags:') && x.expected.status === 'exception' && x.actual.status === 'exception' &&
      x.expected.eip === x.actual.eip && x.faulting !== undefined &&
      (x.faulting.lock || x.faulting.mnemonic === Mnemonic.Cmpxchg8b ||
        x.faulting.mnemonic === Mnemonic.Rcl || x.faulting.mnemonic === Mnemonic.Rcr ||
        (x.faulting.mnemonic === Mnemonic.Xchg && x.faulting.mem.length > 0)) &&
      (flagDiff(x) & ~(STATUS | 0x500)) === 0,
  },
  {
    id: 'qemu-no-lock-ud',
    oracle: 'qemu',
    reason: 'SDM LOCK: "#UD if the LOCK prefix is used with an instruction not listed" (the RMW forms with a memory ' +
      'destination) or with a register destination. QEMU 7.2 ignores the prefix on such forms and runs them.',
    explains: (_l, x) => cpuFault(x, 6, 0) && x.faulting !== undefined && hasLockByte(x.faulting),
  },
  {
    id: 'qemu-x87-c1',
    oracle: 'qemu',
    reason: 'SDM Vol. 1 8.1.3.3 and each x87 instruction page: C1 is set when an inexact result was rounded up ' +
      '(PE with C1 = 1) and cleared by loads, stores and arithmetic otherwise. QEMU 7.2 updates C1 only in FXAM ' +
      'and FPREM, so it keeps a stale C1 or misses the round-up; only C1 differs.',
    explains: (l, x) => l.startsWith('fpu sw:') && ((x.expected.fpu.sw ^ x.actual.fpu.sw) & ~0x4500) === 0x200,
  },
  {
    id: 'qemu-x87-no-denormal-operand',
    oracle: 'qemu',
    reason: 'SDM FLD (and the arithmetic pages), x87 exceptions: "#D Source operand is a denormal value" (not for ' +
      'an 80-bit source): DE (status word bit 1) is set. QEMU 7.2 never sets DE; only DE differs.',
    explains: (l, x) => l.startsWith('fpu sw:') && ((x.expected.fpu.sw ^ x.actual.fpu.sw) & ~0x4500) === 0x2 &&
      (x.actual.fpu.sw & 0x2) !== 0,
  },
  {
    id: 'qemu-fprem-double',
    oracle: 'qemu',
    reason: 'SDM FPREM/FPREM1: the remainder is exact (computed by repeated subtraction at full 64-bit precision), ' +
      'C0 C3 C1 the quotient bits. QEMU 7.2 computes both through host doubles (53-bit mantissa: low bits and PE ' +
      'differ) and for NaN, infinite or zero operands returns a NaN with C0-C3 cleared and no IE (even unmasked); ' +
      'the x87 registers, status and tag words and whatever FST/FNSTSW copy of them to memory or AX differ.',
    explains: (l, x) => /^(st\(|fpu (sw|tw):|mem |eax:)/.test(l) &&
      x.completed.some((i) => i.mnemonic === Mnemonic.Fprem || i.mnemonic === Mnemonic.Fprem1),
  },
  {
    id: 'qemu-fst-sti-tag',
    oracle: 'qemu',
    reason: 'SDM FST/FSTP ST(i): the value is copied into ST(i), which is then a valid register (tag 00/01/10 by ' +
      'its contents). QEMU 7.2 copies the value but leaves the tag of ST(i) as it was (empty), so its tag word ' +
      'shows registers empty that hold a value.',
    explains: (l, x) => l.startsWith('fpu tw:') &&
      x.completed.some((i) => (i.mnemonic === Mnemonic.Fst || i.mnemonic === Mnemonic.Fstp) && i.mem.length === 0) &&
      tagsOnlyFilledByCpu(x.expected.fpu.tw, x.actual.fpu.tw),
  },
  {
    id: 'qemu-pf-error-code',
    oracle: 'qemu',
    reason: 'QEMU user mode makes the #PF error code up from its own page flags. SDM Vol. 3A 4.7: W/R is the intent ' +
      'of the access, and a read-modify-write destination is read for writing (W = 1; QEMU loads then stores, W = ' +
      '0; KVM\'s emulator was fixed the same way, Linux commit c205fb7d7d4f, "does not conform with real ' +
      'hardware"); P = 0 for a page without a valid translation (Linux clears P for PROT_NONE; QEMU says 1); I/D = 1 ' +
      'for an instruction fetch with IA32_EFER.NXE = 1 as on the oracle\'s host (QEMU never sets it).',
    explains: (l, x) => {
      if (!l.startsWith('error code:') || !qemuPageFault(x)) return false;
      const act = x.actual.errorCode ?? 0;
      const exp = x.expected.errorCode ?? 0;
      const page = (x.actual.cr2 ?? 0) & ~0xfff;
      const fetch = (act & 0x10) !== 0;
      const pMay1 = fetch || x.c.unmappedPages.includes(page);
      const wMay0 = !fetch && x.faulting !== undefined && x.faulting.mem.some((m) => readsAndWritesMemory(m.access));
      for (const p of pMay1 ? [act & 1, 1] : [act & 1]) {
        for (const w of wMay0 ? [act & 2, 0] : [act & 2]) if (((act & ~0x13) | p | w) === exp) return true;
      }
      return false;
    },
  },
];

/** The entry that explains the first line when every line is explained by some entry, else undefined. */
export function allowedBy(
  kind: OracleKind, c: GenCase, e: Outcome, a: Outcome, diffs: readonly string[],
  cpuSwBefore?: (off: number) => number | undefined,
): KnownDivergence | undefined {
  const entries = KNOWN_DIVERGENCES.filter((k) => k.oracle === kind);
  if (!entries.length || !diffs.length) return undefined;
  const x: DivergenceContext = {
    c, expected: e, actual: a,
    faulting: a.status === 'exception' ? insnAt(c, a.eip) : undefined,
    completed: completedBefore(c, e.eip), cpuSwBefore,
  };
  let first: KnownDivergence | undefined;
  for (const line of diffs) {
    const k = entries.find((d) => d.explains(line, x));
    if (!k) return undefined;
    first ??= k;
  }
  return first;
}
