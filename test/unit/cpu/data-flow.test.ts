import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { flat32, hex, real16, u32 } from './helpers';

describe('cpu: data movement and control flow', () => {
  it('movzx/movsx, lea with SIB, xchg with memory, cbw/cwde/cdq, xlat', () => {
    const { cpu, host } = flat32(
      [
        'b8f0ffffff', // mov eax,-16
        '0fb6d8', // movzx ebx,al -> 0xf0
        '0fbec8', // movsx ecx,al -> -16
        '8d54990a', // lea edx,[ecx+ebx*4+10]
        'be00600000 8706', // mov esi,0x6000; xchg [esi],eax
        '66b80080 98', // mov ax,0x8000; cwde -> 0xffff8000
        '99', // cdq -> edx = -1
        'bf00700000 87fb b003 d7 87fb', // xchg ebx,edi(=0x7000); mov al,3; xlat; xchg back
        'f4',
      ].join(''),
    );
    host.phys.write32(0x6000, 0x11223344);
    host.phys.load(0x7000, hex('a0a1a2a3'));
    cpu.run(100);
    assert.strictEqual(cpu.reg[3], 0xf0);
    assert.strictEqual(cpu.reg[1], -16);
    assert.strictEqual(host.phys.read32(0x6000), -16);
    assert.strictEqual(u32(cpu.reg[0]), 0xffff80a3);
    assert.strictEqual(cpu.reg[2], -1);
  });

  it('lahf/sahf, pushfd/popfd round trip, cmc/clc/stc, std/cld', () => {
    const { cpu } = flat32('31c0 9f 88e3 b4d5 9e 9c 5a f5 fd f4');
    cpu.run(100);
    assert.strictEqual(cpu.reg[3] & 0xff, 0x46, 'ZF|PF|bit1 after xor');
    assert.strictEqual(cpu.reg[2] & 0xd5, 0xd5);
    assert.strictEqual(cpu.getEflags() & 0x401, 0x400, 'CF complemented, DF set');
  });

  it('jcc, loop, jcxz, call/ret imm', () => {
    // mov ecx,5; xor eax,eax; L: add eax,ecx; loop L (eax=15); jecxz +2; int3;int3; push 1; push 2; call F; hlt; F: ret 8
    const { cpu } = flat32('b905000000 31c0 01c8 e2fc e302 cccc 6a01 6a02 e801000000 f4 c20800');
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[0], 15);
    assert.strictEqual(cpu.reg[4], 0x80000);
  });

  it('signed and unsigned conditions', () => {
    // mov eax,-1; cmp eax,1; setl bl; setb cl; setg dl; seta bh
    const { cpu } = flat32('b8ffffffff 83f801 0f9cc3 0f92c1 0f9fc2 0f97c7 f4');
    cpu.run(100);
    assert.strictEqual(cpu.reg[3] & 0xffff, 0x0101, 'setl=1, seta=1 (0xffffffff > 1 unsigned)');
    assert.strictEqual(cpu.reg[1] & 0xff, 0, 'setb=0');
    assert.strictEqual(cpu.reg[2] & 0xff, 0, 'setg=0');
  });

  it('real mode: far call/retf, les, push/pop segment registers, 16-bit wraparound of SP', () => {
    // les bx,[0x500]; push es; pop ds; call far 0x0800:0x0010; hlt ; at 0x8010: mov cx,ds; retf
    const { cpu, host } = real16('c41e0005 06 1f 9a10000008 f4');
    host.phys.write16(0x500, 0x1234);
    host.phys.write16(0x502, 0x2000);
    host.phys.load(0x8010, hex('8cd9 cb'));
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[3] & 0xffff, 0x1234);
    assert.strictEqual(cpu.segSel[Seg.ES], 0x2000);
    assert.strictEqual(cpu.reg[1] & 0xffff, 0x2000);
    assert.strictEqual(cpu.segSel[Seg.CS], 0);
    const w = real16('6a07 f4');
    w.cpu.reg[4] = 0;
    w.cpu.run(10);
    assert.strictEqual(w.cpu.reg[4], 0xfffe);
    assert.strictEqual(w.host.phys.read16(0xfffe), 7);
  });

  it('an instruction longer than 15 bytes is #GP(0)', () => {
    const { cpu } = flat32('66666666666666666666666666666690 f4');
    cpu.intercept[13] = 1;
    assert.strictEqual(cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(cpu.takeIntercepted()?.vector, 13);
  });
});

import { disassemble } from '../../../src/vmm/cpu/disasm';

describe('cpu: disassembly from the opcode table', () => {
  const dis = (s: string, bits: 16 | 32 = 32, eip = 0x1000): string => disassemble(hex(s), 0, bits, eip).text;
  it('formats common instructions in Intel syntax', () => {
    assert.strictEqual(dis('01d8'), 'add eax, ebx');
    assert.strictEqual(dis('8b4424f8'), 'mov eax, ss:[esp-0x8]');
    assert.strictEqual(dis('c7050020000001000000'), 'mov dword ptr ds:[0x2000], 0x1');
    assert.strictEqual(dis('ebfe'), 'jmp 0x1000');
    assert.strictEqual(dis('f3a5'), 'rep movsd');
    assert.strictEqual(dis('8b07', 16, 0x7c00), 'mov ax, ds:[bx]');
    assert.strictEqual(dis('0f22d8'), 'mov cr3, eax');
    assert.strictEqual(dis('d9e8'), 'fld1');
    assert.strictEqual(disassemble(hex('0fff'), 0, 32, 0).length, 0);
  });
});
