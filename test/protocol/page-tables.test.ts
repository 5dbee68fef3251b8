import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { PageTableSnapshot } from '../../src/vmm/monitor/page-table-snapshot';
import { startClient } from './adapter-client';
import { kernelFile, launchAndStop, stack } from './kernel-session';

/** timer.c: `ticks++;`, reached with paging on in the teaching kernel. */
const TIMER_FIRST_LINE = 15;

describe('protocol: the page-table panel request (ringside/pageTables)', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('returns the stopped vCPU address space: every page once, the running code page shadowed', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const top = (await stack(dc))[0];
    const value = async (e: string) =>
      parseInt((await dc.evaluateRequest({ expression: e, frameId: top.id, context: 'watch' })).body.result, 16) >>> 0;
    const cr3 = await value('$cr3');
    const eip = await value('$eip');
    const s = (await dc.customRequest('ringside/pageTables', {})).body as PageTableSnapshot;
    assert.strictEqual(s.version, 1);
    assert.ok(s.paging, 'the kernel runs with paging on');
    assert.strictEqual(s.cr3 >>> 0, cr3 >>> 0);
    assert.strictEqual(s.pageDirectory.length, 1024);
    assert.strictEqual(s.runs.count.reduce((a, b) => a + b, 0), 1 << 20, 'the runs cover the 4 GiB space once');
    const i = s.runs.lin.findIndex((lin, k) => eip >= lin >>> 0 && eip < (lin >>> 0) + s.runs.count[k] * 4096);
    assert.ok(i >= 0);
    assert.ok([2, 3].includes(s.runs.state[i]), `the code page under EIP is in the shadow (state ${s.runs.state[i]})`);
    assert.ok(s.runs.machine[i] >= 0 && s.runs.gpa[i] >= 0);
    assert.ok(s.counters.hiddenFaults > 0);
    assert.strictEqual(s.counters.auditErrors, 0);
    assert.ok(s.roots.some((r) => r.cr3 >>> 0 === cr3 && r.cpus.includes(0)), JSON.stringify(s.roots));
  });

  it('answers a clear error for a VM that does not exist', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    await assert.rejects(dc.customRequest('ringside/pageTables', { vm: 7, cpu: 0 }), /VM|vm|7/);
  });
});
