import * as assert from 'node:assert';
import * as path from 'node:path';
import type { VmConfig } from '../../../src/vmm/monitor/launch-config';
import { Monitor } from '../../../src/vmm/monitor/monitor';
import type { StopEvent } from '../../../src/vmm/monitor/protocol';
import { sampleKernelDir } from '../../support/repo';
import { runMonitor } from '../../support/run-monitor';

/**
 * The paravirtual port of the teaching kernel (kernel-pv.elf, built from the same sources with -DPARAVIRT)
 * against the emulated one, both running the self-test with the sample disk: the same output, through fewer
 * monitor exits. The measured comparison is `npm run bench -- --pv`; here only the direction is asserted.
 */
function vm(kernel: string, cmdline: string): VmConfig {
  const dir = sampleKernelDir();
  return {
    name: kernel, kernel: path.join(dir, kernel), cmdline, disks: [{ path: path.join(dir, 'disk.img') }],
    memoryMB: 64, cpus: 1, engine: 'interpret', debugExitPort: 0xf4,
  };
}

/** Output lines; the kernel's end address (the PV image is larger by pv.c) is the one expected difference. */
const lines = (s: string) =>
  s.replace(/\r/g, '').split('\n').filter((l) => l.length > 0).map((l) => l.replace(/(kernel at 0x00100000)-0x[0-9a-f]{8}/, '$1-END'));

describe('paravirtual teaching kernel', function () {
  this.timeout(240_000);

  it('passes its self-test with the same output as the emulated kernel and far fewer exits', async () => {
    const { monitor, vms } = await runMonitor(
      { vms: [vm('kernel.elf', 'test'), vm('kernel-pv.elf', 'test'), vm('kernel-pv.elf', 'test hypercalls')] },
      { timeoutMs: 200_000 },
    );
    const [emu, pv, hc] = vms;
    for (const v of vms) {
      assert.deepStrictEqual(v.exited?.code, 1, `isa-debug-exit 0 (QEMU status 1): ${v.out.slice(-300)}`);
      assert.strictEqual(lines(v.out).at(-1), 'ALL TESTS PASSED');
      assert.ok(lines(v.out).includes('TEST disk-write: PASS'));
    }
    assert.deepStrictEqual(lines(pv.out), lines(emu.out), 'PV devices: the same output, byte for byte but for CR/LF');
    assert.deepStrictEqual(lines(hc.out), lines(emu.out), 'hypercalls: the same output');

    const stats = monitor.stats().vms;
    const total = (i: number) => Object.values(stats[i].exits).reduce((a, b) => a + b, 0);
    assert.ok(total(1) < total(0) && total(2) < total(0), `exits: emulated ${total(0)}, PV ${total(1)}, hypercalls ${total(2)}`);

    // The paravirtual paths were really taken: one request per line and per sector, page tables in batches.
    const [m0, m1, m2] = [0, 1, 2].map((i) => monitor.machine(i));
    assert.strictEqual(m0.exitCounts[14], 0, 'the emulated kernel makes no hypercall');
    assert.strictEqual(m1.platform.pvBlock.sectors, 5, 'read 0; read, write, read, restore the last sector');
    assert.ok(m1.platform.pvConsole.requests > 0 && m1.platform.pvConsole.requests < lines(pv.out).length + 5);
    assert.strictEqual(m1.platform.pvConsole.bytes, Buffer.byteLength(pv.out, 'latin1'));
    assert.ok(m1.hypercallCounts[3] > 0, 'batched page-table updates');
    assert.strictEqual(m1.hypercallCounts[2] + m1.hypercallCounts[4], 0, 'devices, not console/block hypercalls');
    assert.strictEqual(m2.platform.pvConsole.requests + m2.platform.pvBlock.requests, 0);
    assert.strictEqual(m2.hypercallCounts[4], 5);
    assert.ok(m2.hypercallCounts[2] > 0);
    assert.strictEqual(stats[1].devices.com1, stats[2].devices.com1, 'the UART only initialised, never written a byte');
    assert.ok(stats[0].devices.com1 > 2 * Buffer.byteLength(emu.out, 'latin1') - 20, 'emulated: a poll and a write per byte');
  });

  it("the debugger's Hypercall filter stops on the first VMCALL: a page-table batch, number 3 in the exit's detail", async () => {
    const stop = await new Promise<{ m: Monitor; e: StopEvent }>((resolve) => {
      const m: Monitor = new Monitor((e) => {
        if (e.event === 'stopped') resolve({ m, e: e.body });
      });
      m.launch({ vms: [vm('kernel-pv.elf', 'test')] });
      m.setEventFilter({ vectors: [], exits: ['Hypercall'], ports: [] });
      m.resume();
    });
    assert.strictEqual(stop.e.description, 'Hypercall');
    assert.strictEqual(stop.e.text?.split('\n')[0], 'monitor exit Hypercall (0x3: page-table update)');
    assert.match(stop.e.text ?? '', /Hypercall detail=0x3 eip=0x/, 'with the exit-trace line');
    const machine = stop.m.machine(0);
    assert.strictEqual(machine.exitCounts[14], 1);
    // The run stops after the instruction: the monitor has done the batch and EAX holds its count.
    assert.ok(machine.cpus[0].reg[0] > 0 && machine.cpus[0].reg[0] <= 256, `EAX ${machine.cpus[0].reg[0]}`);
    stop.m.terminate();
  });
});
