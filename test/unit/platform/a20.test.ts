import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bootVm } from '../../../src/vmm/boot/boot-vm';
import { GuestPhysicalMemory } from '../../../src/vmm/memory/guest-physical';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import { sampleKernel } from '../../support/repo';
import { fakeBzImage } from './fake-bzimage';

const NO_EVENTS = { onSerial: () => undefined, onDebugCon: () => undefined, onPowerOff: () => undefined };

function machine(memoryMB = 16): Machine {
  return new Machine({ name: 't', memoryMB, cpus: 1, nsPerInstruction: 1, startTimeMs: 0 }, new MachineMemory(memoryMB << 20), NO_EVENTS);
}

/**
 * Real mode at 0000:7C00, DS = 0, ES = FFFF (ES:x is linear 0x100000 + x - 0x10). Each read lands in a word
 * at 0x600.. so the test can look at what the guest saw right after each OUT that moved the gate.
 */
// prettier-ignore
const GUEST = [
  0x31, 0xc0, 0x8e, 0xd8, 0xb8, 0xff, 0xff, 0x8e, 0xc0, // xor ax,ax; mov ds,ax; mov ax,0xffff; mov es,ax
  0xc7, 0x06, 0x00, 0x00, 0xef, 0xbe, //                   mov word [0x0000],0xbeef
  0xc7, 0x06, 0x00, 0x05, 0x11, 0x11, //                   mov word [0x0500],0x1111
  0x26, 0xc7, 0x06, 0x10, 0x05, 0x44, 0x44, //             mov word es:[0x0510],0x4444   (0x100500, gate on)
  0x26, 0x8b, 0x1e, 0x10, 0x05, 0x89, 0x1e, 0x00, 0x06, // [0x600] = es:[0x510]          (and the TLB holds it)
  0xb0, 0xd1, 0xe6, 0x64, 0xb0, 0xdd, 0xe6, 0x60, //       i8042 D1: output port 0xDD (A20 off)
  0x26, 0x8b, 0x1e, 0x10, 0x05, 0x89, 0x1e, 0x02, 0x06, // [0x602] = es:[0x510]
  0x26, 0x8b, 0x1e, 0x10, 0x00, 0x89, 0x1e, 0x04, 0x06, // [0x604] = FFFF:0010
  0x26, 0xc7, 0x06, 0x10, 0x05, 0x22, 0x22, //             mov word es:[0x0510],0x2222
  0xe4, 0x92, 0x0c, 0x02, 0xe6, 0x92, //                   port 0x92 |= 2 (A20 on)
  0x26, 0x8b, 0x1e, 0x10, 0x05, 0x89, 0x1e, 0x06, 0x06, // [0x606] = es:[0x510]
  0x8b, 0x1e, 0x00, 0x05, 0x89, 0x1e, 0x08, 0x06, //       [0x608] = [0x500]
  0xe4, 0x92, 0x24, 0xfd, 0xe6, 0x92, //                   port 0x92 &= ~2 (A20 off again)
  0x26, 0x8b, 0x1e, 0x10, 0x05, 0x89, 0x1e, 0x0a, 0x06, // [0x60A] = es:[0x510]
  0xb0, 0xd1, 0xe6, 0x64, 0xb0, 0xdf, 0xe6, 0x60, //       i8042 D1: output port 0xDF (A20 on)
  0x26, 0x8b, 0x1e, 0x10, 0x05, 0x89, 0x1e, 0x0c, 0x06, // [0x60C] = es:[0x510]
  0xf4, //                                                 hlt
];

describe('platform: the A20 gate masks address bit 20', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('GuestPhysicalMemory: with the gate off, 0x100000-0x1FFFFF alias 0-0xFFFFF for every accessor', () => {
    const phys = new GuestPhysicalMemory(new MachineMemory(4 << 20), 4 << 20);
    phys.write32(0x123, 0x11223344);
    phys.write32(0x100123, 0x55667788);
    phys.write8(0x200123, 0x99);
    const gen = phys.generation;
    assert.strictEqual(phys.setA20(false), true);
    assert.ok(phys.generation !== gen, 'a change drops cached translations');
    assert.strictEqual(phys.setA20(false), false, 'no change, no new generation');
    assert.strictEqual(phys.read32(0x100123), 0x11223344);
    assert.strictEqual(phys.read8(0x300123), 0x99, 'only bit 20 is masked: 3 MiB aliases 2 MiB');
    assert.strictEqual(phys.peekFrameOffset(0x100), phys.peekFrameOffset(0));
    assert.deepStrictEqual(Array.from(phys.readBytes(0x100123, 4)), [0x44, 0x33, 0x22, 0x11]);
    phys.write16(0x1fffff, 0xabcd); // the second byte wraps to 0x000000 with bit 20 masked
    assert.strictEqual(phys.read8(0xfffff), 0xcd);
    assert.strictEqual(phys.read8(0), 0xab);
    phys.setA20(true);
    assert.strictEqual(phys.read32(0x100123), 0x55667788, 'the memory above 1 MiB was never touched');
    assert.strictEqual(phys.read8(0x200000), 0);
  });

  it('a real-mode guest sees FFFF:0010 wrap to 0000:0000 with A20 off, and not after 0x92 or the i8042 (D1) enable it', () => {
    const m = machine();
    m.phys.load(0x7c00, new Uint8Array(GUEST));
    m.applyEntry({ kind: 'real', cs: 0, ip: 0x7c00, regs: { esp: 0x7000 }, ds: 0, ss: 0 });
    assert.strictEqual(m.a20Enabled, true, 'a boot path hands over with A20 on');
    m.run(1000);
    assert.ok(m.cpus[0].halted, 'the guest reached its HLT');
    const word = (a: number) => m.phys.read16(a);
    assert.strictEqual(word(0x600), 0x4444, 'gate on: ES:0510 is 0x100500');
    assert.strictEqual(word(0x602), 0x1111, 'i8042 D1 without bit 1: ES:0510 is 0x000500, on the next instruction');
    assert.strictEqual(word(0x604), 0xbeef, 'FFFF:0010 is 0000:0000');
    assert.strictEqual(word(0x606), 0x4444, 'port 0x92 bit 1 on: 0x100500 again');
    assert.strictEqual(word(0x608), 0x2222, 'the write with the gate off went to 0x500');
    assert.strictEqual(word(0x60a), 0x2222, 'port 0x92 bit 1 off (and the output port still off): wrapped');
    assert.strictEqual(word(0x60c), 0x4444, 'i8042 D1 with bit 1: on');
    assert.strictEqual(m.a20Enabled, true);
  });

  it('the Linux and Multiboot paths load above 1 MiB with the gate open, even if it was closed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-a20-'));
    dirs.push(dir);
    const bz = path.join(dir, 'bz');
    const image = fakeBzImage();
    fs.writeFileSync(bz, image);
    const setupBytes = ((image[0x1f1] || 4) + 1) * 512;

    const linux = machine(32);
    linux.setA20(false);
    bootVm(linux, { name: 't', kernel: bz, memoryMB: 32, cpus: 1, engine: 'interpret' });
    assert.strictEqual(linux.a20Enabled, true);
    assert.deepStrictEqual(linux.phys.readBytes(0x100000, 64), image.subarray(setupBytes, setupBytes + 64));

    const mb = machine();
    mb.setA20(false);
    bootVm(mb, { name: 't', kernel: sampleKernel(), memoryMB: 16, cpus: 1, engine: 'interpret' });
    assert.strictEqual(mb.a20Enabled, true);
    assert.deepStrictEqual(mb.phys.readBytes(0x100000, 4), new Uint8Array([0x02, 0xb0, 0xad, 0x1b]));
  });
});
