import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { desc, flat32, gate, hex, protectedSystem, real16 } from './helpers';

function sig(v: number): string {
  return String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

describe('cpu: system instructions', () => {
  it('CPUID: P6 features, hypervisor bit and the Ringside leaf', () => {
    const { cpu } = flat32('31c0 0fa2 89de 89cf 89d5 b801000000 0fa2 f4');
    cpu.run(100);
    assert.strictEqual(sig(cpu.reg[6]) + sig(cpu.reg[5]) + sig(cpu.reg[7]), 'GenuineIntel');
    assert.strictEqual((cpu.reg[0] >>> 8) & 0xf, 6);
    assert.strictEqual(cpu.reg[1] >>> 31, 1, 'hypervisor');
    const edx = cpu.reg[2];
    for (const bit of [0, 1, 2, 3, 4, 5, 8, 9, 11, 13, 15]) assert.ok(edx & (1 << bit), `feature bit ${bit}`);
    for (const bit of [6, 23, 24, 25]) assert.ok(!(edx & (1 << bit)), `no feature bit ${bit}`);
    const h = flat32('b800000040 0fa2 f4');
    h.cpu.run(10);
    assert.strictEqual(h.cpu.reg[0], 0x40000001, "highest hypervisor leaf");
    assert.strictEqual(sig(h.cpu.reg[3]) + sig(h.cpu.reg[1]) + sig(h.cpu.reg[2]), 'RingsideRing');
  });

  it('RDTSC follows host time; MSRs; unknown MSR is #GP', () => {
    const { cpu, host } = flat32('0f31 b910000000 0f32 b974010000 b808000000 31d2 0f30 0f32 f4');
    host.time = 0x123456789;
    cpu.run(100);
    assert.strictEqual(cpu.reg[0], 8);
    assert.strictEqual(cpu.sysenterCs, 8);
    const g = flat32('b999999999 0f32 f4');
    g.cpu.intercept[13] = 1;
    assert.strictEqual(g.cpu.run(10), StopReason.MonitorEvent);
  });

  it('IA32_BIOS_SIGN_ID (0x8B) takes a write and reads back revision 0, as Linux expects of a P6', () => {
    // mov ecx,0x8b; mov eax,0; mov edx,0; wrmsr; cpuid(1); mov ecx,0x8b; mov edx,-1; rdmsr; hlt
    const { cpu } = flat32('b98b000000 b800000000 ba00000000 0f30 b801000000 0fa2 b98b000000 baffffffff 0f32 f4');
    cpu.intercept[13] = 1;
    assert.notStrictEqual(cpu.run(100), StopReason.MonitorEvent);
    assert.strictEqual(cpu.reg[2], 0);
  });

  it('SYSENTER / SYSEXIT switch rings with flat segments', () => {
    // wrmsr SYSENTER_CS=0x08, ESP=0x70000, EIP=0x30000; then drop to ring 3 via sysexit (ecx=esp, edx=eip)
    const sys = protectedSystem(
      'b974010000 b808000000 31d2 0f30 b975010000 b800000700 0f30 b976010000 b800000300 0f30 ' +
        'b900000600 ba00000200 0f35',
    );
    sys.host.phys.load(0x20000, hex('0f34'));
    sys.host.phys.load(0x30000, hex('f4'));
    sys.setGdt(3, desc(0, 0xfffff, 0xfa));
    sys.setGdt(4, desc(0, 0xfffff, 0xf2));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.segSel[Seg.CS], 0x08);
    assert.strictEqual(sys.cpu.segSel[Seg.SS], 0x10);
    assert.strictEqual(sys.cpu.reg[4], 0x70000);
    assert.strictEqual(sys.cpu.cpl, 0);
  });

  it('call gate from ring 3 copies parameters to the ring-0 stack; RETF imm returns', () => {
    // ring 0: go to ring 3 at 0x20000
    const sys = protectedSystem('66b82300 8ed8 8ec0 6a23 6800000600 9c 6a1b 6800000200 cf');
    const p = sys.host.phys;
    sys.setGdt(7, gate(0x08, 0x30000, 0xc, 3, 2));
    // ring 3: push 0x11; push 0x22; call 0x3b:0; mov [0x9010],esp; int3? -> hlt (#GP at CPL3 -> handler)
    p.load(0x20000, hex('6a11 6a22 9a00000000 3b00 8925 10900000 f4'));
    // ring 0 target: copy [esp+8],[esp+12] (params) and [esp+16] (old esp) to 0x9000..; retf 8
    p.load(0x30000, hex('8b442408 a300900000 8b44240c a304900000 8b442410 a308900000 ca0800'));
    p.load(0x33000, hex('f4'));
    sys.setGate(13, gate(0x08, 0x33000, 0xe));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(p.read32(0x9000), 0x22);
    assert.strictEqual(p.read32(0x9004), 0x11);
    assert.strictEqual(p.read32(0x9008), 0x5fff8, 'caller ESP after the pushes');
    assert.strictEqual(p.read32(0x9010), 0x60000, 'RETF 8 popped the parameters');
  });

  it('segment limits, expand-down segments, null selectors and the LDT', () => {
    const sys = protectedSystem(
      [
        '66b83000 8ed8', // mov ds,0x30 (limit 0xfff)
        'a1fc0f0000', // mov eax,[0xffc] ok
        '66b83f00 8ee0', // mov fs,0x3f (LDT entry 7, RPL 3)
        '64a100000000', // mov eax,fs:[0]
        'a1fe0f0000', // mov eax,[0xffe] -> #GP(0)
      ].join(''),
    );
    const p = sys.host.phys;
    sys.setGdt(6, desc(0x5000, 0xfff, 0x92, 0x4));
    sys.setGdt(8, desc(0x6000, 0x3f, 0x82, 0));
    p.write32(0x6000 + 7 * 8, desc(0x7000, 0xfff, 0xf2, 0x4)[0]);
    p.write32(0x6000 + 7 * 8 + 4, desc(0x7000, 0xfff, 0xf2, 0x4)[1]);
    p.write32(0x7000, 0xabcd);
    p.load(0x33000, hex('368f0500900000 f4'));
    sys.setGate(13, gate(0x08, 0x33000, 0xe));
    sys.cpu.setSegment(Seg.LDTR, 0x40, 0x6000, 0x3f, 0x82);
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.reg[0], 0xabcd);
    assert.strictEqual(p.read32(0x9000), 0);
    // expand-down: limit 0xfff, big: valid offsets 0x1000..0xffffffff
    const e = protectedSystem('66b83000 8ed8 a100200000 a1f00f0000');
    e.setGdt(6, desc(0, 0xfff, 0x96, 0x4));
    e.host.phys.load(0x33000, hex('368f0500900000 f4'));
    e.setGate(13, gate(0x08, 0x33000, 0xe));
    e.cpu.run(100);
    assert.strictEqual(e.cpu.eip, 0x33008);
    assert.strictEqual(e.host.phys.read32(0x9000), 0);
    // loading a data selector with RPL > DPL is #GP(selector)
    const n = protectedSystem('66b83300 8ed8 f4');
    n.setGdt(6, desc(0, 0xfffff, 0x92));
    n.host.phys.load(0x33000, hex('368f0500900000 f4'));
    n.setGate(13, gate(0x08, 0x33000, 0xe));
    n.cpu.run(100);
    assert.strictEqual(n.host.phys.read32(0x9000), 0x30);
  });

  it('LAR, LSL, VERR, VERW report through ZF', () => {
    const sys = protectedSystem('66b80800 0f02d8 0f03c8 0f00e0 9c 5a 0f00e8 9c 5e f4');
    sys.cpu.run(100);
    assert.strictEqual(sys.cpu.reg[3] & 0x00f0fe00, 0x00c09a00);
    assert.strictEqual(sys.cpu.reg[1] >>> 0, 0xffffffff);
    assert.ok(sys.cpu.reg[2] & 0x40, 'VERR code: readable');
    assert.ok(!(sys.cpu.reg[6] & 0x40), 'VERW code: not writable');
  });

  it('IOPL: CLI and IN fault in ring 3, POPF silently keeps IF; the I/O bitmap grants ports', () => {
    const sys = protectedSystem('66b82300 8ed8 8ec0 6a23 6800000600 9c 6a1b 6800000200 cf');
    const p = sys.host.phys;
    // ring 3: pushfd; and dword [esp],~0x200; popfd (IF stays 1); pushfd; pop ebx; in al,0x80 (bitmap allows); cli (#GP)
    p.load(0x20000, hex('9c 812424fffdffff 9d 9c 5b e480 fa'));
    p.load(0x33000, hex('8f0500900000 f4'));
    sys.setGate(13, gate(0x08, 0x33000, 0xe));
    // TSS with an I/O bitmap at 0x68 allowing port 0x80 only
    sys.setGdt(5, desc(0x3000, 0x68 + 0x2000, 0x8b, 0));
    sys.cpu.setSegment(Seg.TR, 0x28, 0x3000, 0x68 + 0x2000, 0x8b);
    p.write16(0x3066, 0x68);
    p.load(0x3068, new Uint8Array(0x2000).fill(0xff));
    p.write8(0x3068 + 0x10, 0xfe);
    sys.cpu.flags |= 0x200;
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.ok(sys.cpu.reg[3] & 0x200, 'IF unchanged by POPF at CPL 3');
    assert.strictEqual(sys.cpu.reg[0] & 0xff, 0xff, 'IN from an unclaimed port');
    assert.strictEqual(sys.cpu.eip, 0x33007, '#GP from CLI');
  });

  it('string instructions with REP and segment overrides in 16-bit code', () => {
    // cld; mov cx,4; mov si,0x100; mov di,0x200; push ds; pop es; rep movsw; mov al,0x33; mov cx,3; rep stosb; hlt
    const { cpu, host } = real16('fc b90400 be0001 bf0002 1e 07 f3a5 b033 b90300 f3aa f4');
    host.phys.load(0x100, hex('0102030405060708'));
    cpu.run(100);
    assert.deepStrictEqual(Array.from(host.phys.readBytes(0x200, 11)), [1, 2, 3, 4, 5, 6, 7, 8, 0x33, 0x33, 0x33]);
    // repne scasb: find 0x05
    const s = real16('fc b005 b90800 bf0001 f2ae f4');
    s.host.phys.load(0x100, hex('0102030405060708'));
    s.cpu.run(100);
    assert.strictEqual(s.cpu.reg[7] & 0xffff, 0x105);
    assert.strictEqual(s.cpu.reg[1] & 0xffff, 3);
  });

  it('ENTER/LEAVE, PUSHA/POPA, XLAT, BOUND', () => {
    const { cpu } = flat32('89e6 c8100002 89e7 c9 60 31c0 61 f4');
    cpu.reg[5] = 0x1234;
    cpu.run(100);
    assert.strictEqual(cpu.reg[4], cpu.reg[6]);
    assert.strictEqual(cpu.reg[7], 0x80000 - 4 - 4 - 4 - 0x10);
    // bound eax,[0x6000] with bounds 0..4 and eax=5 -> #BR
    const b = flat32('b805000000 620500600000 f4');
    b.host.phys.write32(0x6004, 4);
    b.cpu.intercept[5] = 1;
    assert.strictEqual(b.cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(b.cpu.takeIntercepted()?.vector, 5);
  });

  it('x87 escapes raise #NM without an FPU or with CR0.TS', () => {
    const { cpu } = flat32('d9e8 f4');
    cpu.intercept[7] = 1;
    assert.strictEqual(cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(cpu.takeIntercepted()?.vector, 7);
  });
});
