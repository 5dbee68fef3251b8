import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { flat32, u32 } from './helpers';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

describe('cpu: ALU', () => {
  it('adds with carry and overflow flags', () => {
    // mov eax,0x7fffffff; add eax,1; hlt
    const { cpu } = flat32('b8ffffff7f 83c001 f4');
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(u32(cpu.reg[0]), 0x80000000);
    const f = cpu.getEflags();
    assert.strictEqual(f & (CF | ZF | SF | OF | AF | PF), SF | OF | AF | PF);
  });

  it('sub sets borrow, cmp leaves operand', () => {
    // mov eax,1; sub eax,2; mov ebx,5; cmp ebx,5; hlt
    const { cpu } = flat32('b801000000 83e802 bb05000000 83fb05 f4');
    cpu.run(100);
    assert.strictEqual(u32(cpu.reg[0]), 0xffffffff);
    assert.strictEqual(cpu.reg[3], 5);
    assert.strictEqual(cpu.getEflags() & (ZF | CF), ZF);
  });

  it('adc/sbb chain a 64-bit add', () => {
    // eax:edx = 0xffffffff:1 + 1:0 -> mov eax,-1; mov edx,1; add eax,1; adc edx,0; hlt
    const { cpu } = flat32('b8ffffffff ba01000000 83c001 83d200 f4');
    cpu.run(100);
    assert.strictEqual(cpu.reg[0], 0);
    assert.strictEqual(cpu.reg[2], 2);
  });

  it('8/16-bit forms and high byte registers', () => {
    // mov eax,0x12345678; add ah,0xff; add ax,1; hlt   (80 c4 ff ; 66 83 c0 01)
    const { cpu } = flat32('b878563412 80c4ff 6683c001 f4');
    cpu.run(100);
    assert.strictEqual(u32(cpu.reg[0]), 0x12345579);
  });

  it('inc preserves CF, neg sets it', () => {
    // stc; mov ecx,-1; inc ecx; (ZF=1, CF=1); hlt
    const { cpu } = flat32('f9 b9ffffffff 41 f4');
    cpu.run(100);
    assert.strictEqual(cpu.reg[1], 0);
    assert.strictEqual(cpu.getEflags() & (ZF | CF), ZF | CF);
    const t = flat32('b805000000 f7d8 f4');
    t.cpu.run(10);
    assert.strictEqual(t.cpu.reg[0], -5);
    assert.strictEqual(t.cpu.getEflags() & (CF | SF), CF | SF);
  });

  it('mul/imul/div/idiv including #DE', () => {
    // mov eax,0x80000000; mov ecx,4; mul ecx -> edx=2 eax=0; hlt
    const a = flat32('b800000080 b904000000 f7e1 f4');
    a.cpu.run(10);
    assert.strictEqual(a.cpu.reg[2], 2);
    assert.strictEqual(a.cpu.reg[0], 0);
    assert.strictEqual(a.cpu.getEflags() & (CF | OF), CF | OF);
    // mov eax,-7; cdq; mov ecx,2; idiv ecx -> eax=-3 edx=-1
    const b = flat32('b8f9ffffff 99 b902000000 f7f9 f4');
    b.cpu.run(10);
    assert.strictEqual(b.cpu.reg[0], -3);
    assert.strictEqual(b.cpu.reg[2], -1);
    // edx:eax = 0x1_00000005 / 0x10 via div
    const c = flat32('b805000000 ba01000000 b910000000 f7f1 f4');
    c.cpu.run(10);
    assert.strictEqual(c.cpu.reg[0], 0x10000000);
    assert.strictEqual(c.cpu.reg[2], 5);
    // imul ecx,eax,-3 (6b c8 fd)
    const d = flat32('b807000000 6bc8fd f4');
    d.cpu.run(10);
    assert.strictEqual(d.cpu.reg[1], -21);
    // divide by zero -> #DE intercepted
    const e = flat32('31c9 f7f1 f4');
    e.cpu.intercept[0] = 1;
    assert.strictEqual(e.cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(e.cpu.intercepted?.vector, 0);
    assert.strictEqual(e.cpu.intercepted?.eip, 0x1002);
  });

  it('shifts and rotates', () => {
    // mov eax,0x80000001; shl eax,1 -> CF=1, eax=2, OF=1
    const a = flat32('b801000080 d1e0 f4');
    a.cpu.run(10);
    assert.strictEqual(a.cpu.reg[0], 2);
    assert.strictEqual(a.cpu.getEflags() & (CF | OF), CF | OF);
    // mov eax,0x80000000; sar eax,4 -> 0xf8000000
    const b = flat32('b800000080 c1f804 f4');
    b.cpu.run(10);
    assert.strictEqual(u32(b.cpu.reg[0]), 0xf8000000);
    // stc; mov al,0x80; rcl al,1 -> al=1, CF=1
    const c = flat32('f9 b080 d0d0 f4');
    c.cpu.run(10);
    assert.strictEqual(c.cpu.reg[0] & 0xff, 1);
    assert.strictEqual(c.cpu.getEflags() & CF, CF);
    // mov eax,0x12345678; ror eax,8 -> 0x78123456
    const d = flat32('b878563412 c1c808 f4');
    d.cpu.run(10);
    assert.strictEqual(u32(d.cpu.reg[0]), 0x78123456);
    // shld eax,ebx,4: eax=0x12345678 ebx=0xabcdef01 -> 0x2345678a
    const e = flat32('b878563412 bb01efcdab 0fa4d804 f4');
    e.cpu.run(10);
    assert.strictEqual(u32(e.cpu.reg[0]), 0x2345678a);
    // shift by 0 leaves flags: stc; mov cl,0; shl eax,cl
    const f = flat32('f9 b100 d3e0 f4');
    f.cpu.run(10);
    assert.strictEqual(f.cpu.getEflags() & CF, CF);
  });

  it('bit instructions', () => {
    // mov eax,0x10; bsf ecx,eax; bsr edx,eax; bt eax,4 ; bts eax,0
    const a = flat32('b810000000 0fbcc8 0fbdd0 0fbae004 0fbae800 f4');
    a.cpu.run(10);
    assert.strictEqual(a.cpu.reg[1], 4);
    assert.strictEqual(a.cpu.reg[2], 4);
    assert.strictEqual(a.cpu.reg[0], 0x11);
    // bt [mem] with a large register offset: mov ebx,0x2000; mov ecx,35; bts [ebx],ecx -> byte 0x2004 bit 3
    const b = flat32('bb00200000 b923000000 0fab0b f4');
    b.cpu.run(10);
    assert.strictEqual(b.host.phys.read8(0x2004), 8);
  });

  it('BCD adjust', () => {
    // mov al,0x19; add al,0x28; daa -> 0x47
    const a = flat32('b019 0428 27 f4');
    a.cpu.run(10);
    assert.strictEqual(a.cpu.reg[0] & 0xff, 0x47);
    // mov ax,0x0f; aaa? use aam: mov al,47; aam -> ah=4 al=7
    const b = flat32('b02f d40a f4');
    b.cpu.run(10);
    assert.strictEqual(b.cpu.reg[0] & 0xffff, 0x0407);
    // aad: ax=0x0407 -> al=47
    const c = flat32('66b80704 d50a f4');
    c.cpu.run(10);
    assert.strictEqual(c.cpu.reg[0] & 0xffff, 47);
  });

  it('cmpxchg, xadd, cmpxchg8b, bswap, setcc, cmov', () => {
    // mov eax,5; mov ecx,9; mov [0x2000],eax(5); cmpxchg [0x2000],ecx -> mem=9 ZF=1
    const a = flat32('b805000000 b909000000 a300200000 0fb10d00200000 f4');
    a.cpu.run(10);
    assert.strictEqual(a.host.phys.read32(0x2000), 9);
    // xadd: eax=1 ebx=2; xadd eax,ebx -> eax=3 ebx=1
    const b = flat32('b801000000 bb02000000 0fc1d8 f4');
    b.cpu.run(10);
    assert.strictEqual(b.cpu.reg[0], 3);
    assert.strictEqual(b.cpu.reg[3], 1);
    // cmpxchg8b [0x2000] with edx:eax = 0:0 (memory zero) -> stores ecx:ebx
    const c = flat32('31c0 31d2 bb44332211 b988776655 0fc70d00200000 f4');
    c.cpu.run(10);
    assert.strictEqual(c.host.phys.read32(0x2000), 0x11223344);
    assert.strictEqual(c.host.phys.read32(0x2004), 0x55667788);
    // bswap
    const d = flat32('b878563412 0fc8 f4');
    d.cpu.run(10);
    assert.strictEqual(u32(d.cpu.reg[0]), 0x78563412);
    // xor eax,eax; sete bl; mov ecx,7; cmove edx,ecx
    const e = flat32('31c0 0f94c3 b907000000 0f44d1 f4');
    e.cpu.run(10);
    assert.strictEqual(e.cpu.reg[3] & 0xff, 1);
    assert.strictEqual(e.cpu.reg[2], 7);
  });

  it('LOCK on a register destination is #UD', () => {
    const a = flat32('f001c0 f4');
    a.cpu.intercept[6] = 1;
    assert.strictEqual(a.cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(a.cpu.intercepted?.vector, 6);
    const b = flat32('f0010500200000 f4');
    assert.strictEqual(b.cpu.run(10), StopReason.Halted);
  });
});
