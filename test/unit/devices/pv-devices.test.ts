import * as assert from 'node:assert';
import { CowOverlayBackend, MemoryBlockBackend, SECTOR_SIZE } from '../../../src/vmm/devices/block-backend';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { IrqLines } from '../../../src/vmm/devices/irq';
import { PcPlatform } from '../../../src/vmm/devices/pc-platform';
import { Errno, PV_BLOCK_PORT, PV_CONSOLE_PORT } from '../../../src/vmm/devices/pv-abi';
import { PvBlock, PVBLK_IRQ, PVBLK_READ, PVBLK_STATUS, PVBLK_WRITE } from '../../../src/vmm/devices/pv-block';
import { PvConsole, PVCON_STATUS } from '../../../src/vmm/devices/pv-console';
import { GuestPhysicalMemory } from '../../../src/vmm/memory/guest-physical';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { VirtualClock } from '../../../src/vmm/monitor/virtual-clock';

const RAM = 4 << 20;

class Pulses implements IrqLines {
  rising: number[] = [];
  up = new Set<number>();
  raise(l: number): void {
    if (!this.up.has(l)) this.rising.push(l);
    this.up.add(l);
  }
  lower(l: number): void {
    this.up.delete(l);
  }
}

function console_() {
  const io = new IoBus();
  const phys = new GuestPhysicalMemory(new MachineMemory(RAM + (1 << 20)), RAM);
  const out: number[] = [];
  const dev = new PvConsole(phys, (b) => out.push(b));
  dev.attach(io);
  return { io, phys, out, dev };
}

function block(disks = [new CowOverlayBackend(pattern(64))]) {
  const io = new IoBus();
  const phys = new GuestPhysicalMemory(new MachineMemory(RAM + (1 << 20)), RAM);
  const irq = new Pulses();
  const dev = new PvBlock(phys, disks, irq);
  dev.attach(io);
  const desc = (at: number, op: number, disk: number, lba: number, count: number, buffer: number) => {
    [op, disk, lba, count, buffer, 0x7777].forEach((v, i) => phys.write32(at + 4 * i, v));
  };
  return { io, phys, irq, dev, desc, disks };
}

function pattern(sectors: number): MemoryBlockBackend {
  const d = new MemoryBlockBackend(sectors);
  for (let s = 0; s < sectors; s++) d.bytes.fill((s * 7 + 1) & 0xff, s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE);
  return d;
}

describe('paravirtual console (one OUT per string)', () => {
  it('sends the bytes of a descriptor and writes back the count', () => {
    const { io, phys, out, dev } = console_();
    const text = Buffer.from('hello, monitor\n');
    phys.write32(0x2000, text.length);
    phys.load(0x2008, text);
    io.write(PV_CONSOLE_PORT, 4, 0x2000);
    assert.strictEqual(Buffer.from(out).toString(), 'hello, monitor\n');
    assert.strictEqual(phys.read32(0x2000 + PVCON_STATUS), text.length);
    assert.strictEqual(io.read(PV_CONSOLE_PORT, 4), text.length);
    assert.deepStrictEqual([dev.requests, dev.bytes, dev.errors], [1, text.length, 0]);
    assert.strictEqual(io.accessCounts[io.devices.indexOf(dev)], 2, 'one OUT and one IN, attributed to pv-console');
  });

  it('refuses descriptors outside RAM, data running past RAM and oversized strings, without throwing', () => {
    const { io, phys, out, dev } = console_();
    io.write(PV_CONSOLE_PORT, 4, 0xfee00000); // the local APIC's page: not this VM's RAM
    assert.strictEqual(io.read(PV_CONSOLE_PORT, 4) | 0, -Errno.EFAULT);
    io.write(PV_CONSOLE_PORT, 4, RAM - 4); // header straddles the top of RAM
    assert.strictEqual(io.read(PV_CONSOLE_PORT, 4) | 0, -Errno.EFAULT);
    phys.write32(RAM - 0x100, 0x1000); // data runs past the end of RAM
    io.write(PV_CONSOLE_PORT, 4, RAM - 0x100);
    assert.strictEqual(phys.read32(RAM - 0x100 + PVCON_STATUS) | 0, -Errno.EFAULT);
    phys.write32(0x3000, 0xffffffff); // 4 GiB string
    io.write(PV_CONSOLE_PORT, 4, 0x3000);
    assert.strictEqual(phys.read32(0x3000 + PVCON_STATUS) | 0, -Errno.E2BIG);
    assert.strictEqual(out.length, 0);
    assert.strictEqual(dev.errors, 4);
  });

  it('ignores byte and word writes and unaligned ports', () => {
    const { io, dev } = console_();
    io.write(PV_CONSOLE_PORT, 1, 0x20);
    io.write(PV_CONSOLE_PORT, 2, 0x2000);
    io.write(PV_CONSOLE_PORT + 1, 4, 0x2000);
    assert.strictEqual(dev.requests, 0);
  });
});

describe('paravirtual block device (one OUT per request)', () => {
  it('reads sectors into guest RAM and writes them through the copy-on-write overlay', () => {
    const { io, phys, desc, dev, disks } = block();
    desc(0x1000, PVBLK_READ, 0, 3, 2, 0x10000);
    io.write(PV_BLOCK_PORT, 4, 0x1000);
    assert.strictEqual(phys.read32(0x1000 + PVBLK_STATUS), 0);
    assert.strictEqual(phys.read8(0x10000), (3 * 7 + 1) & 0xff);
    assert.strictEqual(phys.read8(0x10000 + SECTOR_SIZE + 511), (4 * 7 + 1) & 0xff);
    phys.load(0x20000, new Uint8Array(SECTOR_SIZE).fill(0xab));
    desc(0x1000, PVBLK_WRITE, 0, 10, 1, 0x20000);
    io.write(PV_BLOCK_PORT, 4, 0x1000);
    assert.strictEqual(phys.read32(0x1000 + PVBLK_STATUS), 0);
    const back = new Uint8Array(SECTOR_SIZE);
    disks[0].read(10, 1, back);
    assert.ok(back.every((b) => b === 0xab));
    assert.strictEqual(disks[0].dirtySectors, 1);
    assert.strictEqual((disks[0].base as MemoryBlockBackend).bytes[10 * SECTOR_SIZE], (10 * 7 + 1) & 0xff, 'the base image is untouched');
    assert.deepStrictEqual([dev.requests, dev.sectors, dev.errors], [2, 3, 0]);
  });

  it('pulses its IRQ only when the request asks for it', () => {
    const { io, irq, desc } = block();
    desc(0x1000, PVBLK_READ, 0, 0, 1, 0x10000);
    io.write(PV_BLOCK_PORT, 4, 0x1000);
    assert.deepStrictEqual(irq.rising, []);
    desc(0x1000, PVBLK_READ | PVBLK_IRQ, 0, 0, 1, 0x10000);
    io.write(PV_BLOCK_PORT, 4, 0x1000);
    assert.deepStrictEqual(irq.rising, [11]);
    assert.strictEqual(irq.up.size, 0, 'an edge: raised and lowered');
  });

  it('answers bad requests with an error status and never a host exception', () => {
    const { io, phys, desc, dev } = block();
    const status = () => phys.read32(0x1000 + PVBLK_STATUS) | 0;
    const cases: [string, () => void, number][] = [
      ['no such disk', () => desc(0x1000, PVBLK_READ, 1, 0, 1, 0x10000), -Errno.ENODEV],
      ['disk index huge', () => desc(0x1000, PVBLK_READ, 0xffffffff, 0, 1, 0x10000), -Errno.ENODEV],
      ['past the end of the disk', () => desc(0x1000, PVBLK_READ, 0, 63, 2, 0x10000), -Errno.EINVAL],
      ['LBA wraps', () => desc(0x1000, PVBLK_READ, 0, 0xffffffff, 2, 0x10000), -Errno.EINVAL],
      ['too many sectors', () => desc(0x1000, PVBLK_READ, 0, 0, 257, 0x10000), -Errno.EINVAL],
      ['unknown op', () => desc(0x1000, 7, 0, 0, 1, 0x10000), -Errno.EINVAL],
      ['unknown flag', () => desc(0x1000, PVBLK_READ | 0x10000, 0, 0, 1, 0x10000), -Errno.EINVAL],
      ['buffer past RAM', () => desc(0x1000, PVBLK_READ, 0, 0, 2, RAM - SECTOR_SIZE), -Errno.EFAULT],
      ['buffer in MMIO', () => desc(0x1000, PVBLK_WRITE, 0, 0, 1, 0xfec00000), -Errno.EFAULT],
    ];
    for (const [what, set, want] of cases) {
      set();
      io.write(PV_BLOCK_PORT, 4, 0x1000);
      assert.strictEqual(status(), want, what);
    }
    io.write(PV_BLOCK_PORT, 4, 0xfffffff0); // the descriptor itself is not in RAM
    assert.strictEqual(io.read(PV_BLOCK_PORT, 4) | 0, -Errno.EFAULT);
    assert.strictEqual(dev.errors, cases.length + 1);
    assert.strictEqual(dev.sectors, 0);
  });

  it('is in the PC platform port table beside the IDE controller, on the same disks', () => {
    const io = new IoBus();
    const phys = new GuestPhysicalMemory(new MachineMemory(RAM + (1 << 20)), RAM);
    const serial: number[] = [];
    const disk = pattern(8);
    const pc = new PcPlatform({
      io, phys, clock: new VirtualClock(), cpus: 1, ramBytes: RAM, startTimeMs: 0, currentCpu: () => 0,
      disks: { primaryMaster: disk }, onSerial: (_c, b) => serial.push(b),
    });
    assert.strictEqual(io.deviceAt(PV_CONSOLE_PORT)?.name, 'pv-console');
    assert.strictEqual(io.deviceAt(PV_BLOCK_PORT)?.name, 'pv-block');
    phys.write32(0x1000, 2);
    phys.load(0x1008, Buffer.from('ok'));
    io.write(PV_CONSOLE_PORT, 4, 0x1000);
    assert.strictEqual(Buffer.from(serial).toString(), 'ok', 'on the first serial terminal');
    [PVBLK_READ, 0, 5, 1, 0x8000].forEach((v, i) => phys.write32(0x2000 + 4 * i, v));
    io.write(PV_BLOCK_PORT, 4, 0x2000);
    assert.strictEqual(phys.read8(0x8000), (5 * 7 + 1) & 0xff);
    assert.strictEqual(pc.pvBlock.sectors, 1);
  });
});
