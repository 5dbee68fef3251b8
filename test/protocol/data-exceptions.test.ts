import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sampleKernel, sampleKernelDir } from '../support/repo';
import { startClient } from './adapter-client';
import { buildGuest } from './guest-build';
import { baseName, kernelFile, launchAndStop, named, scopeVariables, stack, userFile, USER_PROGRAMS } from './kernel-session';

const KMAIN_FIRST_LINE = 38;

async function continueToStop(dc: DebugClient): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped', 60000);
  await dc.continueRequest({ threadId: 1 });
  return (await stopped) as DebugProtocol.StoppedEvent;
}

/** Launches with exception filters set (after `initialized`, as VS Code does) and no source breakpoints. */
async function launchWithFilters(dc: DebugClient, filterOptions: DebugProtocol.ExceptionFilterOptions[], extra: Record<string, unknown> = {}, kernel = sampleKernel()): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped', 90000);
  await dc.launch({ kernel, cwd: sampleKernelDir(), serial: 'debugConsole', ...extra } as never);
  const r = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions });
  assert.ok(r.body?.breakpoints?.every((b) => b.verified));
  await dc.configurationDoneRequest();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

describe('protocol: data breakpoints and exception filters', function () {
  this.timeout(180000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('stops on a write to a global watched from the Variables view, naming it and the access', async () => {
    await launchAndStop(dc, [{ file: kernelFile('main.c'), line: KMAIN_FIRST_LINE }]);
    const top = (await stack(dc))[0];
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
    const globals = named(scopes, 'Globals');
    await dc.variablesRequest({ variablesReference: globals.variablesReference });
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: globals.variablesReference, name: 'ticks' });
    assert.ok(info.body.dataId, info.body.description);
    assert.match(info.body.description, /ticks \(4 bytes at 0x/);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.ok(set.body.breakpoints[0].verified);
    const ev = await continueToStop(dc);
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.match(ev.body.description ?? '', /data breakpoint on ticks/);
    assert.match(ev.body.text ?? '', /write of 4 byte\(s\) at 0x/);
    assert.strictEqual(baseName((await stack(dc))[0]), 'timer_interrupt');
  });

  it('watches reads of a single byte by address, and an expression in the frame', async () => {
    await launchAndStop(dc, [{ file: kernelFile('main.c'), line: KMAIN_FIRST_LINE }]);
    const frameId = (await stack(dc))[0].id;
    const addr = (await dc.evaluateRequest({ expression: '&ticks', frameId, context: 'watch' })).body.memoryReference!;
    const byAddress = await dc.dataBreakpointInfoRequest({ name: addr, asAddress: true, bytes: 1 });
    assert.match(byAddress.body.dataId ?? '', /\/1\//);
    const byExpr = await dc.dataBreakpointInfoRequest({ name: 'ticks', frameId });
    assert.ok(byExpr.body.dataId);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: byAddress.body.dataId!, accessType: 'read' }] });
    const ev = await continueToStop(dc);
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.match(ev.body.text ?? '', /read of \d byte\(s\)/);
  });

  it('stops on a user page fault in ring 3 before the kernel sees it, then lets the kernel handle it', async () => {
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
    const ev = await launchWithFilters(dc, [{ filterId: 'page-fault', condition: '0x0-0xfff' }], { cmdline: 'test', symbolFiles: USER_PROGRAMS });
    assert.strictEqual(ev.body.reason, 'exception');
    assert.match(ev.body.description ?? '', /^#PF at 0x0$/);
    const frames = await stack(dc);
    assert.strictEqual(frames[0].source?.path, userFile('fault.c'));
    assert.match(named(await scopeVariables(dc, frames[0].id, 'Registers'), 'mode').value, /CPL 3/);
    const info = await dc.customRequest('exceptionInfo', { threadId: 1 });
    assert.match(info.body.description, /#PF error code 0x6/);
    const exited = dc.waitForEvent('exited', 120000);
    await dc.continueRequest({ threadId: 1 });
    await exited;
    assert.match(out.join(''), /TEST pagefault-null: PASS[\s\S]*ALL TESTS PASSED/);
  });

  it('stops on I/O to the ports of the filter condition only', async () => {
    const ev = await launchWithFilters(dc, [{ filterId: 'io', condition: '0x43' }]);
    assert.strictEqual(ev.body.reason, 'event');
    assert.match(ev.body.text ?? '', /IoOut \(0x43\)/);
    const names = (await stack(dc)).map(baseName);
    assert.strictEqual(names[0], 'outb', names.join(' < '));
    assert.ok(names.includes('pit_init'), names.join(' < '));
  });

  it('stops a triple-faulting guest with its state and the fault chain in the text and a Fault chain scope', async function () {
    const elf = buildGuest('triple-fault');
    // binutils come with scripts/setup.sh's build-essential: a guest that cannot be built is a failure, not a skip.
    assert.ok(elf, 'as/ld could not build test/fixtures/guests/triple-fault.S');
    await dc.initializeRequest();
    const stopped = dc.waitForEvent('stopped', 60000);
    await dc.launch({ kernel: elf, serial: 'debugConsole' } as never);
    await dc.configurationDoneRequest();
    const ev = (await stopped) as DebugProtocol.StoppedEvent;
    assert.strictEqual(ev.body.reason, 'exception');
    assert.strictEqual(ev.body.description, 'triple fault');
    assert.match(ev.body.text ?? '', /fault #UD[\s\S]*#GP[\s\S]*#DF/);
    const top = (await stack(dc))[0];
    const chain = await scopeVariables(dc, top.id, 'Fault chain');
    assert.ok(chain.some((v) => /#DF/.test(v.value)), chain.map((v) => v.value).join('\n'));
    assert.strictEqual(baseName(top), '_start');
    // The state is kept: EIP still at the UD2 that started it all.
    const ud2 = await dc.customRequest('disassemble', { memoryReference: top.instructionPointerReference, instructionCount: 1 });
    assert.match(ud2.body.instructions[0].instruction, /ud2/);
  });
});
