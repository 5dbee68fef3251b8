import * as assert from 'node:assert';
import { Monitor } from '../../../src/vmm/monitor/monitor';
import { monitorCommand, pageTables } from '../../../src/vmm/monitor/inspect';
import type { MonitorEvent } from '../../../src/vmm/monitor/protocol';
import { PageState } from '../../../src/vmm/monitor/page-table-snapshot';
import { sampleKernel } from '../../support/repo';

/** Runs the sample kernel's self-test to its isa-debug-exit with the shadow audit after every 4th event. */
async function selfTest(cpus: number): Promise<{ monitor: Monitor; text: string; exit: MonitorEvent | undefined }> {
  let text = '';
  let exit: MonitorEvent | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const monitor = new Monitor((e) => {
    if (e.event === 'output') text += e.body.text;
    if (e.event === 'exited' || e.event === 'stopped') {
      exit = e;
      done();
    }
  });
  monitor.launch({
    vms: [{ name: 'kernel', kernel: sampleKernel(), cmdline: 'test', memoryMB: 64, cpus, engine: 'interpret', debugExitPort: 0xf4, shadowAudit: 4 }],
  });
  monitor.resume();
  await finished;
  return { monitor, text, exit };
}

describe('shadow page tables: the sample kernel', function () {
  this.timeout(120000);

  for (const cpus of [1, 2]) {
    it(`passes its self-test on ${cpus} vCPU(s) with the audit on, and the panel snapshot describes it`, async () => {
      const { monitor, text, exit } = await selfTest(cpus);
      try {
        assert.strictEqual(exit?.event, 'exited', text.slice(-3000));
        assert.match(text, /ALL TESTS PASSED/, text.slice(-2000));
        const s = monitor.stats().vms[0].shadow;
        assert.strictEqual(s.auditErrors, 0);
        assert.ok(s.audits > 10 && s.auditedEntries > 0, JSON.stringify(s));
        assert.ok(s.hiddenFaults > 0 && s.guestFaults > 0 && s.tracedWrites > 0, JSON.stringify(s));
        assert.ok(s.rootsBuilt > 1 && s.rootsReused > 0, JSON.stringify(s));
        const snap = pageTables(monitor, 0, 0);
        assert.strictEqual(snap.runs.count.reduce((a, b) => a + b, 0), 1 << 20);
        assert.strictEqual(snap.paging, true);
        assert.ok(snap.runs.state.includes(PageState.Mapped));
        assert.ok(snap.runs.state.includes(PageState.GuestNotPresent));
        assert.match(monitorCommand(monitor.machine(0), 0, 'info shadow'), /hidden faults \d+, guest faults \d+, traced writes \d+/);
      } finally {
        monitor.terminate();
      }
    });
  }
});
