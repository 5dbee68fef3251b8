import * as assert from 'node:assert';
import { ExitReason } from '../../../src/vmm/cpu/cpu-host';
import { sampleKernel } from '../../support/repo';
import { runGuest } from './run-guest';

/**
 * The teaching kernel's self-test under both engines. Under `direct` it passes too (see the sample's README for
 * why: it enables interrupts with STI, never with POPF or IRET), but the exit counts show what ring 1 hides
 * from the monitor: the interpreter sees every POPF and IRET that changes IF, direct execution none of them.
 */
describe('engines: the teaching kernel self-test', function () {
  this.timeout(180000);

  it('passes under both engines, with the POPF/IRET changes of IF invisible to the monitor under direct', () => {
    const i = runGuest(sampleKernel(), 'interpret', 'test');
    const d = runGuest(sampleKernel(), 'direct', 'test');
    for (const r of [i, d]) {
      assert.match(r.serial, /ALL TESTS PASSED/);
      assert.strictEqual(r.exitCode, 1);
    }
    const di = d.machine.cpus[0].direct!;
    assert.ok(di.emulated > 1000 && di.reflected === 0, `emulated ${di.emulated}, reflected ${di.reflected}`);
    assert.strictEqual(i.machine.exitCounts[ExitReason.RingCompression], 0);
    assert.strictEqual(d.machine.exitCounts[ExitReason.RingCompression], 1, 'the boot code\'s MOV SS');
    // CLI and STI trap either way; POPF and IRET changing IF are seen only by the interpreter.
    const ifI = i.machine.exitCounts[ExitReason.InterruptFlag];
    const ifD = d.machine.exitCounts[ExitReason.InterruptFlag];
    assert.ok(ifD > 0 && ifD < ifI, `InterruptFlag exits: interpret ${ifI}, direct ${ifD}`);
    for (const reason of [ExitReason.IoIn, ExitReason.IoOut, ExitReason.CrWrite, ExitReason.Hlt, ExitReason.Msr, ExitReason.DescriptorTableLoad]) {
      assert.strictEqual(d.machine.exitCounts[reason], i.machine.exitCounts[reason], `reason ${reason}`);
    }
  });
});
