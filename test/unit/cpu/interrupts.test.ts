import * as assert from 'node:assert';
import { ExitReason, StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { desc, gate, hex, protectedSystem } from './helpers';

/** Ring-3 entry: push 0x23; push 0x60000; pushfd; push 0x1b; push <eip>; iretd */
function toRing3(eip: number): string {
  const le = (v: number): string => [0, 8, 16, 24].map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, '0')).join('');
  return '66b82300 8ed8 8ec0 6a23 6800000600 9c 6a1b 68' + le(eip) + ' cf';
}

describe('cpu: interrupts and exceptions', () => {
  it('INT n from ring 3 switches to the TSS stack and IRET returns to ring 3', () => {
    const sys = protectedSystem(toRing3(0x20000));
    const p = sys.host.phys;
    // ring 3: int 0x30; mov eax,[esp] (check ESP restored by reading it); int 0x31
    p.load(0x20000, hex('cd30 89e3 cd31'));
    // 0x30 handler: copy the frame to 0x9000..0x9010; iretd
    p.load(0x30000, hex('8b0424 a300900000 8b442404 a304900000 8b442408 a308900000 8b44240c a30c900000 8b442410 a310900000 cf'));
    // 0x31 handler: mov [0x9020],ebx; hlt
    p.load(0x31000, hex('891d20900000 f4'));
    sys.setGate(0x30, gate(0x08, 0x30000, 0xe, 3));
    sys.setGate(0x31, gate(0x08, 0x31000, 0xe, 3));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(p.read32(0x9000), 0x20002, 'return EIP');
    assert.strictEqual(p.read32(0x9004), 0x1b, 'return CS');
    assert.strictEqual(p.read32(0x900c), 0x60000, 'old ESP');
    assert.strictEqual(p.read32(0x9010), 0x23, 'old SS');
    assert.strictEqual(p.read32(0x9020), 0x60000, 'ring 3 ESP after IRET');
    assert.strictEqual(sys.cpu.cpl, 0);
    assert.ok(sys.host.exits.some((e) => e.reason === ExitReason.RingTransition && e.detail === 3));
  });

  it('INT n through a DPL-0 gate from ring 3 is #GP(vector*8+2)', () => {
    const sys = protectedSystem(toRing3(0x20000));
    sys.host.phys.load(0x20000, hex('cd21'));
    sys.host.phys.load(0x33000, hex('8f0500900000 f4'));
    sys.setGate(13, gate(0x08, 0x33000, 0xe));
    sys.setGate(0x21, gate(0x08, 0x30000, 0xe, 0));
    sys.cpu.run(100);
    assert.strictEqual(sys.host.phys.read32(0x9000), 0x21 * 8 + 2);
  });

  it('#DF when a contributory fault hits delivery of another, and a triple fault stops with the chain', () => {
    // ud2 with gate 6 not present (#NP), gate 11 missing (#GP), gate 13 not present -> DF handler
    const sys = protectedSystem('0f0b');
    sys.host.phys.load(0x38000, hex('8f0500900000 c70504900000 01000000 f4'));
    sys.setGate(6, [gate(0x08, 0x40000, 0xe)[0], gate(0x08, 0x40000, 0xe)[1] & ~0x8000]);
    sys.setGate(8, gate(0x08, 0x38000, 0xe));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.host.phys.read32(0x9004), 1, 'DF handler ran');
    assert.strictEqual(sys.host.phys.read32(0x9000), 0, 'DF error code 0');
    assert.deepStrictEqual(sys.cpu.faultChain.map((f) => f.vector), [6, 11, 13, 8]);

    const t = protectedSystem('0f0b');
    assert.strictEqual(t.cpu.run(100), StopReason.Shutdown);
    assert.deepStrictEqual(t.cpu.faultChain.map((f) => f.vector), [6, 13, 13, 8, 13]);
    assert.strictEqual(t.cpu.faultChain[0].eip, 0x10000);
    assert.strictEqual(t.cpu.run(100), StopReason.Shutdown, 'stays down, state kept');
    assert.strictEqual(t.cpu.eip, 0x10000);
  });

  it('page fault during #PF delivery is a double fault', () => {
    const sys = protectedSystem('a100005000');
    // paging on with only the low 1 MiB mapped except the stack page of the handler... simpler: IDT unmapped
    const p = sys.host.phys;
    p.write32(0x100000, 0x101007);
    for (let i = 0; i < 256; i++) p.write32(0x101000 + i * 4, (i << 12) | 7);
    p.write32(0x101000 + 2 * 4, 0); // the IDT page (0x2000) is not present
    sys.cpu.cr[3] = 0x100000;
    sys.cpu.cr[0] |= 0x80000000 | 0;
    sys.cpu.stateChanged();
    assert.strictEqual(sys.cpu.run(100), StopReason.Shutdown);
    assert.deepStrictEqual(sys.cpu.faultChain.map((f) => f.vector), [14, 14, 8, 14]);
  });

  it('external interrupts wake HLT; STI shadow delays delivery by one instruction', () => {
    // sti; mov ecx,1; hlt; mov eax,1; hlt
    const sys = protectedSystem('fb b901000000 f4 b801000000 f4');
    // IRQ handler 0x40: mov [0x9000],ecx (ecx is 1 only if the instruction after STI ran); mov ebx,2; iretd
    sys.host.phys.load(0x40000, hex('890d00900000 bb02000000 cf'));
    sys.setGate(0x40, gate(0x08, 0x40000, 0xe));
    sys.host.pending.push(0x40);
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.host.phys.read32(0x9000), 1);
    assert.strictEqual(sys.cpu.reg[3], 2);
    assert.strictEqual(sys.cpu.halted, true);
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted, 'stays halted without interrupts');
    sys.host.pending.push(0x40);
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.reg[0], 1);
  });

  it('NMI is delivered with IF=0 and blocked until IRET', () => {
    // cli; inc ecx; inc ecx; hlt
    const sys = protectedSystem('fa 41 41 f4');
    sys.host.phys.load(0x40000, hex('43 cf')); // NMI handler: inc ebx; iretd
    sys.setGate(2, gate(0x08, 0x40000, 0xe));
    sys.cpu.raiseNmi();
    sys.cpu.raiseNmi();
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.reg[3], 1, 'one NMI (the second was merged)');
    assert.strictEqual(sys.cpu.reg[1], 2);
    sys.cpu.raiseNmi();
    sys.cpu.run(100);
    assert.strictEqual(sys.cpu.reg[3], 2, 'NMI wakes HLT even with IF=0');
  });

  it('IRET to V86 and #GP back to the monitor for IOPL-sensitive INT', () => {
    // ring 0: build a V86 IRET frame: gs fs ds es ss esp eflags(VM) cs eip
    const frame = [
      '6a00 6a00 6a00 6a00', // gs fs ds es
      '6a00 6800100000', // ss=0, esp=0x1000
      '6802000200', // eflags VM=1 IOPL=0
      '680002 0000', // cs=0x200
      '6800010000', // eip=0x100 -> linear 0x2100
      'cf',
    ].join(' ');
    const sys = protectedSystem(frame);
    const p = sys.host.phys;
    p.load(0x2100, hex('bb3412 cd21'));
    // #GP handler: copy error code, eip, cs, eflags, esp, ss, es to 0x9000...; hlt
    // DS is null after leaving V86 mode, so the handler stores through SS.
    p.load(0x33000, hex('8b0424 36a300900000 8b442404 36a304900000 8b442408 36a308900000 8b44240c 36a30c900000 8b442414 36a314900000 f4'));
    sys.setGate(13, gate(0x08, 0x33000, 0xe));
    // the IDT sits at 0x2000 in this layout, which the V86 code overlaps: move the IDT out of the way
    sys.cpu.dtr[2] = 0x50000;
    for (let i = 0; i < 0x800; i += 4) p.write32(0x50000 + i, p.read32(0x2000 + i));
    p.load(0x2100, hex('bb3412 cd21'));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.cpu.describeMode(), 'protected32');
    assert.strictEqual(p.read32(0x9000), 0, 'error code');
    assert.strictEqual(p.read32(0x9004), 0x103, 'EIP of the INT');
    assert.strictEqual(p.read32(0x9008), 0x200, 'V86 CS');
    assert.strictEqual(p.read32(0x900c) & 0x20000, 0x20000, 'VM in pushed EFLAGS');
    assert.strictEqual(sys.cpu.reg[3] & 0xffff, 0x1234);
    assert.strictEqual(sys.cpu.segSel[Seg.DS], 0, 'data segments nulled on V86 exit');
  });

  it('hardware task switch by CALL and back by IRET with NT', () => {
    // call 0x30:0 (TSS B); mov [0x9000],eax; hlt
    const sys = protectedSystem('9a 00000000 3000 a300900000 f4');
    const p = sys.host.phys;
    const B = 0x4000;
    sys.setGdt(6, desc(B, 0x67, 0x89, 0));
    p.write32(B + 0x20, 0x60000); // EIP
    p.write32(B + 0x24, 0x2); // EFLAGS
    p.write32(B + 0x28, 0x77); // EAX
    p.write32(B + 0x38, 0x58000); // ESP
    for (const [i, v] of [[0, 0x10], [1, 0x08], [2, 0x10], [3, 0x10], [4, 0x10], [5, 0x10]]) p.write16(B + 0x48 + i * 4, v);
    // task B: mov eax,0x55; iretd
    p.load(0x60000, hex('b855000000 cf'));
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(p.read32(0x9000), 0, "A resumed with its own EAX");
    assert.strictEqual(p.read32(B + 0x28), 0x55, "B's state saved in its TSS");
    assert.strictEqual(p.read16(B), 0x28, 'back link');
    assert.strictEqual((p.read32(0x1000 + 6 * 8 + 4) >>> 8) & 0xf, 9, 'B available again');
    assert.strictEqual((p.read32(0x1000 + 5 * 8 + 4) >>> 8) & 0xf, 0xb, 'A busy');
    assert.strictEqual(sys.cpu.segSel[Seg.TR], 0x28);
    assert.strictEqual(sys.cpu.getEflags() & 0x4000, 0, 'NT clear in A');
    assert.ok(sys.cpu.cr[0] & 8, 'CR0.TS set by the switch');
  });
});
