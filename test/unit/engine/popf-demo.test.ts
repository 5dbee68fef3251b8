import * as assert from 'node:assert';
import { ExitReason } from '../../../src/vmm/cpu/cpu-host';
import { popfDemo, runGuest } from './run-guest';

/**
 * samples/workspace/popf-demo run as an ordinary ring-0 kernel under both engines; the outcome is read from the
 * guest's own serial output and its isa-debug-exit status (1: POPF behaved as the code expected, 3: it did not).
 */
describe('engines: the POPF demo', function () {
  this.timeout(120000);

  it('interpret: the kernel runs at CPL 0 and POPF changes IF both times', () => {
    const r = runGuest(popfDemo(), 'interpret');
    assert.match(r.serial, /running with CS=0x0008 \(CPL 0\), IOPL 0/);
    assert.match(r.serial, /case 1:[^]*observed: PUSHF says IF=1, timer interrupt delivered\r?\n {2}-> as expected/);
    assert.match(r.serial, /case 2:[^]*observed: PUSHF says IF=0, timer interrupt held off\r?\n {2}-> as expected/);
    assert.match(r.serial, /RESULT: POPF changed IF both times/);
    assert.strictEqual(r.exitCode, 1);
    assert.strictEqual(r.machine.exitCounts[ExitReason.RingCompression], 0);
  });

  it('direct: the kernel sees ring 1, interrupts stay off after the critical section and on inside the second', () => {
    const r = runGuest(popfDemo(), 'direct');
    // Reading CS is unprivileged: the deprivileged kernel can see its RPL.
    assert.match(r.serial, /running with CS=0x0009 \(CPL 1\), IOPL 0/);
    // Case 1: CLI trapped (virtual IF 0), POPF could not restore it, PUSHF shows the monitor's IF.
    assert.match(r.serial, /case 1:[^]*observed: PUSHF says IF=1, timer interrupt held off\r?\n {2}-> NOT as expected/);
    // Case 2: POPF could not clear IF: the timer interrupt arrives inside the "critical section".
    assert.match(r.serial, /case 2:[^]*observed: PUSHF says IF=1, timer interrupt delivered\r?\n {2}-> NOT as expected/);
    assert.match(r.serial, /RESULT: POPF did not change IF, and nothing trapped/);
    assert.strictEqual(r.exitCode, 3);
    const d = r.machine.cpus[0].direct!;
    assert.ok(d.emulated > 0 && d.reflected === 0, `emulated ${d.emulated}, reflected ${d.reflected}`);
    // CLI and STI trapped as InterruptFlag exits; POPF never did (that is the problem).
    assert.ok(r.machine.exitCounts[ExitReason.InterruptFlag] >= 3);
  });
});
