import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sampleKernel, sampleKernelDir } from '../support/repo';
import { startClient } from './adapter-client';
import { baseName, kernelFile, launchAndStop, named, scopeVariables, stack, stepAndWait, userFile, USER_PROGRAMS } from './kernel-session';

const TIMER_FIRST_LINE = 15;
/** kernel/trap.S: trapret's `iret`. */
const IRET_LINE = 117;
/** user/usys.S: `int $0x80` in int80_syscall, and the `popl %edi` after it. */
const INT80_LINE = 20;
const AFTER_INT80_LINE = 21;
/** user/usys.S: `sysenter` in sysenter_syscall; the next line is where sysexit returns. */
const SYSENTER_LINE = 39;
/** user/fault.c: `*p = 42;` with p == NULL. */
const NULL_WRITE_LINE = 18;
const FROM_USER = '(tf->cs & 3) == 3';

async function cpl(dc: DebugClient, frame: DebugProtocol.StackFrame): Promise<string> {
  return named(await scopeVariables(dc, frame.id, 'Registers'), 'mode').value;
}

/** Stops at the idle loop's `sti; hlt` (the shell is waiting for input, nothing is runnable). */
async function launchToIdle(dc: DebugClient, extra: Record<string, unknown>): Promise<void> {
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped', 60000);
  await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), serial: 'debugConsole', ...extra } as never);
  const bp = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sti_hlt' }] });
  assert.ok(bp.body.breakpoints[0].verified);
  await dc.configurationDoneRequest();
  await stopped;
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
}

describe('protocol: stepping across ring transitions', function () {
  this.timeout(180000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('steps out of the timer handler to trapret, over its iret, and lands in ring 3', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE, condition: FROM_USER }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    await dc.setBreakpointsRequest({ source: { path: kernelFile('timer.c') }, breakpoints: [] });
    const interrupted = (await stack(dc)).find((f, i, all) => i > 0 && all[i - 1].name.startsWith('[interrupt 32'))!;
    assert.strictEqual((await stepAndWait(dc, 'stepOut')).body.reason, 'step');
    assert.strictEqual(baseName((await stack(dc))[0]), 'trap');
    await stepAndWait(dc, 'stepOut');
    let top = (await stack(dc))[0];
    assert.strictEqual(top.source?.path, kernelFile('trap.S'));
    const lines: number[] = [];
    for (let i = 0; i < 12 && top.source?.path === kernelFile('trap.S'); i++) {
      lines.push(top.line);
      await stepAndWait(dc, 'next');
      top = (await stack(dc))[0];
    }
    assert.ok(lines.includes(IRET_LINE), `went through trapret's iret: ${lines.join(', ')}`);
    assert.match(await cpl(dc, top), /CPL 3/);
    assert.ok(top.source?.path?.startsWith(userFile('')), `now in a user program: ${top.source?.path}`);
    // Back exactly where the timer interrupted it.
    assert.strictEqual(top.instructionPointerReference, interrupted.instructionPointerReference);
  });

  it('steps into int $0x80 from a user program: lands in vector128, then alltraps, in ring 0', async () => {
    await launchAndStop(dc, [{ file: userFile('usys.S'), line: INT80_LINE }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    let frames = await stack(dc);
    assert.match(await cpl(dc, frames[0]), /CPL 3/);
    await dc.setBreakpointsRequest({ source: { path: userFile('usys.S') }, breakpoints: [] });
    await stepAndWait(dc, 'stepIn');
    frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'vector128');
    assert.strictEqual(frames[0].source?.path, kernelFile('trap.S'));
    assert.match(await cpl(dc, frames[0]), /CPL 0/);
    assert.strictEqual(frames[1].name, '[interrupt 128 from ring 3]');
    assert.strictEqual(baseName(frames[2]), 'int80_syscall');
    for (let i = 0; i < 4 && baseName(frames[0]) !== 'alltraps'; i++) {
      await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
      frames = await stack(dc);
    }
    assert.strictEqual(baseName(frames[0]), 'alltraps');
    assert.ok(frames.some((f) => f.name === '[interrupt 128 from ring 3]'));
  });

  it('steps into sysenter: lands in sysenter_entry, with the user frame below a sysenter label', async () => {
    await launchAndStop(dc, [{ file: userFile('usys.S'), line: SYSENTER_LINE }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    await dc.setBreakpointsRequest({ source: { path: userFile('usys.S') }, breakpoints: [] });
    await stepAndWait(dc, 'stepIn');
    let frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'sysenter_entry');
    assert.match(await cpl(dc, frames[0]), /CPL 0/);
    assert.strictEqual(frames[1].name, '[sysenter from ring 3]');
    assert.strictEqual(baseName(frames[2]), 'sysenter_syscall');
    assert.strictEqual(frames[2].line, SYSENTER_LINE + 1);
    // Still recognised once the entry code has pushed its frame and saved the registers.
    for (let i = 0; i < 8; i++) await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
    frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'sysenter_entry');
    assert.strictEqual(frames[1].name, '[sysenter from ring 3]');
    assert.strictEqual(baseName(frames[2]), 'sysenter_syscall');
  });

  it('steps into a faulting line of a user program: lands in the page-fault stub, below it the fault frame', async () => {
    await launchAndStop(dc, [{ file: userFile('fault.c'), line: NULL_WRITE_LINE }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    await dc.setBreakpointsRequest({ source: { path: userFile('fault.c') }, breakpoints: [] });
    await stepAndWait(dc, 'stepIn');
    const frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'vector14');
    assert.strictEqual(frames[1].name, '[#PF (exception 14) from ring 3]');
    assert.strictEqual(baseName(frames[2]), 'main');
    assert.strictEqual(frames[2].source?.path, userFile('fault.c'));
    assert.strictEqual(frames[2].line, NULL_WRITE_LINE);
    const cr2 = await dc.evaluateRequest({ expression: '$cr2', frameId: frames[0].id, context: 'watch' });
    assert.match(cr2.body.result, /^0x0 /);
  });

  it('steps over int $0x80: the whole system call runs and the step ends on the next line in ring 3', async () => {
    await launchAndStop(dc, [{ file: userFile('usys.S'), line: INT80_LINE }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    await dc.setBreakpointsRequest({ source: { path: userFile('usys.S') }, breakpoints: [] });
    await stepAndWait(dc, 'next');
    const top = (await stack(dc))[0];
    assert.strictEqual(top.source?.path, userFile('usys.S'));
    assert.strictEqual(top.line, AFTER_INT80_LINE);
    assert.match(await cpl(dc, top), /CPL 3/);
  });

  it('steps over sysenter: the system call runs and the step ends where sysexit returns, in ring 3', async () => {
    await launchAndStop(dc, [{ file: userFile('usys.S'), line: SYSENTER_LINE }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    await dc.setBreakpointsRequest({ source: { path: userFile('usys.S') }, breakpoints: [] });
    await stepAndWait(dc, 'next');
    const top = (await stack(dc))[0];
    assert.strictEqual(top.source?.path, userFile('usys.S'));
    assert.strictEqual(top.line, SYSENTER_LINE + 1);
    assert.match(await cpl(dc, top), /CPL 3/);
  });

  it('steps by instruction over an iret straight into ring 3', async () => {
    await launchAndStop(dc, [{ file: kernelFile('trap.S'), line: IRET_LINE, condition: '*(int *)($esp + 4) == 0x1b' }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    await dc.setBreakpointsRequest({ source: { path: kernelFile('trap.S') }, breakpoints: [] });
    const target = Number((await dc.evaluateRequest({ expression: '*(int *)$esp', context: 'watch' })).body.result.split(' ')[0]);
    await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
    const top = (await stack(dc))[0];
    assert.strictEqual(Number(top.instructionPointerReference), target >>> 0);
    assert.match(await cpl(dc, top), /CPL 3/);
  });

  it('steps over sti; hlt in the idle loop without landing in the timer handler (the default)', async () => {
    await launchToIdle(dc, {});
    await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
    const atHlt = Number((await stack(dc))[0].instructionPointerReference);
    await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
    const frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'sti_hlt', frames.map((f) => f.name).join(' < '));
    // One instruction on, past the one-byte hlt, after the timer interrupt that woke it was handled.
    assert.strictEqual(Number(frames[0].instructionPointerReference), atHlt + 1);
  });

  it('lands in the timer handler when stepping a hlt with stepSkipsInterrupts: false', async () => {
    await launchToIdle(dc, { stepSkipsInterrupts: false });
    await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
    await stepAndWait(dc, 'stepIn', { granularity: 'instruction' });
    const frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'vector32', frames.map((f) => f.name).join(' < '));
    assert.strictEqual(frames[1].name, '[interrupt 32 from ring 0]');
    assert.strictEqual(baseName(frames[2]), 'sti_hlt');
  });

  it('keeps stepping when a conditional breakpoint inside a stepped-over call is false', async () => {
    // kmain's gdt_init() line, stepped over with a never-true breakpoint inside gdt_init.
    await launchAndStop(dc, [{ file: kernelFile('main.c'), line: 45 }]);
    const bp = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'gdt_init', condition: '0' }] });
    assert.ok(bp.body.breakpoints[0].verified);
    await stepAndWait(dc, 'next');
    const top = (await stack(dc))[0];
    assert.strictEqual(baseName(top), 'kmain');
    assert.strictEqual(top.line, 46);
  });
});
