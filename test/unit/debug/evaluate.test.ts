import * as assert from 'node:assert';
import { evaluateSync, formatResult, type EvalScope } from '../../../src/debug/evaluate';
import { TypeNames } from '../../../src/debug/type-names';
import type { CpuState } from '../../../src/vmm/monitor/protocol';

const seg = { selector: 0x10, base: 0, limit: 0xffffffff, access: 0x93 };
const state = {
  gpr: { eax: 0xfffffffe, ecx: 2, edx: 0, ebx: 0x1000, esp: 0x8000, ebp: 0x8010, esi: 0, edi: 0 },
  eip: 0x100000, eflags: 0x202, cpl: 0,
  seg: { es: seg, cs: { ...seg, selector: 8 }, ss: seg, ds: seg, fs: seg, gs: seg },
  cr: { cr0: 0x80000011, cr2: 0, cr3: 0x2000, cr4: 0 },
  dr: [0, 0, 0, 0, 0, 0, 0, 0],
} as unknown as CpuState;

function scope(): EvalScope {
  const mem = new Uint8Array(0x100);
  new DataView(mem.buffer).setUint32(0x10, 0x2badb002, true);
  mem[0x20] = 0xff;
  return {
    state,
    types: new TypeNames(),
    read: (a, n) => (a >= 0x8000 && a + n <= 0x8100 ? mem.subarray(a - 0x8000, a - 0x8000 + n) : undefined),
  };
}

const text = (expr: string): string => {
  const s = scope();
  return formatResult(evaluateSync(expr, s), s);
};

describe('debug: expression evaluation without symbols', () => {
  it('reads registers as 32-bit values, with parts and aliases', () => {
    assert.strictEqual(text('$eax'), '0xfffffffe (-2)');
    assert.strictEqual(text('$ax + $cl'), '0x10000 (65536)');
    assert.strictEqual(text('$cs.base + $cs'), '0x8 (8)');
    assert.strictEqual(text('$cr0 >> 31'), '0x1 (1)');
  });

  it('compares and divides untyped values unsigned, as addresses are', () => {
    assert.strictEqual(text('$eax > 1'), '0x1 (1)');
    assert.strictEqual(text('$eax / 2'), '0x7fffffff (2147483647)');
    assert.throws(() => text('1 % 0'), /division by zero/);
  });

  it('loads 32 bits through a plain number, and typed values through casts', () => {
    assert.strictEqual(text('*($ebp)'), '0x2badb002 (732803074)');
    assert.strictEqual(text('*(unsigned char *)($esp + 0x20)'), "255 '\\xff'");
    assert.strictEqual(text('*(char *)($esp + 0x20)'), "-1 '\\xff'");
    assert.strictEqual(text('((int *)$esp)[4]'), '732803074');
    assert.strictEqual(text('(short)0x18000'), '-32768');
    assert.throws(() => text('*(int *)0x10'), /cannot read 4 bytes at 0x10: not mapped/);
    assert.throws(() => text('nosuch'), /no variable, register or symbol named nosuch/);
  });

  it('scales pointer arithmetic by the target size', () => {
    assert.strictEqual(text('(int *)0x1000 + 3'), '0x0000100c');
    assert.strictEqual(text('(int *)0x1010 - (int *)0x1000'), '0x4 (4)');
    assert.strictEqual(text('sizeof(unsigned short) * 3'), '0x6 (6)');
  });
});
