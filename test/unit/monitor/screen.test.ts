import * as assert from 'node:assert';
import { Seg } from '../../../src/vmm/cpu/constants';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import { keyInput, screenSnapshot } from '../../../src/vmm/monitor/screen';
import { hex } from '../cpu/helpers';

/** A machine with one vCPU in real mode at 0000:7C00 running `code` (hex). */
function machine(code: string) {
  const m = new Machine(
    { name: 't', memoryMB: 8, cpus: 1, nsPerInstruction: 1, startTimeMs: 0, disks: [undefined, undefined, undefined, undefined] },
    new MachineMemory(16 << 20),
    { onSerial: () => undefined, onDebugCon: () => undefined, onPowerOff: () => undefined },
  );
  const cpu = m.cpus[0];
  cpu.setSegment(Seg.CS, 0, 0, 0xffff, 0x9b);
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, 0, 0, 0xffff, 0x93);
  cpu.reg[4] = 0x7000;
  cpu.eip = 0x7c00;
  m.phys.load(0x7c00, hex(code));
  return { m, cpu };
}

function runUntilHalted(m: Machine): void {
  for (let i = 0; i < 20 && !m.cpus[0].halted; i++) m.run(1000);
}

describe('monitor: the screen panel requests (screen, keyInput)', () => {
  it('screen shows what the guest wrote at 0xB8000 and the cursor it set through CRTC 0x3D4/0x3D5', () => {
    const { m } = machine(
      'b800b8' + '8ec0' + // mov ax,0xb800; mov es,ax
        '26c706a000481e' + // mov word es:[0x00a0], 0x1e48  ('H' yellow on blue, row 1 col 0)
        '26c706a200691e' + // mov word es:[0x00a2], 0x1e69  ('i')
        'bad403' + 'b00eee' + '42b000ee' + // CRTC 0x0E (cursor high) = 0x00
        '4ab00fee' + '42b0f5ee' + // CRTC 0x0F (cursor low) = 0xF5: 245 = row 3, col 5
        'f4',
    );
    const before = screenSnapshot(m);
    assert.notStrictEqual(before.cells[80], 0x1e48);
    runUntilHalted(m);
    const s = screenSnapshot(m);
    assert.deepStrictEqual([s.cols, s.rows, s.cells.length, s.mode], [80, 25, 2000, 'text']);
    assert.strictEqual(s.cells[80], 0x1e48);
    assert.strictEqual(s.cells[81], 0x1e69);
    assert.deepStrictEqual(s.cursor, { row: 3, col: 5, visible: true });
    // Plain data that crosses postMessage: a number[], not the model's Uint16Array.
    assert.ok(Array.isArray(s.cells));
  });

  it('keyInput reaches the guest: IRQ1 through the PIC, the bytes read from port 0x60 in order', () => {
    const { m } = machine(
      'b011e620' + 'b020e621' + 'b004e621' + 'b001e621' + // PIC master: ICW1-4, vectors 0x20-0x27
        'b0fde621' + // unmask IRQ1 only
        'fb' + 'f4' + 'ebfd', // sti; hlt; jmp back to hlt
    );
    // IRQ1 handler at 0000:7D00: store the byte at 0x500 + count (at 0x520), count++, EOI, IRET.
    m.phys.load(0x7d00, hex('8b1e2005' + 'e460' + '88870005' + 'ff062005' + 'b020e620' + 'cf'));
    m.phys.load(0x21 * 4, hex('007d0000'));
    runUntilHalted(m);
    assert.ok(m.cpus[0].halted, 'the guest waits for the keyboard');
    assert.strictEqual(m.phys.readBytes(0x520, 1)[0], 0, 'no interrupt before a key');
    keyInput(m, [0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8]); // A make/break, Up make/break
    for (let i = 0; i < 20; i++) m.run(1000);
    assert.strictEqual(m.phys.readBytes(0x520, 1)[0], 6, 'one IRQ1 per byte');
    assert.deepStrictEqual(Array.from(m.phys.readBytes(0x500, 6)), [0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8]);
    assert.throws(() => keyInput(m, [0x100]), /bad scancode/);
  });
});
