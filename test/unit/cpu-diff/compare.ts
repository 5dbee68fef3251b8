import { Outcome, hex } from './convert';
import { undefinedAfter } from './flag-effects';
import { GenCase, REG32 } from './generators/stream';
import { CODE_BASE, DATA_BASE, RF } from './layout';

export interface Masks {
  /** EFLAGS bits not compared: flags undefined at the stop point, plus RF in fault frames. */
  eflags: number;
  /** x87 condition codes not compared. */
  sw: number;
  /** GPRs not compared. */
  regs: number;
}

/**
 * What may legitimately differ for this case given where the reference stopped: replays the SDM flag effects of
 * the instructions that completed before the reported EIP (all of them when the run fell off the end or left
 * the code region through a jump).
 */
export function masksFor(c: GenCase, expected: Outcome): Masks {
  const off = expected.eip - CODE_BASE;
  const inCode = off >= 0 && off <= c.code.length;
  const done = c.instrs.filter((i) => !inCode || i.off + i.len <= off);
  const u = undefinedAfter(done.map((i) => i.fx));
  let eflags = u.flags;
  // The oracle (Linux) reports RF set in the image of fault-class exceptions; the contract does not ask for it.
  if (expected.status === 'exception') eflags |= RF;
  return { eflags, sw: u.sw, regs: c.undefRegs };
}

const h = (v: number | undefined): string => (v === undefined ? '-' : '0x' + (v >>> 0).toString(16));

/** Field-by-field differences between the reference (oracle) and the CPU; empty when they agree. */
export function compareOutcomes(c: GenCase, exp: Outcome, act: Outcome): string[] {
  const d: string[] = [];
  if (exp.status !== act.status) {
    d.push(`status: expected ${describeStatus(exp)}, got ${describeStatus(act)}`);
    return d;
  }
  // A timeout stops at an arbitrary point, a refused system call inside the kernel's conventions: status only.
  if (exp.status === 'timeout' || exp.status === 'syscall') return d;
  if (exp.status === 'exception' && exp.signal !== undefined) {
    // Only the signal is known (QEMU user mode): the vector must be one Linux reports with that signal, and a
    // page fault (si_code MAPERR/ACCERR) must be one with the same error code.
    const sig = linuxSignal(act.vector ?? -1);
    if (sig !== exp.signal) d.push(`vector: expected one Linux reports as ${exp.signal} (si_code ${exp.siCode}), got ${act.vector} (${sig})`);
    else if (exp.signal === 'SIGSEGV' && (exp.siCode === 1 || exp.siCode === 2) !== (act.vector === 14)) d.push(`vector: expected ${exp.siCode === 128 ? 'a #GP-class fault' : 'a page fault'}, got ${act.vector}`);
    else if (act.vector === 14 && (exp.errorCode ?? 0) !== (act.errorCode ?? 0)) d.push(`error code: expected ${h(exp.errorCode)}, got ${h(act.errorCode)}`);
  } else if (exp.status === 'exception') {
    if (exp.vector !== act.vector) d.push(`vector: expected ${exp.vector}, got ${act.vector}`);
    if ((exp.errorCode ?? 0) !== (act.errorCode ?? 0)) d.push(`error code: expected ${h(exp.errorCode)}, got ${h(act.errorCode)}`);
    if (exp.vector === 14 && exp.cr2 !== act.cr2) d.push(`cr2: expected ${h(exp.cr2)}, got ${h(act.cr2)}`);
  }
  if (exp.eip !== act.eip) d.push(`eip: expected ${h(exp.eip)} (+${exp.eip - CODE_BASE}), got ${h(act.eip)} (+${act.eip - CODE_BASE})`);
  const m = masksFor(c, exp);
  for (let r = 0; r < 8; r++) {
    if (m.regs >> r & 1) continue;
    if (exp.regs[r] !== act.regs[r]) d.push(`${REG32[r]}: expected ${h(exp.regs[r])}, got ${h(act.regs[r])}`);
  }
  const fe = exp.eflags & ~m.eflags;
  const fa = act.eflags & ~m.eflags;
  if (fe !== fa) {
    d.push(`eflags: expected ${h(exp.eflags)}, got ${h(act.eflags)} (compared bits ${h(~m.eflags & 0x3fffff)}, ` +
      `differing ${flagNames(fe ^ fa)})`);
  }
  if (!bytesEqual(exp.data, act.data)) d.push(...dataDiffs(exp.data, act.data));
  d.push(...fpuDiffs(exp, act, m.sw));
  return d;
}

/** The signal Linux (arch/x86/kernel/traps.c) sends a user process for each exception vector. */
function linuxSignal(vector: number): string {
  switch (vector) {
    case 0: case 16: case 19: return 'SIGFPE';
    case 1: case 3: return 'SIGTRAP';
    case 6: return 'SIGILL';
    case 7: case 10: case 11: case 12: case 17: return 'SIGBUS';
    case 4: case 5: case 13: case 14: return 'SIGSEGV';
    default: return `vector ${vector}`;
  }
}

function describeStatus(o: Outcome): string {
  return o.status === 'exception' ? `exception ${o.vector} (err ${h(o.errorCode)}) at ${h(o.eip)}` : `${o.status} at ${h(o.eip)}`;
}

const FLAG_NAMES: [number, string][] = [
  [0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'], [0x200, 'IF'], [0x400, 'DF'],
  [0x800, 'OF'], [0x3000, 'IOPL'], [0x4000, 'NT'], [0x10000, 'RF'], [0x20000, 'VM'], [0x40000, 'AC'],
  [0x80000, 'VIF'], [0x100000, 'VIP'], [0x200000, 'ID'],
];

export function flagNames(bits: number): string {
  const out = FLAG_NAMES.filter(([b]) => bits & b).map(([, n]) => n);
  const rest = bits & ~FLAG_NAMES.reduce((s, [b]) => s | b, 0);
  if (rest) out.push(h(rest));
  return out.join(' ') || 'none';
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length),
    Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** Differing runs of the data region (at most a few, each with both sides' bytes). */
function dataDiffs(e: Uint8Array, a: Uint8Array): string[] {
  if (e.length !== a.length) return [`data: expected ${e.length} bytes, got ${a.length}`];
  const out: string[] = [];
  for (let i = 0; i < e.length && out.length < 6; i++) {
    if (e[i] === a[i]) continue;
    let j = i;
    while (j < e.length && j - i < 32 && e[j] !== a[j]) j++;
    out.push(`mem ${h(DATA_BASE + i)}: expected ${hex(e.subarray(i, j))}, got ${hex(a.subarray(i, j))}`);
    i = j;
  }
  return out;
}

function fpuDiffs(e: Outcome, a: Outcome, swMask: number): string[] {
  const d: string[] = [];
  if (e.fpu.cw !== a.fpu.cw) d.push(`fpu cw: expected ${h(e.fpu.cw)}, got ${h(a.fpu.cw)}`);
  if ((e.fpu.sw & ~swMask) !== (a.fpu.sw & ~swMask)) d.push(`fpu sw: expected ${h(e.fpu.sw)}, got ${h(a.fpu.sw)} (mask ${h(swMask)})`);
  if (e.fpu.tw !== a.fpu.tw) d.push(`fpu tw: expected ${h(e.fpu.tw)}, got ${h(a.fpu.tw)}`);
  for (let i = 0; i < 8; i++) {
    const x = e.fpu.st[i];
    const y = a.fpu.st[i];
    if (!x || !y || hex(x) !== hex(y)) d.push(`st(${i}): expected ${x ? hex(x.slice().reverse()) : '-'}, got ${y ? hex(y.slice().reverse()) : '-'}`);
  }
  return d;
}

/** A human-readable mismatch report: how to reproduce it, the case, and the differences. */
export function formatMismatch(runSeed: number, index: number, c: GenCase, diffs: string[], disasm: string[]): string {
  const lines = [
    `[${c.cls}] case #${index} of seed ${runSeed} (RINGSIDE_DIFF_SEED=${runSeed}; case seed ${h(c.seed)})`,
    `  code: ${hex(c.code)}`,
    ...disasm,
    `  regs: ${c.regs.map((v, i) => `${REG32[i]}=${h(v)}`).join(' ')} eflags=${h(c.eflags)}`,
  ];
  if (c.mem.length) lines.push(`  mem: ${c.mem.map((m) => `${h(m.addr)}:${hex(m.bytes).slice(0, 64)}`).join(' ')}`);
  if (c.readonlyPages.length) lines.push(`  readonly: ${c.readonlyPages.map(h).join(' ')}`);
  if (c.unmappedPages.length) lines.push(`  unmapped: ${c.unmappedPages.map(h).join(' ')}`);
  if (c.fpu) lines.push(`  fpu: cw=${h(c.fpu.cw)} st=${c.fpu.st.map((s) => hex(s.slice().reverse())).join(',')}`);
  for (const x of diffs) lines.push(`  ! ${x}`);
  return lines.join('\n');
}
