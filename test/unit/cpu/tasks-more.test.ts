import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { desc, gate, hex, protectedSystem, real16 } from './helpers';

/** Fills a 32-bit TSS image for a flat ring-0 task. */
function tss(p: { write32(a: number, v: number): void; write16(a: number, v: number): void }, at: number, eip: number, esp: number): void {
  p.write32(at + 0x20, eip);
  p.write32(at + 0x24, 2);
  p.write32(at + 0x38, esp);
  for (const [i, v] of [[0, 0x10], [1, 0x08], [2, 0x10], [3, 0x10], [4, 0x10], [5, 0x10]]) p.write16(at + 0x48 + i * 4, v);
}

describe('cpu: more task and mode cases', () => {
  it('JMP to a TSS clears the old busy bit and does not link', () => {
    const sys = protectedSystem('b811000000 ea 00000000 3000');
    const p = sys.host.phys;
    sys.setGdt(6, desc(0x4000, 0x67, 0x89, 0));
    tss(p, 0x4000, 0x60000, 0x58000);
    p.load(0x60000, hex('f4'));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.segSel[Seg.TR], 0x30);
    assert.strictEqual(p.read32(0x3000 + 0x28), 0x11, 'outgoing EAX saved');
    assert.strictEqual((p.read32(0x1000 + 5 * 8 + 4) >>> 8) & 0xf, 9, 'old TSS available');
    assert.strictEqual((p.read32(0x1000 + 6 * 8 + 4) >>> 8) & 0xf, 0xb, 'new TSS busy');
    assert.strictEqual(sys.cpu.getEflags() & 0x4000, 0, 'no NT');
  });

  it('an exception through a task gate switches tasks and pushes the error code', () => {
    const sys = protectedSystem('66b83b00 8ed8'); // mov ds,0x3b -> #GP(0x38) (null descriptor type)
    const p = sys.host.phys;
    sys.setGdt(6, desc(0x4000, 0x67, 0x89, 0));
    tss(p, 0x4000, 0x60000, 0x58000);
    p.load(0x60000, hex('58 f4')); // pop eax (error code); hlt
    sys.setGate(13, gate(0x30, 0, 0x5));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.reg[0], 0x38);
    assert.strictEqual(p.read16(0x4000), 0x28, 'back link to the interrupted task');
    assert.strictEqual(sys.cpu.getEflags() & 0x4000, 0x4000, 'NT set');
  });

  it('16-bit protected mode code segments use 16-bit operands and addresses', () => {
    // far jump to a 16-bit code segment (0x38) at 0x7000: mov ax,0x1234; push ax; pop bx; hlt
    const sys = protectedSystem('ea 00700000 3800');
    sys.setGdt(7, desc(0, 0xffff, 0x9a, 0));
    sys.host.phys.load(0x7000, hex('b83412 50 5b f4'));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.describeMode(), 'protected16');
    assert.strictEqual(sys.cpu.reg[3] & 0xffff, 0x1234);
  });

  it('real-mode exceptions go through the IVT with the faulting IP', () => {
    // ud2 at 0x7c00; IVT[6] -> 0:0x8000: pop ax (IP); hlt
    const { cpu, host } = real16('0f0b');
    host.phys.write16(6 * 4, 0x8000);
    host.phys.load(0x8000, hex('58 f4'));
    assert.strictEqual(cpu.run(10), StopReason.Halted);
    assert.strictEqual(cpu.reg[0] & 0xffff, 0x7c00);
  });

  it('RETF to an outer ring nulls data segments the new CPL may not use', () => {
    // push 0x23; push 0x60000; push 0x1b; push 0x20000; retf  (DS/ES stay 0x10 -> nulled)
    const sys = protectedSystem('6a23 6800000600 6a1b 6800000200 cb');
    sys.host.phys.load(0x20000, hex('ebfe'));
    sys.cpu.run(10);
    assert.strictEqual(sys.cpu.cpl, 3);
    assert.strictEqual(sys.cpu.segSel[Seg.DS], 0);
    assert.strictEqual(sys.cpu.segSel[Seg.SS], 0x23);
    assert.strictEqual(sys.cpu.reg[4], 0x60000);
  });
});
