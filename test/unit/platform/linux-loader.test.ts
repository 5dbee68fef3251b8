import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootError } from '../../../src/vmm/boot/boot-error';
import { bootVm } from '../../../src/vmm/boot/boot-vm';
import { CMDLINE_ADDR, loadLinux, parseBzImage, ZERO_PAGE } from '../../../src/vmm/boot/linux';
import { GuestPhysicalMemory } from '../../../src/vmm/memory/guest-physical';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import { Seg } from '../../../src/vmm/cpu/constants';
import { fakeBzImage } from './fake-bzimage';

function ram(mb: number): GuestPhysicalMemory {
  return new GuestPhysicalMemory(new MachineMemory(mb << 20), mb << 20);
}

const tmpDirs: string[] = [];

function tmpFile(name: string, data: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-linux-'));
  tmpDirs.push(dir);
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

const NO_EVENTS = { onSerial: () => undefined, onDebugCon: () => undefined, onPowerOff: () => undefined };

describe('boot: Linux boot protocol', () => {
  after(() => {
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('parses the setup header (protocol 2.15)', () => {
    const h = parseBzImage(fakeBzImage(), 'bz');
    assert.strictEqual(h.version, 0x020f);
    assert.strictEqual(h.setupSects, 4);
    assert.strictEqual(h.kernelOffset, 5 * 512);
    assert.strictEqual(h.kernelSize, 64 * 1024);
    assert.strictEqual(h.code32Start, 0x100000);
    assert.strictEqual(h.cmdlineSize, 2047);
    assert.strictEqual(h.initSize, 0x800000);
    assert.ok(h.relocatable);
    assert.strictEqual(h.kernelVersion, '6.1.0-test (ringside@test) #1');
  });

  it('setup_sects 0 means 4', () => {
    const f = fakeBzImage();
    f[0x1f1] = 0;
    assert.strictEqual(parseBzImage(f, 'bz').kernelOffset, 5 * 512);
  });

  it('loads the kernel at 1 MiB and fills the zero page, command line and initrd', () => {
    const phys = ram(64);
    const initrd = new Uint8Array(100_000).fill(0x5a);
    const boot = loadLinux(phys, fakeBzImage(), 'bz', 'console=ttyS0 quiet', { name: 'rd', data: initrd });
    assert.strictEqual(phys.read32(0x100000) >>> 0, 0xdeadbeef);
    const zp = ZERO_PAGE;
    assert.strictEqual(boot.entry.regs.esi, zp);
    assert.strictEqual(boot.entry.eip, 0x100000);
    assert.strictEqual(boot.entry.codeSelector, 0x10);
    assert.strictEqual(boot.entry.dataSelector, 0x18);
    assert.strictEqual(phys.read32(zp + 0x202), 0x53726448, 'header copied');
    assert.strictEqual(phys.read8(zp + 0x210), 0xff, 'type_of_loader');
    assert.strictEqual(phys.read8(zp + 0x211) & 0x81, 0x81, 'LOADED_HIGH | CAN_USE_HEAP');
    assert.ok(phys.read16(zp + 0x224) > 0, 'heap_end_ptr');
    assert.strictEqual(phys.read32(zp + 0x228), CMDLINE_ADDR);
    assert.strictEqual(Buffer.from(phys.readBytes(CMDLINE_ADDR, 20)).toString('latin1'), 'console=ttyS0 quiet\0');
    const rdStart = phys.read32(zp + 0x218);
    assert.strictEqual(phys.read32(zp + 0x21c), initrd.length);
    assert.strictEqual(rdStart % 4096, 0);
    assert.ok(rdStart + initrd.length <= 64 << 20 && rdStart >= 0x1000000 + 0x800000, 'high, above the kernel');
    assert.strictEqual(phys.read8(rdStart + 99_999), 0x5a);
    const n = phys.read8(zp + 0x1e8);
    assert.ok(n >= 4);
    const last = zp + 0x2d0 + 20 * 3;
    assert.strictEqual(phys.read32(last), 0x100000, 'e820 high RAM base');
    assert.strictEqual(phys.read32(last + 8), (64 << 20) - 0x100000);
    assert.strictEqual(phys.read32(last + 16), 1);
  });

  it('keeps the initrd below initrd_addr_max', () => {
    const phys = ram(128);
    loadLinux(phys, fakeBzImage({ initrdAddrMax: 0x37ffffff >>> 4 }), 'bz', '', { name: 'rd', data: new Uint8Array(4096) });
    const start = phys.read32(ZERO_PAGE + 0x218);
    assert.ok(start + 4096 <= (0x37ffffff >>> 4) + 1);
  });

  it('machine: the boot vCPU enters at code32_start in flat protected mode with IF clear', () => {
    const m = new Machine({ name: 't', memoryMB: 32, cpus: 1, nsPerInstruction: 1 }, new MachineMemory(32 << 20), NO_EVENTS);
    bootVm(m, { name: 't', kernel: tmpFile('bz', fakeBzImage()), memoryMB: 32, cpus: 1, engine: 'interpret' });
    const c = m.cpus[0];
    assert.strictEqual(c.eip, 0x100000);
    assert.strictEqual(c.segSel[Seg.CS], 0x10);
    assert.strictEqual(c.segSel[Seg.DS], 0x18);
    assert.strictEqual(c.reg[6], ZERO_PAGE, 'ESI');
    assert.strictEqual(c.reg[3] | c.reg[5] | c.reg[7], 0, 'EBX, EBP, EDI zero');
    assert.strictEqual(c.getEflags() & 0x200, 0);
  });

  describe('bad input gets a BootError that says what is wrong', () => {
    const boot = (kernel: Uint8Array, extra: { initrd?: Uint8Array; memoryMB?: number } = {}) => {
      const memoryMB = extra.memoryMB ?? 32;
      const m = new Machine({ name: 't', memoryMB, cpus: 1, nsPerInstruction: 1 }, new MachineMemory(memoryMB << 20), NO_EVENTS);
      bootVm(m, {
        name: 't',
        kernel: tmpFile('vmlinuz', kernel),
        initrd: extra.initrd ? tmpFile('initrd.img', extra.initrd) : undefined,
        memoryMB,
        cpus: 1,
        engine: 'interpret',
      });
    };
    const throwsBoot = (fn: () => void, re: RegExp) =>
      assert.throws(fn, (e: Error) => e instanceof BootError && re.test(e.message), `expected a BootError matching ${re}`);

    it('a file that is not a kernel', () => throwsBoot(() => boot(new TextEncoder().encode('#!/bin/sh\necho hello\n'.repeat(100))), /not a kernel Ringside can boot/));
    it('a tiny file', () => throwsBoot(() => boot(new Uint8Array(10)), /not a kernel/));
    it('a truncated bzImage (cut in the protected-mode kernel)', () => {
      const f = fakeBzImage();
      throwsBoot(() => boot(f.subarray(0, f.length - 1000)), /truncated: the header says the protected-mode kernel is 65536 bytes/);
    });
    it('a bzImage cut inside its setup code', () => throwsBoot(() => boot(fakeBzImage().subarray(0, 0x400)), /truncated: its setup code/));
    it('a zImage', () => throwsBoot(() => boot(fakeBzImage({ loadFlags: 0 })), /zImage/));
    it('an old boot protocol', () => throwsBoot(() => boot(fakeBzImage({ version: 0x0201 })), /protocol 2\.01/));
    it('an initrd larger than memory', () => throwsBoot(() => boot(fakeBzImage({ initSize: 0x10000 }), { initrd: new Uint8Array(25 << 20), memoryMB: 24 }), /initrd initrd\.img \(25\.0 MiB\) does not fit in guest memory/));
    it('an initrd that fits in RAM but not above the kernel', () => throwsBoot(() => boot(fakeBzImage(), { initrd: new Uint8Array(10 << 20), memoryMB: 32 }), /does not fit in guest memory.*the kernel needs up to 24\.0 MiB/));
    it('a kernel that needs more memory than the VM has', () => throwsBoot(() => boot(fakeBzImage({ initSize: 64 << 20 }), { memoryMB: 32 }), /needs guest memory up to .* raise memoryMB/));
    it('a missing kernel file', () => {
      const m = new Machine({ name: 't', memoryMB: 16, cpus: 1, nsPerInstruction: 1 }, new MachineMemory(16 << 20), NO_EVENTS);
      throwsBoot(() => bootVm(m, { name: 't', kernel: '/nonexistent/vmlinuz', memoryMB: 16, cpus: 1, engine: 'interpret' }), /cannot read kernel .*no such file/);
    });
  });
});
