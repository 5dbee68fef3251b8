import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient } from './adapter-client';
import { baseName, kernelFile, launchAndStop, named, scopeVariables, stack, userFile, USER_PROGRAMS } from './kernel-session';

const TIMER_FIRST_LINE = 15;

describe('protocol: stack traces across interrupts and rings', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('unwinds the timer handler through trap() and alltraps to the interrupted kernel idle loop', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const frames = await stack(dc);
    const names = frames.map(baseName);
    assert.deepStrictEqual(names.slice(0, 3), ['timer_interrupt', 'trap', 'alltraps'], names.join(' < '));
    const label = frames[3];
    assert.strictEqual(label.name, '[interrupt 32 from ring 0]');
    assert.strictEqual(label.presentationHint, 'label');
    assert.ok(names.includes('scheduler') && names.includes('kmain'), names.join(' < '));
    assert.strictEqual(frames[1].source?.path, kernelFile('trap.c'));
    assert.strictEqual(frames[2].source?.path, kernelFile('trap.S'));
  });

  it('shows ring-3 user frames with their own symbols below the interrupt frame', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE, condition: '(tf->cs & 3) == 3' }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    const frames = await stack(dc);
    const i = frames.findIndex((f) => f.name === '[interrupt 32 from ring 3]');
    assert.ok(i > 0, frames.map((f) => f.name).join(' < '));
    const user = frames[i + 1];
    assert.ok(user.source?.path?.startsWith(userFile('')), `user frame source ${user.source?.path}`);
    assert.ok(Number(user.instructionPointerReference) >= 0x40000000, user.instructionPointerReference);
    // The outermost user frame is crt0's _start.
    assert.strictEqual(baseName(frames[frames.length - 1]), '_start');
    // The interrupted frame's registers are what the CPU and alltraps saved: EIP equals the trap frame's.
    const eip = await dc.evaluateRequest({ expression: 'tf->eip', frameId: frames[0].id, context: 'watch' });
    assert.strictEqual(Number(eip.body.result), Number(user.instructionPointerReference));
    const regs = await scopeVariables(dc, user.id, 'Registers');
    assert.strictEqual(named(regs, 'ring').value, '3');
  });
});
