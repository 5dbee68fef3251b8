import * as assert from 'node:assert';
import { Cpu } from '../../../src/vmm/cpu/cpu';
import { ExitReason, StopReason } from '../../../src/vmm/cpu/cpu-host';
import { CR0, F, Seg } from '../../../src/vmm/cpu/constants';
import { DirectState, MONITOR_GDT_BASE, MONITOR_IDT_BASE } from '../../../src/vmm/cpu/ring-compression';
import { CODE32, DATA32, desc, hex, TestHost } from '../cpu/helpers';

/**
 * The direct engine's ring compression, one behaviour per test: what each sensitive instruction shows the guest
 * kernel at ring 1 (as hardware would, no exit), and each privileged instruction trapping into the monitor as an
 * exit with its reason and being emulated against the guest's virtual state.
 */

const GDT = 0x500;
const IDT = 0x800;
const TSS = 0xa00;
const CODE = 0x1000;
const HANDLER = 0x2000;
const SCRATCH = 0x3000;
const KSTACK = 0x80000;
const TSS_ESP0 = 0x70000;

interface Rig {
  cpu: Cpu;
  host: TestHost;
  /** Runs the next n instructions. */
  run(n?: number): StopReason;
  exits(): ExitReason[];
}

/**
 * A guest kernel at its CPL 0 in flat protected mode with a real GDT (DPL-0 code 0x08 and data 0x10, DPL-3 code
 * 0x1b and data 0x23, a TSS 0x28, an LDT 0x30), an IDT whose every gate leads to HANDLER, and its interrupts
 * virtually off. `engine` 'direct' attaches ring compression, as DirectEngine.attach does.
 */
function rig(code: string, engine: 'direct' | 'interpret' = 'direct'): Rig {
  const host = new TestHost();
  const cpu = new Cpu(0, host);
  if (engine === 'direct') cpu.direct = new DirectState();
  const p = host.phys;
  const put = (addr: number, [lo, hi]: [number, number]) => {
    p.write32(addr, lo);
    p.write32(addr + 4, hi);
  };
  put(GDT + 0x08, desc(0, 0xfffff, 0x9a));
  put(GDT + 0x10, desc(0, 0xfffff, 0x92));
  put(GDT + 0x18, desc(0, 0xfffff, 0xfa));
  put(GDT + 0x20, desc(0, 0xfffff, 0xf2));
  put(GDT + 0x28, desc(TSS, 0x67, 0x89, 0));
  put(GDT + 0x30, desc(0x4000, 0xff, 0x82, 0));
  for (let v = 0; v < 256; v++) {
    // 32-bit interrupt gates to 0x08:HANDLER; vector 0x80 with DPL 3 for system calls.
    p.write32(IDT + v * 8, (0x08 << 16) | (HANDLER & 0xffff));
    p.write32(IDT + v * 8 + 4, (HANDLER & 0xffff0000) | (v === 0x80 ? 0xee00 : 0x8e00));
  }
  p.write32(TSS + 4, TSS_ESP0);
  p.write32(TSS + 8, 0x10);
  p.write16(TSS + 0x66, 0x68);
  p.load(HANDLER, hex('f4'));
  cpu.cr[0] = CR0.PE | CR0.ET;
  cpu.dtr[0] = GDT;
  cpu.dtr[1] = 0x37;
  cpu.dtr[2] = IDT;
  cpu.dtr[3] = 0x7ff;
  cpu.stateChanged();
  cpu.setSegment(Seg.CS, 0x08, 0, -1, CODE32);
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, 0x10, 0, -1, DATA32);
  cpu.setSegment(Seg.TR, 0x28, TSS, 0x67, 0x8b);
  cpu.reg[4] = KSTACK;
  cpu.eip = CODE;
  cpu.setEflags(2);
  p.load(CODE, hex(code));
  return {
    cpu,
    host,
    run: (n = 1) => cpu.run(n),
    exits: () => host.exits.map((e) => e.reason),
  };
}

const pop32 = (r: Rig): number => {
  const v = r.host.phys.read32(r.cpu.reg[4] >>> 0);
  r.cpu.reg[4] += 4;
  return v >>> 0;
};

describe('engines: direct execution at ring 1 (ring compression)', () => {
  describe('entering', () => {
    it('moves a kernel at CPL 0 to real CPL 1: CS and SS get RPL and DPL 1, IF and IOPL go virtual', () => {
      const r = rig('90');
      r.cpu.setEflags(0x3202); // the guest's IF 1, IOPL 3
      r.run();
      const c = r.cpu;
      assert.strictEqual(c.cpl, 1);
      assert.strictEqual(c.segSel[Seg.CS], 0x09);
      assert.strictEqual(c.segSel[Seg.SS], 0x11);
      assert.strictEqual((c.segAr[Seg.CS] >> 5) & 3, 1);
      assert.strictEqual(c.direct!.vif, 1);
      assert.strictEqual(c.direct!.viopl, 3);
      assert.strictEqual(c.getEflags() & (F.IF | F.IOPL), F.IF, 'real IF 1, IOPL 0');
    });

    it('the interpreter leaves the same kernel at CPL 0', () => {
      const r = rig('90', 'interpret');
      r.run();
      assert.strictEqual(r.cpu.cpl, 0);
      assert.strictEqual(r.cpu.segSel[Seg.CS], 0x08);
    });
  });

  describe('sensitive unprivileged instructions: hardware behaviour at ring 1, no exit', () => {
    it('PUSH CS and MOV r/m, CS show RPL 1', () => {
      const r = rig('0e 8c c8');
      r.run(2);
      assert.strictEqual(pop32(r) & 0xffff, 0x09);
      assert.strictEqual(r.cpu.reg[0] & 0xffff, 0x09);
      assert.deepStrictEqual(r.exits(), []);
    });

    it('PUSHF shows the real IF (1) and IOPL (0), not the guest\'s virtual IF 0 and IOPL 3', () => {
      const r = rig('9c');
      r.cpu.setEflags(0x3002);
      r.run();
      const pushed = pop32(r);
      assert.strictEqual(pushed & F.IF, F.IF);
      assert.strictEqual(pushed & F.IOPL, 0);
      assert.strictEqual(r.cpu.direct!.vif, 0);
      assert.deepStrictEqual(r.exits(), []);
    });

    it('POPF cannot change IF: the virtual IF is silently not restored (the POPF problem)', () => {
      // push 0x202; popfd (IF 1 wanted) with virtual IF 0; then push 0x2; popfd (IF 0 wanted) after STI.
      const r = rig('68 02 02 00 00 9d fb 6a 02 9d 90');
      r.run(2);
      assert.strictEqual(r.cpu.direct!.vif, 0, 'POPF of IF=1 left the virtual IF off');
      r.run(1);
      assert.strictEqual(r.cpu.direct!.vif, 1, 'STI trapped and was emulated');
      r.run(2);
      assert.strictEqual(r.cpu.direct!.vif, 1, 'POPF of IF=0 left the virtual IF on');
      assert.strictEqual(r.cpu.getEflags() & F.IF, F.IF);
      assert.deepStrictEqual(r.exits(), [ExitReason.InterruptFlag], 'only STI exited');
    });

    it('SGDT and SIDT reveal the monitor\'s tables in the top 4 MiB, with the guest\'s limits', () => {
      const r = rig('0f 01 05 00 30 00 00 0f 01 0d 08 30 00 00');
      r.run(2);
      const p = r.host.phys;
      assert.strictEqual(p.read16(SCRATCH), 0x37);
      assert.strictEqual(p.read32(SCRATCH + 2) >>> 0, MONITOR_GDT_BASE >>> 0);
      assert.strictEqual(p.read16(SCRATCH + 8), 0x7ff);
      assert.strictEqual(p.read32(SCRATCH + 10) >>> 0, MONITOR_IDT_BASE >>> 0);
      assert.ok(MONITOR_GDT_BASE >>> 0 >= 0xffc00000);
      assert.deepStrictEqual(r.exits(), []);
    });

    it('SMSW shows the monitor\'s CR0 (paging on) where MOV from CR0 traps and shows the guest\'s', () => {
      const r = rig('0f 01 e0 89 c3 0f 20 c0');
      r.run(3);
      assert.ok(r.cpu.reg[3] & CR0.PG, 'SMSW: PG set');
      assert.strictEqual(r.cpu.reg[0] & CR0.PG, 0, 'MOV from CR0: the guest has paging off');
      assert.deepStrictEqual(r.exits(), [ExitReason.CrRead]);
    });

    it('LAR and LSL see the shadow descriptor: DPL 1 for the kernel\'s DPL-0 data segment', () => {
      const r = rig('b9 10 00 00 00 0f 02 c1 0f 03 d1');
      r.run(3);
      assert.strictEqual((r.cpu.reg[0] >>> 13) & 3, 1);
      assert.strictEqual(r.cpu.reg[2] >>> 0, 0xffffffff);
      assert.deepStrictEqual(r.exits(), []);
    });

    it('the shadow tables are derived, never written back: the guest\'s GDT keeps DPL 0 (only the A bit is set)', () => {
      const r = rig('b8 10 00 00 00 8e d8');
      r.run(2);
      assert.strictEqual(r.host.phys.read8(GDT + 0x10 + 5), 0x93);
    });
  });

  describe('privileged instructions: #GP at ring 1, emulated at the virtual CPL 0 as a monitor exit', () => {
    it('CLI and STI change only the virtual IF', () => {
      const r = rig('fb fa');
      r.run();
      assert.strictEqual(r.cpu.direct!.vif, 1);
      r.run();
      assert.strictEqual(r.cpu.direct!.vif, 0);
      assert.strictEqual(r.cpu.getEflags() & F.IF, F.IF, 'the real IF stays 1');
      assert.deepStrictEqual(r.exits(), [ExitReason.InterruptFlag, ExitReason.InterruptFlag]);
      assert.strictEqual(r.cpu.direct!.emulated, 2);
      assert.strictEqual(r.cpu.eip, CODE + 2);
      assert.strictEqual(r.cpu.cpl, 1, 'back at ring 1');
    });

    it('HLT halts until an interrupt the virtual IF admits', () => {
      const r = rig('f4 90');
      assert.strictEqual(r.run(), StopReason.Halted);
      assert.deepStrictEqual(r.exits(), [ExitReason.Hlt]);
      assert.ok(r.cpu.halted);
      r.host.pending.push(0x20);
      assert.strictEqual(r.run(), StopReason.Halted, 'virtual IF 0: the IRQ stays pending');
      assert.deepStrictEqual(r.host.pending, [0x20]);
    });

    it('MOV to CR3 and CR0, CLTS, LMSW: CrWrite, Clts, Lmsw with the guest\'s control registers updated', () => {
      // mov eax,0x5000; mov cr3,eax; mov eax,cr0; or eax,8 (TS); mov cr0,eax; clts; mov ax,0x3; lmsw ax
      const r = rig('b8 00 50 00 00 0f 22 d8 0f 20 c0 83 c8 08 0f 22 c0 0f 06 66 b8 03 00 0f 01 f0');
      r.run(8);
      assert.strictEqual(r.cpu.cr[3], 0x5000);
      assert.strictEqual(r.cpu.cr[0] & CR0.TS, 0);
      assert.strictEqual(r.cpu.cr[0] & CR0.MP, CR0.MP, 'LMSW set MP');
      assert.deepStrictEqual(r.exits(), [ExitReason.CrWrite, ExitReason.CrRead, ExitReason.CrWrite, ExitReason.Clts, ExitReason.Lmsw]);
      assert.strictEqual(r.cpu.cpl, 1);
    });

    it('LGDT, LIDT, LLDT and LTR load the guest\'s (virtual) registers', () => {
      const r = rig('0f 01 15 10 30 00 00 0f 01 1d 18 30 00 00 b8 30 00 00 00 0f 00 d0');
      const p = r.host.phys;
      p.write16(SCRATCH + 0x10, 0x37);
      p.write32(SCRATCH + 0x12, GDT);
      p.write16(SCRATCH + 0x18, 0x3ff);
      p.write32(SCRATCH + 0x1a, IDT);
      r.run(4);
      assert.strictEqual(r.cpu.dtr[3], 0x3ff);
      assert.strictEqual(r.cpu.segSel[Seg.LDTR], 0x30);
      assert.deepStrictEqual(r.host.exits.map((e) => [e.reason, e.detail]), [
        [ExitReason.DescriptorTableLoad, 0], [ExitReason.DescriptorTableLoad, 2], [ExitReason.DescriptorTableLoad, 4],
      ]);
    });

    it('INVLPG, WRMSR/RDMSR, MOV DR, WBINVD each exit with their reason', () => {
      // invlpg [0x5000]; mov ecx,0x174; mov eax,0x08; xor edx,edx; wrmsr; rdmsr; mov dr7,eax; mov eax,dr7; wbinvd
      const r = rig('0f 01 3d 00 50 00 00 b9 74 01 00 00 b8 08 00 00 00 31 d2 0f 30 0f 32 0f 23 f8 0f 21 f8 0f 09');
      r.run(9);
      assert.strictEqual(r.cpu.sysenterCs, 8);
      assert.deepStrictEqual(r.exits(), [ExitReason.Invlpg, ExitReason.Msr, ExitReason.Msr, ExitReason.DrWrite, ExitReason.DrRead, ExitReason.CacheFlush]);
    });

    it('port I/O traps even with an open I/O bitmap in the guest\'s TSS (the monitor\'s TSS has none)', () => {
      const seen: number[] = [];
      const r = rig('ba 80 00 00 00 b0 5a ee ec');
      r.host.io.register({ name: 'probe', portRead: () => 0x42, portWrite: (_p, _s, v) => seen.push(v) }, 0x80);
      r.run(4);
      assert.deepStrictEqual(seen, [0x5a]);
      assert.strictEqual(r.cpu.reg[0] & 0xff, 0x42);
      assert.deepStrictEqual(r.host.exits.map((e) => [e.reason, e.detail]), [[ExitReason.IoOut, 0x80], [ExitReason.IoIn, 0x80]]);
    });

    it('MOV SS with an RPL-0 selector faults only because of ring 1: a RingCompression exit', () => {
      const r = rig('b8 10 00 00 00 8e d0');
      r.run(2);
      assert.strictEqual(r.cpu.segSel[Seg.SS], 0x11);
      assert.deepStrictEqual(r.exits(), [ExitReason.RingCompression]);
    });

    it('a genuine #GP at the virtual CPL 0 goes to the guest\'s IDT, handled at ring 1', () => {
      // mov eax, 1 << 20 (a reserved CR4 bit); mov cr4, eax
      const r = rig('b8 00 00 10 00 0f 22 e0');
      r.run(2); // the MOV to EAX, then (the MOV to CR4 faulting, not retired) the handler's HLT
      assert.strictEqual(r.cpu.eip, HANDLER + 1);
      assert.strictEqual(r.cpu.cpl, 1);
      assert.strictEqual(r.cpu.direct!.reflected, 1);
      assert.deepStrictEqual(r.exits(), [ExitReason.CrWrite, ExitReason.Exception, ExitReason.Hlt]);
      assert.strictEqual(pop32(r), 0, 'error code');
      assert.strictEqual(pop32(r), CODE + 5, 'EIP of the MOV to CR4');
      assert.strictEqual(pop32(r) & 0xffff, 0x09, 'CS as the CPU pushed it: RPL 1');
    });
  });

  describe('interrupts', () => {
    it('reach the guest only with its virtual IF on, at ring 1 with the real IF kept on', () => {
      const r = rig('90 90 fb 90 90');
      r.host.pending.push(0x20);
      r.run(2);
      assert.deepStrictEqual(r.host.pending, [0x20], 'virtual IF 0: not delivered although the real IF is 1');
      r.run(3);
      assert.deepStrictEqual(r.host.pending, []);
      assert.strictEqual(r.cpu.cpl, 1);
      assert.ok(r.cpu.getEflags() & F.IF);
      assert.strictEqual(r.cpu.direct!.vif, 1, 'the monitor\'s gates are trap gates: the handler runs with the virtual IF on');
    });

    it('from ring 3, INT 0x80 switches to the guest\'s SS0:ESP0 at ring 1', () => {
      const r = rig('cd 80');
      const c = r.cpu;
      c.setSegment(Seg.CS, 0x1b, 0, -1, CODE32 | 0x60);
      c.setSegment(Seg.SS, 0x23, 0, -1, DATA32 | 0x60);
      c.reg[4] = 0x60000;
      c.setEflags(0x202);
      r.run();
      assert.strictEqual(c.eip, HANDLER);
      assert.strictEqual(c.cpl, 1);
      assert.strictEqual(c.segSel[Seg.SS], 0x11);
      assert.strictEqual(c.reg[4] >>> 0, TSS_ESP0 - 20);
      // The gate (an interrupt gate in the guest's IDT) is a trap gate in the monitor's: the real IF stays 1,
      // and the virtual IF is whatever the kernel last set (here: off, as it was before the return to ring 3).
      assert.ok(c.getEflags() & F.IF);
      assert.strictEqual(c.direct!.vif, 0);
    });
  });
});
