import * as assert from 'node:assert';
import { Cpu } from '../../../src/vmm/cpu/cpu';
import { Seg } from '../../../src/vmm/cpu/constants';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { ShadowMmu } from '../../../src/vmm/memory/shadow/shadow-mmu';
import { rl32 } from '../../../src/vmm/cpu/access';
import { buildSnapshot } from '../../../src/vmm/memory/shadow/snapshot';
import { PageState } from '../../../src/vmm/monitor/page-table-snapshot';
import { CODE32, DATA32, TestHost, gate, hex, protectedSystem, u32 } from '../cpu/helpers';
import { cr0Or, cr4And, cr4Or, hlt, invlpg, load, setCr3, store } from './asm';

const PD = 0x100000;
const PT = 0x101000;
const PT2 = 0x102000;
const PT3 = 0x103000;
const PD_B = 0x104000;
const PG = 0x80000000;

/**
 * Paging on with PD at PD, the first 4 MiB identity-mapped (user, writable) through PT, the audit on after
 * every event, a #PF handler that stores the error code at 0x9f00 and CR2 at 0x9f04 and halts. Guest code
 * at 0x10000 runs after `pre` set up memory.
 */
function paged(code: string, pre?: (w: (a: number, v: number) => void) => void): ReturnType<typeof protectedSystem> {
  const sys = protectedSystem(setCr3(PD) + cr0Or(PG) + code);
  const p = sys.host.phys;
  p.write32(PD, PT | 7);
  for (let i = 0; i < 1024; i++) p.write32(PT + i * 4, (i << 12) | 7);
  // #PF handler: pop dword [0x9f00]; mov eax,cr2; mov [0x9f04],eax; hlt
  p.load(0x11000, Uint8Array.from([0x8f, 0x05, 0x00, 0x9f, 0, 0, 0x0f, 0x20, 0xd0, 0xa3, 0x04, 0x9f, 0, 0, 0xf4]));
  sys.setGate(14, gate(0x08, 0x11000, 0xe));
  p.write32(0x8000, 111);
  p.write32(0x9000, 222);
  pre?.((a, v) => p.write32(a, v));
  sys.cpu.smmu.auditEvery = 1;
  return sys;
}

function run(sys: ReturnType<typeof paged>): void {
  assert.strictEqual(sys.cpu.run(1000), StopReason.Halted);
  // One last full audit of whatever the run left behind.
  sys.cpu.smmu.audit();
  assert.strictEqual(sys.cpu.smmu.stats.auditErrors, 0);
}

describe('shadow page tables', () => {
  it('a PTE write through a traced page table reaches the shadow without INVLPG', () => {
    const s = paged(load('ecx', 0x8000) + store(PT + 8 * 4, 0x9007) + load('edx', 0x8000) + hlt);
    run(s);
    assert.strictEqual(s.cpu.reg[1], 111);
    assert.strictEqual(s.cpu.reg[2], 222);
    const st = s.cpu.smmu.stats;
    assert.strictEqual(st.tracedWrites, 1);
    assert.strictEqual(st.invlpg, 0);
    assert.ok(st.audits >= 2 && st.auditedEntries > 0);
  });

  it('a device writing a live page table (not the CPU) reaches the shadow too', () => {
    const s = paged(load('ecx', 0x8000) + hlt);
    run(s);
    assert.strictEqual(s.cpu.reg[1], 111);
    // As a DMA-like device, firmware or a hypercall would: through guest-physical memory, not the CPU.
    s.host.phys.write32(PT + 8 * 4, 0x9007);
    assert.strictEqual(rl32(s.cpu, 0x8000), 222, 'the stale shadow entry for 0x8000 was dropped');
    assert.ok(s.cpu.smmu.stats.physWrites > 0);
    s.cpu.smmu.audit();
    assert.strictEqual(s.cpu.smmu.stats.auditErrors, 0);
  });

  it('a PDE write drops the 4 MiB range and the link to the old page table', () => {
    const s = paged(load('ecx', 0x400000) + store(PD + 4, PT3 | 7) + load('edx', 0x400000) + hlt, (w) => {
      w(PD + 4, PT2 | 7);
      w(PT2, 0x8007);
      w(PT3, 0x9007);
    });
    run(s);
    assert.strictEqual(s.cpu.reg[1], 111);
    assert.strictEqual(s.cpu.reg[2], 222);
    const t = s.cpu.smmu.trace;
    assert.strictEqual(t.refs[PT2 >>> 12], 0, 'old table no longer traced');
    assert.strictEqual(t.refs[PT3 >>> 12], 1, 'new table traced');
    assert.strictEqual(s.cpu.root!.pdeSrc[1], PT3 >>> 12);
  });

  it('reuses cached roots across CR3 switches, and each keeps its own entries', () => {
    // PD_B shares the low page table and maps 0x400000 to 0x9000 where PD maps it to 0x8000.
    const s = paged(
      load('ecx', 0x400000) + setCr3(PD_B) + load('edx', 0x400000) + setCr3(PD) + load('esi', 0x400000) + setCr3(PD_B) + load('edi', 0x400000) + hlt,
      (w) => {
        w(PD + 4, PT2 | 7);
        w(PT2, 0x8007);
        w(PD_B, PT | 7);
        w(PD_B + 4, PT3 | 7);
        w(PT3, 0x9007);
      },
    );
    const m = s.cpu.smmu;
    const built0 = m.stats.rootsBuilt;
    run(s);
    assert.deepStrictEqual([s.cpu.reg[1], s.cpu.reg[2], s.cpu.reg[6], s.cpu.reg[7]], [111, 222, 111, 222]);
    assert.strictEqual(m.stats.rootsBuilt - built0, 2, 'one root per address space');
    assert.ok(m.stats.rootsReused >= 2);
    const a = m.roots.find((r) => r.key >= 0 && r.key >>> 3 === PD >>> 12)!;
    const b = m.roots.find((r) => r.key >= 0 && r.key >>> 3 === PD_B >>> 12)!;
    assert.notStrictEqual(a.entries[0x400] & -4096, b.entries[0x400] & -4096);
    assert.strictEqual(s.cpu.root, b);
    assert.strictEqual(a.cpuMask, 0);
    assert.strictEqual(b.cpuMask, 1);
  });

  it('INVLPG drops the page, and the whole 4 MiB range under PSE', () => {
    const s = paged(load('ecx', 0x8000) + invlpg(0x8000) + cr4Or(0x10) + load('edx', 0x802000) + load('esi', 0x803000) + invlpg(0x800000) + hlt, (w) => {
      w(PD + 8, 0x87); // 4 MiB page: 0x800000 -> 0
    });
    run(s);
    assert.strictEqual(s.cpu.reg[6], 0);
    const m = s.cpu.smmu;
    assert.strictEqual(m.stats.invlpg, 2);
    // The PSE change moved the CPU to another root; the first root lost 0x8000 to the first INVLPG.
    const noPse = m.roots.find((r) => r.key >= 0 && (r.key & 2) === 0)!;
    assert.strictEqual(noPse.entries[8], 0);
    assert.strictEqual(s.cpu.tlb[0x802], 0);
    assert.strictEqual(s.cpu.tlb[0x803], 0);
  });

  it('CR0.WP: a supervisor write to a read-only page is allowed with WP=0, faults after WP is set', () => {
    const s = paged(store(0x7000, 5) + cr0Or(0x10000) + store(0x7000, 6) + hlt, (w) => w(PT + 7 * 4, 0x7005));
    run(s);
    assert.strictEqual(s.host.phys.read32(0x7000), 5);
    assert.strictEqual(s.host.phys.read32(0x9f00), 3, 'P|W, supervisor');
    assert.strictEqual(u32(s.host.phys.read32(0x9f04)), 0x7000);
  });

  it('CR4.PSE off: the same PDE is a page-table pointer, and the old 4 MiB translation is gone', () => {
    // PDE 2 = 0x87: with PSE a 4 MiB page at 0; without, a page table at 0 whose entry 2 (phys 8) is 0.
    const s = paged(cr4Or(0x10) + load('ecx', 0x802000) + cr4And(~0x10) + load('edx', 0x802000) + hlt, (w) => {
      w(PD + 8, 0x87);
      w(0x2000, 0xcafe);
      w(8, 0);
    });
    run(s);
    assert.strictEqual(s.cpu.reg[1], 0xcafe);
    assert.strictEqual(s.host.phys.read32(0x9f00), 0, 'not present, supervisor read');
    assert.strictEqual(u32(s.host.phys.read32(0x9f04)), 0x802000);
  });

  it('CR4.PGE: global pages carry Perm.Global in the shadow only while PGE is set', () => {
    const s = paged(load('ecx', 0x8000) + cr4Or(0x80) + load('edx', 0x8000) + hlt, (w) => w(PT + 8 * 4, 0x8107));
    run(s);
    const m = s.cpu.smmu;
    const off = m.roots.find((r) => r.key >= 0 && (r.key & 4) === 0)!;
    assert.strictEqual(off.entries[8] & 16, 0);
    assert.strictEqual(s.cpu.tlb[8] & 16, 16);
  });

  it('accessed and dirty bits: a read sets A and maps read-only; the first write sets D and makes it writable', () => {
    const s = paged(load('ecx', 0x5000) + hlt);
    run(s);
    const p = s.host.phys;
    assert.strictEqual(p.read32(PT + 5 * 4) & 0x60, 0x20);
    assert.strictEqual(s.cpu.tlb[5] & 0xf, 0x1 | 0x4, 'read rights only while D is clear');
    const s2 = paged(load('ecx', 0x5000) + store(0x5000, 1) + hlt);
    run(s2);
    assert.strictEqual(s2.host.phys.read32(PT + 5 * 4) & 0x60, 0x60);
    assert.strictEqual(s2.cpu.tlb[5] & 0xf, 0xf);
  });

  it('a frame that becomes a page table loses write permission through every alias', () => {
    // Write PT2 through the identity map (a writable entry for linear 0x102000), then make it the table of
    // PDE 1 and use it: the alias must turn read-only, so the next write through it is traced.
    const s = paged(store(PT2, 0x8007) + store(PD + 4, PT2 | 7) + load('ecx', 0x400000) + store(PT2, 0x9007) + load('edx', 0x400000) + hlt);
    const m = s.cpu.smmu;
    run(s);
    assert.strictEqual(s.cpu.reg[1], 111);
    assert.strictEqual(s.cpu.reg[2], 222, 'the write through the alias was traced');
    assert.ok(m.stats.aliasDowngrades >= 1);
    assert.strictEqual(s.cpu.tlb[PT2 >>> 12] & 10, 0);
    assert.strictEqual(m.stats.tracedWrites, 2, 'the PDE write and the PTE write through the alias');
  });

  it('two vCPUs share one root: an invalidation by one is seen by the other', () => {
    class SharedHost extends TestHost {
      readonly shadow = new ShadowMmu(this.phys);
    }
    const host = new SharedHost();
    const p = host.phys;
    p.write32(PD, PT | 7);
    for (let i = 0; i < 1024; i++) p.write32(PT + i * 4, (i << 12) | 7);
    p.write32(0x8000, 111);
    p.write32(0x9000, 222);
    host.shadow.auditEvery = 1;
    const cpus = [0, 1].map((i) => {
      const c = new Cpu(i, host);
      c.waitSipi = false;
      c.cr[0] = (0x11 | PG) | 0;
      c.cr[3] = PD;
      c.stateChanged();
      c.setSegment(Seg.CS, 0x08, 0, -1, CODE32);
      for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) c.setSegment(s, 0x10, 0, -1, DATA32);
      c.reg[4] = 0x80000 - i * 0x1000;
      c.eip = 0x10000 + i * 0x1000;
      return c;
    });
    assert.strictEqual(cpus[0].root, cpus[1].root);
    assert.strictEqual(cpus[0].root!.cpuMask, 3);
    p.load(0x10000, hex(load('ecx', 0x8000) + store(PT + 8 * 4, 0x9007) + hlt));
    p.load(0x11000, hex(load('ecx', 0x8000) + hlt));
    // vCPU 1 reads first (fills the shared entry), vCPU 0 reads and remaps, vCPU 1 reads again.
    assert.strictEqual(cpus[1].run(1), StopReason.Budget);
    assert.strictEqual(cpus[1].reg[1], 111);
    const faults = host.shadow.stats.hiddenFaults;
    assert.strictEqual(cpus[0].run(1), StopReason.Budget);
    assert.strictEqual(cpus[0].reg[1], 111);
    assert.strictEqual(host.shadow.stats.hiddenFaults - faults, 1, 'only vCPU 0 code page; the data entry was shared');
    cpus[0].run(100);
    cpus[1].eip = 0x11000;
    cpus[1].halted = false;
    cpus[1].run(100);
    assert.strictEqual(cpus[1].reg[1], 222);
    host.shadow.audit();
    assert.strictEqual(host.shadow.stats.auditErrors, 0);
  });

  it('the audit catches a corrupted shadow entry', () => {
    // The entry for 0x8000 is made to point at 0x9000's frame: the guest would read 222 instead of 111.
    const code = load('ecx', 0x8000) + setCr3(PD) + load('edx', 0x8000) + hlt;
    const corrupt = (s: ReturnType<typeof paged>): void => {
      assert.strictEqual(s.cpu.run(6), StopReason.Budget); // paging on, then the first load
      assert.strictEqual(s.cpu.reg[1], 111);
      const e = s.cpu.tlb[8];
      assert.notStrictEqual(e, 0);
      s.cpu.tlb[8] = (s.host.phys.peekFrameOffset(9) | (e & 0xfff)) | 0;
    };
    const off = paged(code);
    off.cpu.smmu.auditEvery = 0;
    corrupt(off);
    off.cpu.run(100);
    assert.strictEqual(off.cpu.reg[2], 222, 'without the audit the corruption goes unnoticed');
    const on = paged(code);
    corrupt(on);
    assert.throws(() => on.cpu.run(100), /shadow audit failed: 1 mismatch.*linear 0x00008000.*machine page/s);
    assert.strictEqual(on.cpu.smmu.stats.auditErrors, 1);
  });

  it('the panel snapshot says why each page looks the way it does', () => {
    // 0x5000 read (dirty pending), 0x6000 written (mapped), PT's own page (traced), 0x7000 watched,
    // 0x400000 not present, everything else in the first 4 MiB not faulted in.
    const s = paged(load('ecx', 0x5000) + store(0x6000, 1) + load('edx', PT) + hlt);
    s.cpu.addWatchpoint({ id: 1, start: 0x7000, length: 4, kind: 3 });
    run(s);
    const snap = buildSnapshot(s.cpu.smmu, s.cpu, 0, 'test');
    const r = snap.runs;
    assert.strictEqual(r.count.reduce((a, b) => a + b, 0), 1 << 20);
    const stateAt = (lin: number): number => {
      for (let i = 0; i < r.lin.length; i++) if (lin >= r.lin[i] && lin < r.lin[i] + r.count[i] * 4096) return r.state[i];
      return -1;
    };
    assert.strictEqual(stateAt(0x5000), PageState.DirtyPending);
    assert.strictEqual(stateAt(0x6000), PageState.Mapped);
    assert.strictEqual(stateAt(PT), PageState.Traced);
    assert.strictEqual(stateAt(0x7000), PageState.Watched);
    assert.strictEqual(stateAt(0x3000), PageState.NotFaultedIn);
    assert.strictEqual(stateAt(0x400000), PageState.GuestNotPresent);
    assert.strictEqual(snap.pageDirectory[0], (PT | 0x27) >>> 0, 'A set by the walk');
    const i = r.lin.findIndex((l) => l === 0x6000);
    assert.strictEqual(r.gpa[i], 0x6000);
    assert.strictEqual(r.machine[i], s.host.phys.peekFrameOffset(6));
    assert.strictEqual(r.shadow[i], 15);
  });
});
