import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bootVm } from '../../../src/vmm/boot/boot-vm';
import { Seg } from '../../../src/vmm/cpu/constants';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-rom-'));

/** A 128 KiB image whose bytes say where they are (offset >> 8), with `code` at the reset vector. */
function image(code: number[] = [0xf4]): string {
  const rom = new Uint8Array(128 << 10);
  for (let i = 0; i < rom.length; i++) rom[i] = (i >> 8) & 0xff;
  rom.set(code, rom.length - 16);
  const file = path.join(dir, `rom-${code.length}.bin`);
  fs.writeFileSync(file, rom);
  return file;
}

function withBios(file: string, debugconPort?: number): { m: Machine; debug: number[] } {
  const debug: number[] = [];
  const m = new Machine({ name: 't', memoryMB: 16, cpus: 1, nsPerInstruction: 1, startTimeMs: 0 }, new MachineMemory(16 << 20), {
    onSerial: () => undefined,
    onDebugCon: (b) => debug.push(b),
    onPowerOff: () => undefined,
  });
  bootVm(m, { name: 't', memoryMB: 16, cpus: 1, engine: 'interpret', bios: file, debugconPort });
  return { m, debug };
}

/** Writes i440FX config byte `reg` through configuration mechanism #1, as firmware does. */
function pam(m: Machine, reg: number, value: number): void {
  m.io.write(0xcf8, 4, 0x80000000 | (reg & 0xfc));
  m.io.write(0xcfc + (reg & 3), 1, value);
}

describe('firmware: a -bios image and its PAM-decoded window below 1 MiB', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('at reset 0xE0000-0xFFFFF is the image\'s last 128 KiB, read-only, and the same bytes as the top of 4 GiB', () => {
    const { m } = withBios(image());
    assert.strictEqual(m.phys.read8(0xe0100), 0x01);
    assert.strictEqual(m.phys.read32(0xe0f00), 0x0f0f0f0f, 'image offset 0xF00: 0x0F in each byte');
    assert.strictEqual(m.phys.read8(0xfffe0100), 0x01, 'the high mapping');
    m.phys.write8(0xe0100, 0x55);
    m.phys.write32(0xf0000, 0x12345678);
    assert.strictEqual(m.phys.read8(0xe0100), 0x01, 'a write to ROM is dropped');
    assert.strictEqual(m.phys.read32(0xf0000), 0, 'image offset 0x10000: 0x00, not the write');
    assert.strictEqual(m.phys.read8(0xdffff), 0, 'below the window: RAM');
  });

  it('PAM: write-DRAM then read-DRAM lets firmware shadow itself; read-only DRAM afterwards drops writes', () => {
    const { m } = withBios(image());
    const bridge = m.platform.northBridge;
    pam(m, 0x59, 0x20); // F segment: reads from ROM, writes to DRAM
    assert.strictEqual(bridge.pamAttribute(0xf0000), 2);
    m.phys.write8(0xf1234, 0xab); // lands in DRAM, reads still come from the ROM
    assert.strictEqual(m.phys.read8(0xf1234), 0x12);
    pam(m, 0x59, 0x30); // read and write DRAM: plain RAM now
    assert.strictEqual(m.phys.read8(0xf1234), 0xab, 'the DRAM kept the write');
    assert.ok(m.phys.isRam(0xf1234), 'a shadowed segment is plain RAM (the CPU\'s fast path)');
    m.phys.write8(0xf1235, 0xcd);
    pam(m, 0x59, 0x10); // read DRAM, writes dropped
    assert.ok(!m.phys.isRam(0xf1234));
    m.phys.write8(0xf1235, 0xee);
    assert.strictEqual(m.phys.read16(0xf1234), 0xcdab, 'read-only DRAM: the earlier bytes, not the dropped write');
    pam(m, 0x59, 0x00);
    assert.strictEqual(m.phys.read8(0xf1234), 0x12, 'and back to the ROM');
    // PAM5's high nibble is 0xE4000-0xE7FFF: only that segment changes.
    pam(m, 0x5e, 0x30);
    assert.ok(m.phys.isRam(0xe4000) && !m.phys.isRam(0xe0000) && !m.phys.isRam(0xe8000));
  });

  it('the vCPU starts at F000:FFF0; a guest shadows the F segment and sees each PAM change on its next instruction', () => {
    // At F000:E000, reached by the far jump at the reset vector:
    //   PAM0 = 0x20 (read ROM, write DRAM); DS = ES = F000; rep movsw 64 KiB onto itself (ROM -> DRAM);
    //   PAM0 = 0x30 (DRAM read/write: the code keeps running, from DRAM now); [0x100] = 0x77; out 0xe9, [0x100];
    //   PAM0 = 0x10 (read-only DRAM); [0x100] = 0x55 (dropped, though the page was just in the TLB); out 0xe9, [0x100]
    // prettier-ignore
    const code = [
      0x66, 0xb8, 0x58, 0x00, 0x00, 0x80, 0xba, 0xf8, 0x0c, 0x66, 0xef, 0xba, 0xfd, 0x0c, 0xb0, 0x20, 0xee,
      0xb8, 0x00, 0xf0, 0x8e, 0xd8, 0x8e, 0xc0, 0x31, 0xf6, 0x31, 0xff, 0xb9, 0x00, 0x80, 0xfc, 0xf3, 0xa5,
      0xb0, 0x30, 0xee, 0xc6, 0x06, 0x00, 0x01, 0x77, 0xa0, 0x00, 0x01, 0xe6, 0xe9,
      0xb0, 0x10, 0xee, 0xc6, 0x06, 0x00, 0x01, 0x55, 0xa0, 0x00, 0x01, 0xe6, 0xe9, 0xf4,
    ];
    const rom = new Uint8Array(128 << 10);
    rom.set([0xea, 0x00, 0xe0, 0x00, 0xf0], rom.length - 16); // jmp f000:e000
    rom.set(code, rom.length - 0x2000);
    const file = path.join(dir, 'shadow.bin');
    fs.writeFileSync(file, rom);
    const { m, debug } = withBios(file);
    const c = m.cpus[0];
    assert.strictEqual((c.segBase[Seg.CS] + c.eip) >>> 0, 0xfffffff0, 'RESET: CS base 0xFFFF0000, EIP 0xFFF0');
    m.run(200);
    assert.ok(c.halted, `the guest reached its HLT (at ${c.eip.toString(16)})`);
    assert.deepStrictEqual(debug, [0x77, 0x77]);
    assert.strictEqual(m.phys.read8(0xfe000), 0x66, 'the shadow copy of the code');
    assert.strictEqual(m.phys.read8(0xfffffff0), 0xea, 'the flash at the top of 4 GiB is untouched');
  });

  it('debugconPort adds a debug-console port (SeaBIOS logs to 0x402)', () => {
    const { m, debug } = withBios(image(), 0x402);
    assert.strictEqual(m.io.read(0x402, 1), 0xe9, 'SeaBIOS checks for this read-back before it logs');
    m.io.write(0x402, 1, 0x41);
    m.io.write(0xe9, 1, 0x42);
    assert.deepStrictEqual(debug, [0x41, 0x42]);
  });
});
