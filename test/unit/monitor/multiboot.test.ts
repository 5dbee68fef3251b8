import * as assert from 'node:assert';
import * as fs from 'fs';
import { BootError } from '../../../src/vmm/boot/boot-error';
import { findMultibootHeader, loadMultiboot } from '../../../src/vmm/boot/multiboot';
import { GuestPhysicalMemory } from '../../../src/vmm/memory/guest-physical';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { sampleKernel } from '../../support/repo';

function ram(mb: number): GuestPhysicalMemory {
  return new GuestPhysicalMemory(new MachineMemory(mb << 20), mb << 20);
}

describe('boot: Multiboot 1 loader', () => {
  const kernel = new Uint8Array(fs.readFileSync(sampleKernel()));

  it('finds the header of the sample kernel in its first 8 KiB', () => {
    const h = findMultibootHeader(kernel);
    assert.ok(h && h.offset < 8192);
  });

  it('loads the segments and hands over EAX = magic, EBX = info, flat protected mode', () => {
    const phys = ram(16);
    const boot = loadMultiboot(phys, kernel, 'kernel.elf', 'test quiet', []);
    assert.strictEqual(boot.entry.kind, 'flat32');
    assert.strictEqual(boot.entry.regs.eax, 0x2badb002);
    assert.strictEqual(boot.entry.eip, 0x10000c);
    const mbi = boot.entry.regs.ebx!;
    const flags = phys.read32(mbi);
    assert.ok(flags & 1 && flags & 4 && flags & 0x40, `flags 0x${flags.toString(16)}: memory, cmdline and mmap`);
    assert.strictEqual(phys.read32(mbi + 4), 639, 'mem_lower in KiB');
    assert.strictEqual(phys.read32(mbi + 8), 15 * 1024, 'mem_upper in KiB');
    const cmd = phys.readBytes(phys.read32(mbi + 16), 32);
    assert.strictEqual(Buffer.from(cmd).toString('latin1').split('\0')[0], 'kernel.elf test quiet');
    // The first bytes of .text are where the ELF says they go.
    assert.deepStrictEqual(phys.readBytes(0x100000, 4), new Uint8Array([0x02, 0xb0, 0xad, 0x1b]));
  });

  it('writes a memory map that covers RAM and reserves the BIOS area', () => {
    const phys = ram(32);
    const boot = loadMultiboot(phys, kernel, 'k', '', []);
    const mbi = boot.entry.regs.ebx!;
    const len = phys.read32(mbi + 44);
    const at = phys.read32(mbi + 48);
    const ranges: [number, number, number][] = [];
    for (let o = 0; o < len; o += 24) ranges.push([phys.read32(at + o + 4) >>> 0, phys.read32(at + o + 12) >>> 0, phys.read32(at + o + 20)]);
    assert.deepStrictEqual(ranges[0], [0, 0x9fc00, 1]);
    assert.ok(ranges.some(([b, l, t]) => b === 0x100000 && l === (31 << 20) && t === 1));
    assert.ok(ranges.some(([b, , t]) => b === 0xf0000 && t === 2));
  });

  it('places modules page-aligned after the kernel with their command lines', () => {
    const phys = ram(16);
    const data = new Uint8Array(5000).fill(0xab);
    const boot = loadMultiboot(phys, kernel, 'k', '', [{ name: 'm', data, cmdline: 'mod arg' }]);
    assert.strictEqual(boot.modules.length, 1);
    assert.strictEqual(boot.modules[0].start & 0xfff, 0);
    assert.strictEqual(phys.read8(boot.modules[0].start + 4999), 0xab);
  });

  it('refuses a kernel larger than guest memory, naming the fix', () => {
    assert.throws(() => loadMultiboot(ram(1), kernel, 'k', '', []), (e: Error) => e instanceof BootError && /raise memoryMB/.test(e.message));
  });

  it('refuses a file without a Multiboot header and a truncated one', () => {
    assert.throws(() => loadMultiboot(ram(16), new Uint8Array(9000), 'zeros', '', []), /not a Multiboot kernel/);
    assert.throws(() => loadMultiboot(ram(16), kernel.subarray(0, 6000), 'cut', '', []), /truncated/);
  });
});
