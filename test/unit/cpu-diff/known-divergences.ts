import { MemorySize, Mnemonic, OpAccess, Register } from 'iced-x86';
import { compareOutcomes, masksFor } from './compare';
import { Outcome } from './convert';
import { CODE_BASE, DATA_BASE } from './layout';
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
  /** The CPU's outcome running only the code before offset `off` (an instruction start), for state a later
   * instruction hides (FNCLEX) or that QEMU stopped at early. */
  cpuBefore?: (off: number) => Outcome | undefined;
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

/** Status-word bits that differ outside C0, C2, C3 (compareOutcomes masks those where the SDM leaves them undefined). */
function swDiff(x: DivergenceContext): number {
  return (x.expected.fpu.sw ^ x.actual.fpu.sw) & ~0x4500;
}

/**
 * The status words differ only in C1 (qemu-x87-c1) and in a DE the CPU set (qemu-x87-no-denormal-operand): the two
 * QEMU departures can meet in one case (a denormal operand whose result is rounded up), each entry explains both.
 */
function onlyC1AndDe(x: DivergenceContext): boolean {
  return (swDiff(x) & ~(0x200 | deBits(x.actual.fpu.sw, x.actual.fpu.cw))) === 0;
}

/** DE as the CPU set it, with ES and B when DE is unmasked (SDM 8.1.3: ES/B summarise unmasked exceptions). */
function deBits(sw: number, cw: number): number {
  if ((sw & 0x2) === 0) return 0;
  return (cw & 0x2) === 0 ? 0x2 | (sw & 0x8080) : 0x2;
}

/** Whether the CPU's and QEMU's copies of a status word (c: CPU, q: QEMU) differ only in C1 and a DE the CPU set. */
function swCopyDiffersInC1De(c: number, q: number, cw: number): boolean {
  return ((c ^ q) & ~(0x200 | deBits(c, cw))) === 0;
}

/**
 * A `mem` or `eax:` line that is a copy of status words differing only in C1/DE (onlyC1AndDe): EAX's low half
 * after FNSTSW AX, or the bytes FNSTSW m16 wrote (the whole data region is checked: every differing byte must be
 * one of those, differing only in those bits).
 */
function swCopyLine(l: string, x: DivergenceContext): boolean {
  const stsw = x.completed.filter((i) => i.mnemonic === Mnemonic.Fnstsw || i.mnemonic === Mnemonic.Fstsw);
  if (!stsw.length) return false;
  if (l.startsWith('eax:')) {
    const a = x.actual.regs[0];
    const e = x.expected.regs[0];
    return stsw.some((i) => i.mem.length === 0) && (a >>> 16) === (e >>> 16) && swCopyDiffersInC1De(a & 0xffff, e & 0xffff, x.actual.fpu.cw);
  }
  if (!l.startsWith('mem ')) return false;
  const dest = stsw.flatMap((i) => i.mem.map((m) => m.addr)).filter((a): a is number => a !== undefined);
  const ea = x.expected.data;
  const aa = x.actual.data;
  for (let k = 0; k < ea.length; k++) {
    if (ea[k] === aa[k]) continue;
    const addr = DATA_BASE + k;
    const lo = dest.includes(addr);
    if (!lo && !dest.includes(addr - 1)) return false;
    // The byte's place in the word: the low byte holds DE (bit 1), the high byte C1 (bit 9 = its bit 1).
    const c = lo ? aa[k] : aa[k] << 8;
    const q = lo ? ea[k] : ea[k] << 8;
    if (!swCopyDiffersInC1De(c, q, x.actual.fpu.cw)) return false;
  }
  return true;
}

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

/** The case's initial data bytes at [addr, addr+len) (the data region starts zero-filled). */
function initialBytes(c: GenCase, addr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (const m of c.mem) {
    for (let k = 0; k < len; k++) {
      const o = addr + k - m.addr;
      if (o >= 0 && o < m.bytes.length) out[k] = m.bytes[o];
    }
  }
  return out;
}

/**
 * The x87 control word in effect when `insn` runs: the case's initial one, followed through FNINIT/FINIT and FLDCW
 * (whose operand is read from the initial image); undefined after FRSTOR/FLDENV or an FLDCW without a known address.
 */
function cwAt(x: DivergenceContext, insn: InsnInfo): number | undefined {
  let cw: number | undefined = x.c.fpu?.cw ?? 0x37f;
  for (const i of x.completed) {
    if (i.off >= insn.off) break;
    const m = i.mnemonic;
    if (m === Mnemonic.Fninit || m === Mnemonic.Finit) cw = 0x37f;
    else if (m === Mnemonic.Fldcw) {
      const a = i.mem[0]?.addr;
      if (a === undefined) return undefined;
      const b = initialBytes(x.c, a, 2);
      cw = b[0] | (b[1] << 8);
    } else if (m === Mnemonic.Frstor || m === Mnemonic.Fldenv) {
      cw = undefined;
    }
  }
  return cw;
}

/** Whether a double (8 bytes, little-endian) has significant bits beyond the first 24: rounding it to single changes it. */
function doubleNeedsMoreThan24Bits(b: Uint8Array): boolean {
  const hi = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
  const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  const exp = (hi >>> 20) & 0x7ff;
  if (exp === 0x7ff) return false; // Inf/NaN: no rounding
  let frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) {
    if (frac === 0n) return false;
    // A denormal double is normal in the extended format: its significand starts at its highest set bit.
    const bits = frac.toString(2).length;
    return bits > 24 && (frac & ((1n << BigInt(bits - 24)) - 1n)) !== 0n;
  }
  frac &= (1n << 29n) - 1n; // the 52 - 23 fraction bits a single does not keep
  return frac !== 0n;
}

/** Whether a 32-bit integer (little-endian) has more than 24 significant bits: rounding it to single changes it. */
function int32NeedsMoreThan24Bits(b: Uint8Array): boolean {
  const v = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  let m = Math.abs(v); // 2^31 for INT32_MIN: one significant bit
  while (m !== 0 && m % 2 === 0) m /= 2;
  return m >= 1 << 24;
}

/** The x87 forms whose 32-bit integer memory operand QEMU converts under the precision control (FILD is exact). */
const INT_OPERAND_ARITH = new Set<Mnemonic>([
  Mnemonic.Fiadd, Mnemonic.Fisub, Mnemonic.Fisubr, Mnemonic.Fimul, Mnemonic.Fidiv, Mnemonic.Fidivr,
  Mnemonic.Ficom, Mnemonic.Ficomp,
]);

/**
 * The completed x87 instructions whose memory operand QEMU rounds to the precision control before using it (see
 * qemu-memory-operand-rounded-to-pc): a double (FLD m64 and the DC forms) or a 32-bit integer of the arithmetic
 * forms, whose value (in the case's initial image) is not exact in 24 bits, with PC = single in effect.
 */
function operandsQemuRounds(x: DivergenceContext): InsnInfo[] {
  return x.completed.filter((i) => ((cwAt(x, i) ?? 0x300) & 0x300) === 0 && i.mem.some((m) => {
    if (m.access !== OpAccess.Read || m.addr === undefined) return false;
    if (m.size === MemorySize.Float64) return doubleNeedsMoreThan24Bits(initialBytes(x.c, m.addr, 8));
    return m.size === MemorySize.Int32 && INT_OPERAND_ARITH.has(i.mnemonic) &&
      int32NeedsMoreThan24Bits(initialBytes(x.c, m.addr, 4));
  }));
}

/** Instructions that can raise SIGTRAP at CPL 3 by themselves or by setting TF. */
const TRAP_SOURCES = new Set<Mnemonic>([Mnemonic.Int3, Mnemonic.Int1, Mnemonic.Popf, Mnemonic.Popfd, Mnemonic.Iret, Mnemonic.Iretd, Mnemonic.Int]);

const X87_STORES = new Set<Mnemonic>([
  Mnemonic.Fst, Mnemonic.Fstp, Mnemonic.Fist, Mnemonic.Fistp, Mnemonic.Fisttp, Mnemonic.Fbstp,
  Mnemonic.Fnstsw, Mnemonic.Fstsw,
]);
const EFLAGS_FROM_X87 = new Set<Mnemonic>([Mnemonic.Fcomi, Mnemonic.Fcomip, Mnemonic.Fucomi, Mnemonic.Fucomip, Mnemonic.Sahf]);

/**
 * Whether a diff line depends only on x87 values that QEMU computed differently from `sources` on: ST(i), the
 * status word (PE, C0-C3, and ES/B when PE is unmasked), memory or AX written after by an x87 store/FNSTSW, and
 * ZF PF CF after FCOMI/SAHF.
 */
function x87ValueLine(l: string, x: DivergenceContext, sources: InsnInfo[], own?: { swBits: number }): boolean {
  if (!sources.length) return false;
  const first = sources[0].off;
  // `own`: the source instruction's own effects differ too (it stores or pops), not only what follows it.
  const after = (set: Set<Mnemonic>): boolean =>
    x.completed.some((i) => (own ? i.off >= first : i.off > first) && set.has(i.mnemonic));
  if (l.startsWith('st(')) return true;
  if (l.startsWith('fpu sw:')) {
    const peUnmasked = (x.expected.fpu.cw & 0x20) === 0;
    return ((x.expected.fpu.sw ^ x.actual.fpu.sw) & ~(0x4720 | (peUnmasked ? 0x8080 : 0) | (own?.swBits ?? 0))) === 0;
  }
  if (l.startsWith('mem ') || l.startsWith('eax:')) return after(X87_STORES);
  if (l.startsWith('eflags:')) return after(EFLAGS_FROM_X87) && (flagDiff(x) & ~(ZF | PF | CF)) === 0;
  return false;
}

/** IE, DE, ZE, OE, UE: the x87 exceptions whose unmasked response leaves the destination alone (PE delivers it). */
const UNMASKED_KEEPS_OPERANDS = 0x1f;

/**
 * The first completed x87 instruction after which the CPU's ES is newly set by an unmasked IE, DE, ZE, OE or UE
 * that is not a stack fault (qemu-x87-no-stack-fault covers those), found by running the CPU on the code up to
 * each instruction's end (cpuBefore).
 */
function firstUnmaskedX87Exception(x: DivergenceContext): InsnInfo | undefined {
  if (!x.cpuBefore || (x.actual.fpu.sw & 0x80) === 0) return undefined;
  let before = x.cpuBefore(0);
  for (const i of x.completed) {
    const after = x.cpuBefore(i.off + i.bytes.length);
    if (!before || !after) return undefined;
    if ((before.fpu.sw & 0x80) === 0 && (after.fpu.sw & 0x80) !== 0) {
      const raised = after.fpu.sw & ~after.fpu.cw & UNMASKED_KEEPS_OPERANDS;
      return raised !== 0 && (after.fpu.sw & 0x40) === 0 ? i : undefined;
    }
    before = after;
  }
  return undefined;
}

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
      'before one of those instructions shows the stack fault (the QNaN/integer indefinite it produced stays in ' +
      'registers or memory, FCOMI\'s ZF PF CF = 111 in EFLAGS).',
    explains: (_l, x) => {
      if (!x.cpuBefore || (x.expected.fpu.sw & 0x40) !== 0) return false;
      return x.completed.some((i) => {
        if (i.mnemonic !== Mnemonic.Fnclex && i.mnemonic !== Mnemonic.Fninit) return false;
        const sw = x.cpuBefore!(i.off)?.fpu.sw;
        return sw !== undefined && (sw & 0x41) === 0x41;
      });
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
      'and FPREM, so it keeps a stale C1 or misses the round-up; only C1 differs (with a DE, see qemu-x87-no-denormal-' +
      'operand), in the status word and in the copies FNSTSW made of it (AX, memory).',
    explains: (l, x) => onlyC1AndDe(x) && (l.startsWith('fpu sw:') ? (swDiff(x) & 0x200) !== 0 : swCopyLine(l, x)),
  },
  {
    id: 'qemu-x87-no-denormal-operand',
    oracle: 'qemu',
    reason: 'SDM FLD (and the arithmetic pages), x87 exceptions: "#D Source operand is a denormal value" (not for ' +
      'an 80-bit source): DE (status word bit 1) is set. QEMU 7.2 never sets DE; only DE differs (with ES and B when DE is unmasked: SDM 8.1.3; with C1, ' +
      'see qemu-x87-c1), ' +
      'in the status word and in the copies FNSTSW made of it (AX, memory).',
    explains: (l, x) => onlyC1AndDe(x) && (l.startsWith('fpu sw:') ? (swDiff(x) & 0x2) !== 0 : swCopyLine(l, x)),
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
    id: 'qemu-memory-operand-rounded-to-pc',
    oracle: 'qemu',
    reason: 'SDM Vol. 1 8.1.5.2: "The precision-control bits only affect the results of the following floating-point ' +
      'instructions: FADD, ..., FDIV, ..., and FSQRT", and each of those converts its memory operand to the extended ' +
      'format exactly first (SDM FADD/FIADD etc.: "converts ... to double extended-precision floating-point format ' +
      'before performing the addition"; every double and int32 is representable), so the result is rounded once, ' +
      'and PE (8.5.6) means that result is inexact. With PC = single QEMU 7.2 rounds the operand itself to 24 bits: ' +
      'a double (FLD m64 and the DC forms: FADD/FSUB(R)/FMUL/FDIV(R)/FCOM(P) m64) setting PE even when the final ' +
      'result is exact; a 32-bit integer of FIADD/FISUB(R)/FIMUL/FIDIV(R)/FICOM(P) m32 silently (no PE, so 0 + n ' +
      'or n / 1 miss the PE of their rounding). It then computes with the rounded operand: FLD loads another value, ' +
      'FCOM compares it, the arithmetic rounds twice (x / x = 1 exactly became 0.99999994 with PE under round-up, ' +
      'below the exact quotient, which SDM 4.8.4 Table 4-8 forbids). Only where such an operand (its value in the ' +
      'initial image has bits beyond 24 significant ones) was read with PC = single in effect; the lines explained ' +
      'are those that depend on the x87 values: ST(i), the status word (PE, C0-C3, and ES/B when PE is unmasked), ' +
      'memory or AX written after by an x87 store/FNSTSW, ZF PF CF after FCOMI/SAHF.',
    explains: (l, x) => x87ValueLine(l, x, operandsQemuRounds(x)),
  },
  {
    id: 'qemu-frndint-rounded-to-pc',
    oracle: 'qemu',
    reason: 'SDM Vol. 1 8.1.5.2: precision control affects only FADD, FSUB(R), FMUL, FDIV(R) (and their P/I forms) ' +
      'and FSQRT; FRNDINT rounds to an integer by RC alone, so an integral ST(0) with more than 24 significant ' +
      'bits stays as it is, with no PE (this host\'s x87, through test/unit/fpu/oracle64, agrees). QEMU 7.2 rounds ' +
      'FRNDINT\'s result to 24 (PC = single) or 53 (double) bits, setting PE. Only when an FRNDINT ran with PC ' +
      'below extended; the lines explained are those of qemu-memory-operand-rounded-to-pc.',
    explains: (l, x) => x87ValueLine(l, x, x.completed.filter((i) => i.mnemonic === Mnemonic.Frndint &&
      ((cwAt(x, i) ?? 0x300) & 0x300) !== 0x300)),
  },
  {
    id: 'qemu-x87-unmasked-result-written',
    oracle: 'qemu',
    reason: 'SDM Vol. 1 4.9.1.1, 8.5.2, 8.5.3: with the invalid-operation (IE), denormal (DE) or divide-by-zero (ZE) ' +
      'exception unmasked, "the IE flag is set, a software exception handler is invoked, and the operands remain ' +
      'unaltered"; 8.5.4/8.5.5: an unmasked overflow or underflow (UE then on any tiny result, exact or not) leaves a ' +
      'memory destination unchanged and pops nothing (a register gets the biased result). The masked response (QNaN ' +
      'indefinite, infinity, the denormal or rounded value) is written only when masked. QEMU 7.2 writes the masked ' +
      'response anyway (FISTP stores the integer indefinite and pops, FSTP m64 stores a tiny value) and sets UE only ' +
      'as if masked. This host\'s x87 (test/unit/fpu/oracle64) agrees with the CPU on each kind seen. Only where the ' +
      'CPU, run up to and including an x87 instruction, shows that instruction raising an unmasked IE, DE, ZE, OE or ' +
      'UE (ES clear before, set after; not a stack fault); the lines explained are ST(i), the tag word, the status ' +
      'word\'s TOP, ES, B and those exception bits, and the lines of qemu-memory-operand-rounded-to-pc from it on.',
    explains: (l, x) => {
      const src = firstUnmaskedX87Exception(x);
      if (!src) return false;
      // The masked response QEMU applied includes the instruction's own store and pop.
      return l.startsWith('fpu tw:') || x87ValueLine(l, x, [src], { swBits: 0x3800 | 0x8080 | UNMASKED_KEEPS_OPERANDS });
    },
  },
  {
    id: 'qemu-cmpxchg8b-tf-trap',
    oracle: 'qemu',
    reason: 'SDM CMPXCHG8B, "Flags affected": only ZF. QEMU 7.2 can set TF (among other junk, see qemu-cmpxchg8b-' +
      'flags) in its EFLAGS after CMPXCHG8B, so it single-steps and reports SIGTRAP after the next instruction: a ' +
      'trap nothing in the case asks for (TF is 0 at the start; the case has no POPF/IRET to set it, no INT3/INT1). ' +
      'Accepted only when the CPU, run on the code up to where QEMU stopped, agrees with QEMU\'s state there ' +
      '(registers, memory, x87; not EFLAGS, which come from the same junk state).',
    explains: (_l, x) => {
      if (x.expected.signal !== 'SIGTRAP' || !x.cpuBefore) return false;
      const all = completedBefore(x.c, -1);
      if (all.some((i) => TRAP_SOURCES.has(i.mnemonic))) return false;
      if (!x.completed.some((i) => i.mnemonic === Mnemonic.Cmpxchg8b)) return false;
      const off = x.expected.eip - CODE_BASE;
      if (!x.c.instrs.some((i) => i.off === off) && off !== x.c.code.length) return false;
      const cut = x.cpuBefore(off);
      if (!cut || cut.status !== 'ok') return false;
      // EFLAGS are not compared: QEMU reports them from the same junk lazy-flags state that set TF (seed 14 case
      // #17214: ZF of a later LOCK CMPXCHG wrong, while the memory it wrote shows the comparison was equal).
      return compareOutcomes(x.c, { ...x.expected, status: 'ok' }, cut).every((l) => l.startsWith('eflags:'));
    },
  },
  {
    id: 'qemu-fst-sti-tag',
    oracle: 'qemu',
    reason: 'SDM FST/FSTP ST(i): the value is copied into ST(i), which is then a valid register (tag 00/01/10 by ' +
      'its contents). QEMU 7.2 copies the value but leaves the tag of ST(i) as it was (empty), so its tag word ' +
      'shows registers empty that hold a value, and an FXAM of that register after it reports "empty" (C3 C2 C0 = ' +
      '101; SDM FXAM: by class) where the CPU reports its class: C3 C2 C0 differ in the status word and in an ' +
      'FNSTSW AX copy taken after the FXAM.',
    explains: (l, x) => {
      const st = x.completed.find((i) => (i.mnemonic === Mnemonic.Fst || i.mnemonic === Mnemonic.Fstp) && i.mem.length === 0);
      if (!st || !tagsOnlyFilledByCpu(x.expected.fpu.tw, x.actual.fpu.tw)) return false;
      if (l.startsWith('fpu tw:')) return true;
      const fxam = x.completed.find((i) => i.mnemonic === Mnemonic.Fxam && i.off > st.off);
      if (!fxam) return false;
      if (l.startsWith('fpu sw:')) return ((x.expected.fpu.sw ^ x.actual.fpu.sw) & ~0x4500) === 0;
      if (!l.startsWith('eax:')) return false;
      const e = x.expected.regs[0];
      const a = x.actual.regs[0];
      return x.completed.some((i) => i.mnemonic === Mnemonic.Fnstsw && i.mem.length === 0 && i.off > fxam.off) &&
        (e >>> 16) === (a >>> 16) && ((e ^ a) & 0xffff & ~0x4500) === 0;
    },
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

/**
 * A case QEMU cannot answer at all: the process aborts (in a fresh process too, so it is the case, not a
 * poisoned process). Accepted only for QEMU and only for cases containing the instructions behind it: CMPXCHG8B,
 * or RCL/RCR with a memory operand.
 */
export const QEMU_ABORTS_ON_JUNK_IOPL = {
  id: 'qemu-junk-iopl-abort',
  oracle: 'qemu' as OracleKind,
  reason: 'QEMU 7.2 computes EFLAGS from a stale lazy-flags state after CMPXCHG8B (see qemu-cmpxchg8b-flags) and ' +
    'when an RCL/RCR with a memory operand faults (see qemu-flags-at-locked-fault); that state can set IOPL, and ' +
    'translating the next block QEMU\'s own consistency check fails ("translate.c: assertion failed: ' +
    '(IOPL(dc) == iopl)"): the process aborts. SDM: CMPXCHG8B changes only ZF, a fault leaves the EFLAGS of before ' +
    'the instruction (Vol. 3A 6.5), and at CPL 3 IOPL is 0 and cannot change (POPF/IRET leave it alone). The case ' +
    'gets no answer; the CPU\'s result for it is not compared.',
  applies: (kind: OracleKind, c: GenCase, error: string | undefined): boolean =>
    kind === 'qemu' && /QEMU dies on this case in a fresh process/.test(error ?? '') &&
    completedBefore(c, -1).some((i) => i.mnemonic === Mnemonic.Cmpxchg8b ||
      ((i.mnemonic === Mnemonic.Rcl || i.mnemonic === Mnemonic.Rcr) && i.mem.length > 0)),
};

/** The entry that explains the first line when every line is explained by some entry, else undefined. */
export function allowedBy(
  kind: OracleKind, c: GenCase, e: Outcome, a: Outcome, diffs: readonly string[],
  cpuBefore?: (off: number) => Outcome | undefined,
): KnownDivergence | undefined {
  const entries = KNOWN_DIVERGENCES.filter((k) => k.oracle === kind);
  if (!entries.length || !diffs.length) return undefined;
  const x: DivergenceContext = {
    c, expected: e, actual: a,
    faulting: a.status === 'exception' ? insnAt(c, a.eip) : undefined,
    completed: completedBefore(c, e.eip), cpuBefore,
  };
  let first: KnownDivergence | undefined;
  for (const line of diffs) {
    const k = entries.find((d) => d.explains(line, x));
    if (!k) return undefined;
    first ??= k;
  }
  return first;
}
