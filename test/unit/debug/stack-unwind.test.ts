import * as assert from 'node:assert';
import * as path from 'path';
import { unwindStack } from '../../../src/debug/stack-unwind';
import { loadSymbols } from '../../../src/debug/symbol-bridge';
import type { CpuState } from '../../../src/vmm/monitor/protocol';
import { repoRoot } from '../../support/repo';

const seg = (selector: number) => ({ selector, base: 0, limit: 0xffffffff, access: 0xc09b });

function cpuAt(eip: number, esp: number): CpuState {
  return {
    vm: 0, cpu: 0, eip, eflags: 2, cpl: 0, mode: 'protected32', halted: false, instructions: 0,
    gpr: { eax: 0, ecx: 0, edx: 0, ebx: 0, esp, ebp: 0, esi: 0, edi: 0 },
    seg: { es: seg(0x10), cs: seg(0x08), ss: seg(0x10), ds: seg(0x10), fs: seg(0x10), gs: seg(0x10) },
    cr: { cr0: 0x11, cr2: 0, cr3: 0, cr4: 0 }, dr: [0, 0, 0, 0, 0, 0, 0, 0x400],
    gdtr: { base: 0, limit: 0 }, idtr: { base: 0, limit: 0 }, ldtr: seg(0), tr: seg(0),
  };
}

describe('debug: stack unwinding with inlined calls', () => {
  // gcc -O2 inlines kernel.h's square() into timer_tick (test/fixtures/symbols/src).
  const { symbols } = loadSymbols([{ path: path.join(repoRoot(), 'test', 'fixtures', 'symbols', 'k-O2-dw5.elf'), offset: 0 }]);

  it('shows an inlined call as its own frame above its function, sharing its registers', () => {
    const pc = symbols!.table.all()[0].functionBreakpoints('square')[0];
    const frames = unwindStack(cpuAt(pc, 0x8000), 8, symbols, () => undefined);
    assert.deepStrictEqual(frames.slice(0, 2).map((f) => [f.name, f.kind]), [['square', 'inlined'], ['timer_tick', 'normal']]);
    assert.strictEqual(frames[0].regs, frames[1].regs);
    assert.strictEqual(frames[0].source?.location?.line, 54);
    // The function frame points at the call site of the inlined copy.
    assert.strictEqual(frames[1].source?.location?.line, 36);
  });

  it('stops at code without symbols rather than guessing', () => {
    const frames = unwindStack(cpuAt(0x5000, 0x8000), 8, symbols, () => undefined);
    assert.strictEqual(frames.length, 1);
    assert.strictEqual(frames[0].name, '0x00005000');
  });
});
