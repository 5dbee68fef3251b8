import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { Cpu } from '../../../src/vmm/cpu/cpu';
import { TestHost, desc, hex, real16 } from './helpers';

describe('cpu: reset, real mode and mode switches', () => {
  it('powers on at F000:FFF0 with base FFFF0000', () => {
    const cpu = new Cpu(0, new TestHost());
    assert.strictEqual(cpu.segSel[Seg.CS], 0xf000);
    assert.strictEqual(cpu.segBase[Seg.CS] >>> 0, 0xffff0000);
    assert.strictEqual(cpu.eip, 0xfff0);
    assert.strictEqual(cpu.describeMode(), 'real');
    assert.strictEqual(cpu.getEflags(), 2);
    assert.strictEqual(cpu.cr[0] >>> 0, 0x60000010);
    assert.strictEqual(new Cpu(1, new TestHost()).waitSipi, true);
  });

  it('APs wait for SIPI, then start in real mode at vector << 12', () => {
    const host = new TestHost();
    host.phys.load(0x9000, hex('b8 3412 f4'));
    const ap = new Cpu(1, host);
    assert.strictEqual(ap.run(10), StopReason.Halted);
    ap.sipi(9);
    assert.strictEqual(ap.run(10), StopReason.Halted);
    assert.strictEqual(ap.reg[0] & 0xffff, 0x1234);
    assert.strictEqual(ap.segSel[Seg.CS], 0x900);
  });

  it('real-mode segment arithmetic, 16-bit addressing and the IVT', () => {
    // mov ax,0x1000; mov ds,ax; mov bx,0x10; mov si,2; mov byte [bx+si],0x5a; int 0x10; hlt
    const { cpu, host } = real16('b80010 8ed8 bb1000 be0200 c6005a cd10 f4');
    // IVT[0x10] -> 0000:0x8000: mov cx,0x4321; iret
    host.phys.write16(0x40, 0x8000);
    host.phys.write16(0x42, 0);
    host.phys.load(0x8000, hex('b92143 cf'));
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(host.phys.read8(0x10012), 0x5a);
    assert.strictEqual(cpu.reg[1] & 0xffff, 0x4321);
    assert.strictEqual(cpu.reg[4] & 0xffff, 0x7000);
  });

  it('real -> protected 32 -> real with unreal mode limits kept', () => {
    const { cpu, host } = real16(
      [
        'fa', // cli
        '0f011600 06', // lgdt [0x600]
        '0f20c0 0c01 0f22c0', // mov eax,cr0; or al,1; mov cr0,eax
        '66ea 167c0000 0800', // jmp dword 0x08:0x7c16
        '', // 0x7c16 (32-bit code):
        '66b81000 8ed8 8ec0 8ed0', // mov ax,0x10; mov ds,ax; mov es,ax; mov ss,ax
        'bc00900000', // mov esp,0x9000
        '0f20c0 24fe 0f22c0', // mov eax,cr0; and al,0xfe; mov cr0,eax   (back to real, CS still 32-bit cached)
        'ea 327c 0000', // jmp 0000:7c32 (real mode: 16-bit operands again)
        '31c0 8ed8', // xor ax,ax; mov ds,ax
        '6667c7050000100078563412', // mov dword [ds:0x100000],0x12345678 via a32 (unreal: DS limit 4G)
        'f4',
      ].join(''),
    );
    host.phys.load(0x500, hex('0000000000000000 ffff0000009acf00 ffff00000092cf00'));
    host.phys.write16(0x600, 0x17);
    host.phys.write32(0x602, 0x500);
    const r = cpu.run(100);
    assert.strictEqual(r, StopReason.Halted, `stopped with ${r} at ${cpu.eip.toString(16)}`);
    assert.strictEqual(cpu.describeMode(), 'real');
    assert.strictEqual(host.phys.read32(0x100000), 0x12345678);
    assert.strictEqual(cpu.segLimit[Seg.DS] >>> 0, 0xffffffff);
    void desc;
  });
});
