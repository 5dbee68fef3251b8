import * as assert from 'node:assert';
import { MemoryBlockBackend } from '../../../src/vmm/devices/block-backend';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import { PcPlatform } from '../../../src/vmm/devices/pc-platform';
import { GuestPhysicalMemory } from '../../../src/vmm/memory/guest-physical';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { pitNsOfTick } from '../../../src/vmm/devices/pit';
import { VirtualClock } from '../../../src/vmm/monitor/virtual-clock';

function setup(apic = true) {
  const io = new IoBus();
  const phys = new GuestPhysicalMemory(new MachineMemory(8 << 20), 4 << 20);
  const clock = new VirtualClock();
  const serial: number[] = [];
  const exits: number[] = [];
  const pc = new PcPlatform({
    io,
    phys,
    clock,
    cpus: 2,
    ramBytes: 4 << 20,
    startTimeMs: Date.UTC(2025, 0, 1),
    currentCpu: () => 0,
    apic,
    disks: { primaryMaster: new MemoryBlockBackend(64) },
    onSerial: (_c, b) => serial.push(b),
    onExit: (s) => exits.push(s),
  });
  return { io, phys, clock, pc, serial, exits };
}

function initPic(io: IoBus): void {
  for (const [cmd, data, base, casc] of [
    [0x20, 0x21, 0x20, 0x04],
    [0xa0, 0xa1, 0x28, 0x02],
  ]) {
    io.write(cmd, 1, 0x11);
    io.write(data, 1, base);
    io.write(data, 1, casc);
    io.write(data, 1, 0x01);
    io.write(data, 1, 0x00);
  }
}

describe('PC platform wiring', () => {
  it('claims the standard ports without conflicts', () => {
    const { io } = setup();
    const names = [0x20, 0xa0, 0x40, 0x61, 0x70, 0x3f8, 0x2f8, 0x60, 0x64, 0x92, 0x80, 0xe9, 0xf4, 0x3d4, 0xcf8, 0x1f0, 0x3f6, 0x170, 0x376, 0x510].map(
      (p) => io.deviceAt(p)?.name,
    );
    assert.deepStrictEqual(names, [
      'pic', 'pic', 'pit', 'pit', 'rtc', 'com1', 'com2', 'i8042', 'i8042', 'i8042', 'post', 'debugcon',
      'isa-debug-exit', 'vga', 'pci', 'ide0', 'ide0', 'ide1', 'ide1', 'fw_cfg',
    ]);
  });

  it('PIT IRQ0 reaches CPU 0 through the 8259 in virtual-wire mode', () => {
    const { io, clock, pc } = setup();
    initPic(io);
    io.write(0x43, 1, 0x34);
    io.write(0x40, 1, 100);
    io.write(0x40, 1, 0);
    clock.advanceTo(pitNsOfTick(102));
    assert.strictEqual(pc.interruptPending(0), true);
    assert.strictEqual(pc.interruptPending(1), false);
    assert.strictEqual(pc.acknowledgeInterrupt(0), 0x20);
  });

  it('the same IRQ0 reaches a local APIC through I/O APIC pin 2', () => {
    const { io, phys, clock, pc } = setup();
    phys.write32(0xfee000f0, 0x1ff); // enable CPU 0's APIC
    phys.write32(0xfee00350, 0x10700); // mask LINT0: PIC cut off
    phys.write32(0xfec00000, 0x14);
    phys.write32(0xfec00010, 0x30); // pin 2 -> vector 0x30, CPU 0
    io.write(0x43, 1, 0x34);
    io.write(0x40, 1, 100);
    io.write(0x40, 1, 0);
    clock.advanceTo(pitNsOfTick(102));
    assert.strictEqual(pc.acknowledgeInterrupt(0), 0x30);
    assert.strictEqual(pc.interruptPending(0), false);
  });

  it('serial, debug exit and IDE are live', () => {
    const { io, serial, exits } = setup();
    io.write(0x3f8, 1, 0x41);
    io.write(0xf4, 1, 3);
    io.write(0x1f6, 1, 0xa0);
    io.write(0x1f7, 1, 0xec);
    assert.deepStrictEqual(serial, [0x41]);
    assert.deepStrictEqual(exits, [7]);
    assert.strictEqual(io.read(0x1f7, 1), 0x58);
  });

  it('without APICs the 8259 talks to CPU 0 directly', () => {
    const { io, pc } = setup(false);
    initPic(io);
    pc.lines.raise(4);
    assert.strictEqual(pc.apics.length, 0);
    assert.strictEqual(pc.acknowledgeInterrupt(0), 0x24);
  });
});
