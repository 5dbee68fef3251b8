import * as assert from 'assert';
import { compareOutcomes } from './compare';
import { fromCpu, fromHex, initialData, Outcome, toFlatUserCase } from './convert';
import { loadRunFlatUserCase } from './cpu-loader';
import { FX, FlagFx } from './flag-effects';
import { GenCase } from './generators/stream';
import { CODE_BASE, STACK_TOP } from './layout';

/**
 * Divergences found by the differential test, frozen as literal cases with the expected answer recorded (from the
 * oracle's output, or derived from the SDM where noted), so a fix stays fixed without needing the oracle.
 * Add one per fixed bug: the bytes, the inputs, the answer, and where it came from.
 */
interface Regression {
  name: string;
  /** Where the expected answer came from. */
  source: string;
  code: string;
  regs?: Partial<Record<'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi', number>>;
  eflags?: number;
  mem?: { addr: number; hex: string }[];
  /** One flag effect per instruction, for masking undefined flags exactly as the random test does. */
  fx: FlagFx[];
  lens: number[];
  expect: {
    status: 'ok' | 'exception';
    vector?: number;
    errorCode?: number;
    cr2?: number;
    eipOffset: number;
    regs: Partial<Record<'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi', number>>;
    eflags: number;
    /** Data-region bytes changed by the run. */
    mem?: { addr: number; hex: string }[];
  };
}

const R = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

const REGRESSIONS: Regression[] = [
  {
    name: 'SHL by CL=0 leaves every flag alone (SDM SAL/SAR/SHL/SHR: "If the count is 0, the flags are not affected")',
    source: 'SDM',
    code: 'd3e0', regs: { eax: 0x80000001, ecx: 0 }, eflags: 0x8d5, fx: [FX.none], lens: [2],
    expect: { status: 'ok', eipOffset: 2, regs: { eax: 0x80000001, ecx: 0 }, eflags: 0x8d5 | 0x202 },
  },
  {
    name: 'DIV by zero is a fault: #DE with EIP at the DIV and nothing written',
    source: 'SDM (DIV: #DE "If the source operand (divisor) is 0")',
    code: 'f7f1', regs: { eax: 1234, edx: 0, ecx: 0 }, fx: [FX.div], lens: [2],
    expect: { status: 'exception', vector: 0, errorCode: 0, eipOffset: 0, regs: { eax: 1234, edx: 0, ecx: 0 }, eflags: 0x202 },
  },
  {
    // Found by running the generators through runFlatUserCase (seed 0x52494e47, alu case #6, string case #11):
    // the CPU harness identity-maps its descriptor tables at 0x1000-0x7fff as supervisor pages, so a user access
    // there faults with P=1 (error 5/7) where the oracle, whose first 64 KiB are unmapped, reports 4/6.
    name: 'a user read below 64 KiB (16-bit addressing) is a not-present #PF: error code 4, CR2 = address',
    source: 'oracle README (address layout: everything outside code/data/harness unmapped, read -> error 4)',
    code: '678b04', regs: { esi: 0x33ec }, fx: [FX.none], lens: [3],
    expect: { status: 'exception', vector: 14, errorCode: 4, cr2: 0x33ec, eipOffset: 0, regs: {}, eflags: 0x202 },
  },
  // Found by the QEMU-run differential (seed 0x52494e47, atomic case #561: xchg dh,[bp+si+5Ah] -> error 6, the
  // CPU said 4): read-modify-write destinations were read as plain reads.
  ...(
    [
      ['ADD [esi],eax', '0106', FX.arith],
      ['INC dword [esi]', 'ff06', FX.incdec],
      ['NOT byte [esi]', 'f616', FX.none],
      ['XCHG [esi],eax', '8706', FX.none],
      ['XADD [esi],eax', '0fc106', FX.arith],
      ['CMPXCHG [esi],ecx', '0fb10e', FX.arith],
      ['BTS [esi],eax', '0fab06', FX.bt],
      ['SHL dword [esi],1', 'd126', FX.none],
      ['SHRD [esi],eax,3', '0fac0603', FX.none],
    ] as [string, string, FlagFx][]
  ).map(([what, code, fx]): Regression => ({
    name: `${what} on a not-present page faults with W=1 (error code 6): the destination is read for writing`,
    source: 'SDM Vol. 3A 4.7 (W/R flag of the #PF error code: the access causing the fault was a write; an RMW ' +
      'locks/reads with write intent) and the QEMU-run oracle on the same bytes',
    code, regs: { esi: 0x33ec }, fx: [fx], lens: [code.length / 2],
    expect: { status: 'exception', vector: 14, errorCode: 6, cr2: 0x33ec, eipOffset: 0, regs: {}, eflags: 0x202 },
  })),
  {
    name: 'CMP [esi],eax on a not-present page is a read: error code 4',
    source: 'SDM Vol. 3A 4.7',
    code: '3906', regs: { esi: 0x33ec }, fx: [FX.arith], lens: [2],
    expect: { status: 'exception', vector: 14, errorCode: 4, cr2: 0x33ec, eipOffset: 0, regs: {}, eflags: 0x202 },
  },
  {
    // Found by the QEMU-run differential (seed 0x52494e47, bcd case #1168).
    name: 'DAS with AF=1 and AL < 6 sets CF from the borrow of AL-6 (AL=05h -> FFh, CF=1, AF=1)',
    source: 'SDM DAS Operation ("CF := old_CF or (Borrow from AL := AL - 6)") and the QEMU-run oracle',
    code: '2f', regs: { eax: 0x1005 }, eflags: 0x10, fx: [FX.daa], lens: [1],
    expect: { status: 'ok', eipOffset: 1, regs: { eax: 0x10ff }, eflags: 0x202 | 0x10 | 0x80 | 0x4 | 0x1 },
  },
  {
    // Found by the QEMU-run differential (seed 0x52494e47, fault case #968): the flat-user harness had no TSS, so
    // the I/O permission check read the bitmap offset from linear 0x66 and page-faulted.
    name: 'IN AL,60h at CPL 3 with IOPL 0 is #GP(0) (I/O map base beyond the TSS limit, as Linux leaves it)',
    source: 'SDM IN ("#GP(0) If the CPL is greater than (has less privilege) the I/O privilege level (IOPL) and any ' +
      'of the corresponding I/O permission bits in TSS for the I/O port being accessed is 1"; Vol. 1 19.5.2: bits ' +
      'beyond the TSS limit count as 1) and the oracle README (IN/OUT -> #GP(0))',
    code: 'e460', fx: [FX.none], lens: [2],
    expect: { status: 'exception', vector: 13, errorCode: 0, eipOffset: 0, regs: {}, eflags: 0x202 },
  },
];

function toCase(r: Regression): GenCase {
  const regs = R.map((n) => (r.regs?.[n] ?? (n === 'esp' ? STACK_TOP : 0)) >>> 0);
  const instrs = r.lens.map((len, i) => ({ off: r.lens.slice(0, i).reduce((s, x) => s + x, 0), len, fx: r.fx[i] }));
  return {
    cls: 'regression', seed: 0, code: fromHex(r.code), regs, eflags: (r.eflags ?? 0) & 0x40cd5,
    mem: (r.mem ?? []).map((m) => ({ addr: m.addr, bytes: fromHex(m.hex) })), readonlyPages: [], unmappedPages: [],
    instrs, undefRegs: 0,
  };
}

function expected(r: Regression, c: GenCase): Outcome {
  const data = initialData(c);
  for (const m of r.expect.mem ?? []) data.set(fromHex(m.hex), m.addr - 0x20000000);
  const st = Array.from({ length: 8 }, () => new Uint8Array(10));
  return {
    status: r.expect.status, vector: r.expect.vector, errorCode: r.expect.errorCode, cr2: r.expect.cr2,
    eip: CODE_BASE + r.expect.eipOffset,
    regs: R.map((n, i) => (r.expect.regs[n] ?? c.regs[i]) >>> 0),
    eflags: r.expect.eflags >>> 0, data, fpu: { cw: 0x37f, sw: 0, tw: 0xffff, st },
  };
}

describe('cpu-diff regressions (literal cases)', function () {
  const run = loadRunFlatUserCase();
  for (const r of REGRESSIONS) {
    it(r.name, function () {
      // The harness exists now: its absence is a failure, never a skip.
      assert.ok(run, 'runFlatUserCase (src/vmm/cpu/testing/flat-user.ts) could not be loaded');
      const c = toCase(r);
      const diffs = compareOutcomes(c, expected(r, c), fromCpu(run(toFlatUserCase(c))));
      assert.deepStrictEqual(diffs, [], `${r.name} (expected answer from ${r.source})`);
    });
  }
});
