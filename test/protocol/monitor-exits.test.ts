import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sampleKernel, sampleKernelDir } from '../support/repo';
import { startClient } from './adapter-client';
import { named, scopeVariables, stack } from './kernel-session';

/** Launches the sample kernel with exception filters set (after `initialized`, as VS Code does). */
async function launchWithFilters(dc: DebugClient, filterOptions: DebugProtocol.ExceptionFilterOptions[], extra: Record<string, unknown> = {}): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped', 90000);
  await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), serial: 'debugConsole', ...extra } as never);
  const r = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions });
  assert.ok(r.body?.breakpoints?.every((b) => b.verified), JSON.stringify(r.body));
  await dc.configurationDoneRequest();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

describe('protocol: monitor exits as debugger events', function () {
  this.timeout(180000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('offers a filter per exit reason', async () => {
    const caps = (await dc.initializeRequest()).body!;
    const f = (caps.exceptionBreakpointFilters ?? []).find((x) => x.filter === 'monitor-exit');
    assert.ok(f?.supportsCondition, 'monitor-exit takes a condition');
    assert.match(f.conditionDescription ?? '', /Clts/);
  });

  it('under the direct engine, stops on the RingCompression exit of the kernel\'s MOV SS at ring 1', async () => {
    const ev = await launchWithFilters(dc, [{ filterId: 'monitor-exit', condition: 'RingCompression' }], { engine: 'direct' });
    assert.strictEqual(ev.body.description, 'RingCompression');
    assert.match(ev.body.text ?? '', /^monitor exit RingCompression/);
    assert.match(ev.body.text ?? '', /\] RingCompression detail=0x8e eip=0x[0-9a-f]{8} cs=0x0008/);
    const info = await dc.customRequest('exceptionInfo', { threadId: 1 });
    assert.strictEqual(info.body.exceptionId, 'RingCompression');
    // The guest kernel really runs at ring 1: the Registers view shows CPL 1.
    const regs = await scopeVariables(dc, (await stack(dc))[0].id, 'Registers');
    assert.match(named(regs, 'mode').value, /CPL 1/);
    // The debug console's monitor command lists it among the recent exits.
    const recent = await dc.evaluateRequest({ expression: 'exits recent 3', context: 'repl' });
    assert.match(recent.body.result, /RingCompression detail=0x8e/);
  });

  it('under the interpreter, stops on the idle loop\'s HLT (no RingCompression exit there)', async () => {
    const ev = await launchWithFilters(dc, [{ filterId: 'monitor-exit', condition: 'Hlt, RingCompression' }]);
    assert.strictEqual(ev.body.description, 'Hlt');
    assert.match(ev.body.text ?? '', /\] Hlt eip=0x[0-9a-f]{8} cs=0x0008/);
  });
});
