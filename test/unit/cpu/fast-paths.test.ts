import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { desc, flat32, hex, real16 } from './helpers';

/**
 * The interpreter's shortcuts must not change what the guest sees: flat segments skip the limit check
 * (except at the top of 4 GiB), CS loads with an unchanged base and limit keep the fetch window, prefix
 * state is reset lazily, and same-privilege interrupt delivery saves only ESP.
 */
describe('cpu: fast paths keep the architectural behaviour', () => {
  it('a flat segment still faults for a dword or word that runs past 4 GiB', () => {
    for (const code of ['8b05feffffff', '668b05ffffffff', 'c705fdffffff01000000']) {
      const { cpu } = flat32(code + 'f4');
      cpu.intercept[13] = 1;
      assert.strictEqual(cpu.run(10), StopReason.MonitorEvent, code);
      assert.strictEqual(cpu.takeIntercepted()?.vector, 13, code);
      assert.strictEqual(cpu.eip, 0x1000, code);
    }
  });

  it('a flat segment reads and writes the linear address directly', () => {
    // mov dword [0x200000],0x11223344; mov eax,[0x200000]; mov bl,[0x200001]; hlt
    const { cpu, host } = flat32('c70500002000 44332211 a100002000 8a1d01002000 f4');
    assert.strictEqual(cpu.run(10), StopReason.Halted);
    assert.strictEqual(host.phys.read32(0x200000), 0x11223344);
    assert.strictEqual(cpu.reg[0], 0x11223344);
    assert.strictEqual(cpu.reg[3] & 0xff, 0x33);
  });

  it('a real-mode segment load moves a 4 GiB (unreal) segment off base 0', () => {
    // mov ax,0x1000; mov ds,ax; mov byte [0x10],0x5a; hlt
    const { cpu, host } = real16('b80010 8ed8 c606 1000 5a f4');
    cpu.setSegment(Seg.DS, 0, 0, -1, 0x93);
    assert.strictEqual(cpu.run(10), StopReason.Halted);
    assert.strictEqual(host.phys.read8(0x10010), 0x5a);
    assert.strictEqual(host.phys.read8(0x10), 0);
  });

  it('a far jump to a code segment with another base fetches from the new base at the same EIP', () => {
    // jmp 0x18:0x1000 (32-bit); at linear 0x11000: mov eax,1; hlt
    const { cpu, host } = flat32('ea 00100000 1800');
    const [clo, chi] = desc(0, 0xfffff, 0x9a);
    const [blo, bhi] = desc(0x10000, 0xfffff, 0x9a);
    host.phys.write32(0x508, clo);
    host.phys.write32(0x50c, chi);
    host.phys.write32(0x518, blo);
    host.phys.write32(0x51c, bhi);
    cpu.dtr[0] = 0x500;
    cpu.dtr[1] = 0x1f;
    host.phys.load(0x11000, hex('b801000000 f4'));
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[0], 1);
    assert.strictEqual(cpu.segBase[Seg.CS], 0x10000);
  });

  it('prefixes apply to their own instruction only', () => {
    // mov ax,0x1234 (66); mov ebx,0x12345678; es mov [0x300],ecx; mov [0x304],ecx; hlt
    const { cpu, host } = flat32('66b83412 bb78563412 26890d00030000 890d04030000 f4');
    cpu.reg[0] = -1;
    cpu.reg[1] = 0x0badf00d;
    cpu.setSegment(Seg.ES, 0x10, 0x100000, -1, 0xc093);
    assert.strictEqual(cpu.run(10), StopReason.Halted);
    assert.strictEqual(cpu.reg[0] >>> 0, 0xffff1234);
    assert.strictEqual(cpu.reg[3], 0x12345678);
    assert.strictEqual(host.phys.read32(0x100300), 0x0badf00d);
    assert.strictEqual(host.phys.read32(0x304), 0x0badf00d);
  });

  it('a same-privilege INT whose pushes fault leaves ESP, CS and EIP as they were', () => {
    // int 0x30 with ESP = 6: the first push fits, the second wraps past 4 GiB (#SS)
    const { cpu, host } = flat32('cd30 f4');
    cpu.dtr[2] = 0x2000;
    cpu.dtr[3] = 0x7ff;
    host.phys.write32(0x2000 + 0x30 * 8, 0x00083000);
    host.phys.write32(0x2000 + 0x30 * 8 + 4, 0x8e00);
    cpu.dtr[0] = 0x500;
    cpu.dtr[1] = 0xf;
    const [clo, chi] = desc(0, 0xfffff, 0x9a);
    host.phys.write32(0x508, clo);
    host.phys.write32(0x50c, chi);
    cpu.reg[4] = 6;
    cpu.intercept[12] = 1;
    assert.strictEqual(cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(cpu.takeIntercepted()?.vector, 12);
    assert.strictEqual(cpu.reg[4], 6);
    assert.strictEqual(cpu.eip, 0x1000);
    assert.strictEqual(cpu.segSel[Seg.CS], 0x08);
  });

  it('a same-privilege INT and IRET round trip returns with the flags and stack restored', () => {
    // stc; int 0x30; hlt   handler at 0x3000: mov eax,7; iretd
    const { cpu, host } = flat32('f9 cd30 f4');
    cpu.dtr[2] = 0x2000;
    cpu.dtr[3] = 0x7ff;
    host.phys.write32(0x2000 + 0x30 * 8, 0x00083000);
    host.phys.write32(0x2000 + 0x30 * 8 + 4, 0x8e00);
    cpu.dtr[0] = 0x500;
    cpu.dtr[1] = 0xf;
    const [clo, chi] = desc(0, 0xfffff, 0x9a);
    host.phys.write32(0x508, clo);
    host.phys.write32(0x50c, chi);
    host.phys.load(0x3000, hex('b807000000 cf'));
    cpu.setEflags(0x202);
    assert.strictEqual(cpu.run(10), StopReason.Halted);
    assert.strictEqual(cpu.reg[0], 7);
    assert.strictEqual(cpu.reg[4], 0x80000);
    assert.strictEqual(cpu.getEflags() & 0x201, 0x201);
    assert.strictEqual(cpu.eip, 0x1004);
  });
});
