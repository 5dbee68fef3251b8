import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { Monitor } from '../../src/vmm/monitor/monitor';
import type { MonitorEvent } from '../../src/vmm/monitor/protocol';
import { buildDiskGuest } from './disk-guest-image';

interface Run {
  serial: string;
  exit?: { code: number; reason?: string };
  stop?: string;
  vga: string[];
}

function boot(disk: string, cpus: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    let serial = '';
    const done = (r: Partial<Run>) => {
      clearTimeout(timer);
      monitor.terminate();
      resolve({ serial, vga: monitor.machine(0).platform.vga.lines(), ...r });
    };
    const monitor = new Monitor((e: MonitorEvent) => {
      if (e.event === 'output' && e.body.channel === 'serial0') serial += e.body.text;
      else if (e.event === 'exited') done({ exit: { code: e.body.code, reason: e.body.reason } });
      else if (e.event === 'stopped') done({ stop: `${e.body.description} ${e.body.text ?? ''}` });
    });
    try {
      monitor.launch({ vms: [{ name: 'disk', disks: [{ path: disk }], memoryMB: 32, cpus, engine: 'interpret', debugExitPort: 0xf4 }] });
    } catch (e) {
      reject(e);
      return;
    }
    const timer = setTimeout(() => done({ stop: 'timeout' }), 60_000);
    monitor.resume();
  });
}

describe('integration: a guest of our own boots from its disk boot sector', function () {
  this.timeout(120_000);
  let disk: string;
  before(() => {
    disk = buildDiskGuest();
  });
  after(() => fs.rmSync(path.dirname(disk), { recursive: true, force: true }));

  it('BIOS INT 10h, IDE PIO load, INIT/SIPI, LAPIC timers and I/O APIC interrupts on both CPUs', async () => {
    const before = fs.readFileSync(disk);
    const r = await boot(disk, 2);
    assert.strictEqual(r.stop, undefined, `stopped: ${r.stop}; serial: ${r.serial}`);
    assert.match(r.serial, /cpu1 up/);
    const m = /RINGSIDE-SMP-DISK-OK timers\/ioapic per CPU: ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{8})/.exec(r.serial);
    assert.ok(m, `serial: ${r.serial}`);
    const [t0, t1, io0, io1] = m.slice(1).map((h) => parseInt(h, 16));
    assert.ok(t0 >= 8 && t1 >= 8, `local APIC timer interrupts per CPU: ${t0}, ${t1}`);
    assert.ok(io0 >= 8 && io1 >= 8, `I/O APIC interrupts per CPU: ${io0}, ${io1}`);
    assert.deepStrictEqual(r.exit, { code: 33, reason: 'isa-debug-exit wrote 16' });
    assert.match(r.vga[0], /^B2/, 'the boot sector and stage 2 printed through INT 10h');
    assert.ok(fs.readFileSync(disk).equals(before), 'the disk image is unchanged');
  });

  it('runs the same way twice (deterministic interleaving)', async () => {
    const a = await boot(disk, 2);
    const b = await boot(disk, 2);
    assert.strictEqual(a.serial, b.serial);
  });
});
