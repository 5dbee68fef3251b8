import * as assert from 'node:assert';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sampleKernel, sampleKernelDir } from '../support/repo';
import { startClient } from './adapter-client';

const MAIN_C = () => path.join(sampleKernelDir(), 'kernel', 'main.c');
const TIMER_C = () => path.join(sampleKernelDir(), 'kernel', 'timer.c');
/** kmain's first statement, and a later line in it, in samples/workspace/kernel/kernel/main.c. */
const KMAIN_FIRST_LINE = 38;
const GDT_INIT_LINE = 45;
const IDT_INIT_LINE = 46;

async function launchTo(dc: DebugClient, file: string, line: number, extra: Record<string, unknown> = {}): Promise<DebugProtocol.StackFrame> {
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped');
  await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), serial: 'debugConsole', ...extra } as never);
  const bps = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line }] });
  assert.ok(bps.body.breakpoints[0].verified, `breakpoint at ${path.basename(file)}:${line} verified: ${bps.body.breakpoints[0].message ?? ''}`);
  await dc.configurationDoneRequest();
  const ev = await stopped;
  assert.strictEqual(ev.body.reason, 'breakpoint');
  const st = await dc.stackTraceRequest({ threadId: ev.body.threadId! });
  return st.body.stackFrames[0];
}

describe('protocol: debugging the sample kernel', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('hits a source breakpoint in kmain with the frame at main.c', async () => {
    const top = await launchTo(dc, MAIN_C(), KMAIN_FIRST_LINE);
    assert.strictEqual(top.name.replace(/\+.*/, ''), 'kmain');
    assert.strictEqual(top.source?.path, MAIN_C());
    assert.strictEqual(top.line, KMAIN_FIRST_LINE);
  });

  it('shows the Registers scope with EIP at the breakpoint in 32-bit protected mode, CPL 0', async () => {
    const top = await launchTo(dc, MAIN_C(), KMAIN_FIRST_LINE);
    const scopes = await dc.scopesRequest({ frameId: top.id });
    const regs = scopes.body.scopes.find((s) => s.name === 'Registers')!;
    const vars = await dc.variablesRequest({ variablesReference: regs.variablesReference });
    const eip = vars.body.variables.find((v) => v.name === 'eip')!;
    assert.strictEqual(Number(eip.value.split(/\s/)[0]), Number(top.instructionPointerReference));
    const mode = vars.body.variables.find((v) => v.name === 'mode')!;
    assert.match(mode.value, /protected32, CPL 0/);
  });

  it('steps over a line: from gdt_init() to idt_init()', async () => {
    await launchTo(dc, MAIN_C(), GDT_INIT_LINE);
    const stopped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'step');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].line, IDT_INIT_LINE);
  });

  it('steps into gdt_init and out again', async () => {
    await launchTo(dc, MAIN_C(), GDT_INIT_LINE);
    let stopped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1 });
    await stopped;
    let st = await dc.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].name.replace(/\+.*/, ''), 'gdt_init');
    assert.strictEqual(st.body.stackFrames[1].name.replace(/\+.*/, ''), 'kmain');
    stopped = dc.waitForEvent('stopped');
    await dc.stepOutRequest({ threadId: 1 });
    await stopped;
    st = await dc.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].name.replace(/\+.*/, ''), 'kmain');
  });

  it('reads memory and disassembles at the instruction pointer', async () => {
    const top = await launchTo(dc, MAIN_C(), KMAIN_FIRST_LINE);
    const mem = await dc.customRequest('readMemory', { memoryReference: top.instructionPointerReference, count: 16 });
    assert.strictEqual(Buffer.from(mem.body.data, 'base64').length, 16);
    const dis = await dc.customRequest('disassemble', { memoryReference: top.instructionPointerReference, instructionCount: 5 });
    assert.strictEqual(dis.body.instructions.length, 5);
    assert.strictEqual(Number(dis.body.instructions[0].address), Number(top.instructionPointerReference));
    assert.ok(dis.body.instructions.every((i: DebugProtocol.DisassembledInstruction) => i.instruction && i.instruction !== '??'));
  });

  it('evaluates registers and runs monitor commands in the console', async () => {
    await launchTo(dc, MAIN_C(), KMAIN_FIRST_LINE);
    // kmain's first argument, the multiboot magic, sits above the saved EBP and return address.
    const magic = await dc.evaluateRequest({ expression: '*($ebp + 8)', context: 'watch' });
    assert.match(magic.body.result, /^0x2badb002/);
    const sum = await dc.evaluateRequest({ expression: '*($ebp + 8) + 1 == 0x2badb003', context: 'watch' });
    assert.match(sum.body.result, /^0x1 /);
    const help = await dc.evaluateRequest({ expression: 'help', context: 'repl' });
    assert.match(help.body.result, /walk <address>/);
  });

  it('hits the timer interrupt handler after continuing', async () => {
    await launchTo(dc, MAIN_C(), KMAIN_FIRST_LINE);
    const timerLine = 15;
    const bp = await dc.setBreakpointsRequest({ source: { path: TIMER_C() }, breakpoints: [{ line: timerLine }] });
    assert.ok(bp.body.breakpoints[0].verified);
    const stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].name.replace(/\+.*/, ''), 'timer_interrupt');
  });

  it('pauses a running guest', async () => {
    await dc.initializeRequest();
    await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), serial: 'debugConsole' } as never);
    await dc.configurationDoneRequest();
    await new Promise((r) => setTimeout(r, 500));
    const stopped = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: 1 });
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'pause');
  });

  it('runs the kernel self-test to its isa-debug-exit', async () => {
    await dc.initializeRequest();
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
    const exited = dc.waitForEvent('exited', 100000);
    await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), cmdline: 'test', serial: 'debugConsole' } as never);
    await dc.configurationDoneRequest();
    await exited;
    const text = out.join('');
    assert.match(text, /ALL TESTS PASSED/, text.slice(-2000));
  });
});
