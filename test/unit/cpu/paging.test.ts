import * as assert from 'node:assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { gate, protectedSystem, u32 } from './helpers';

const PD = 0x100000;
const PT = 0x101000;

/** Identity-maps the first 4 MiB (user, writable) with one page table; returns the system. */
function paged(code: string): ReturnType<typeof protectedSystem> {
  const sys = protectedSystem(code);
  const p = sys.host.phys;
  p.write32(PD, PT | 7);
  for (let i = 0; i < 1024; i++) p.write32(PT + i * 4, (i << 12) | 7);
  // #PF handler at 0x11000: pop dword [0x9000]; mov eax,cr2; mov [0x9004],eax; hlt
  p.load(0x11000, Uint8Array.from([0x8f, 0x05, 0, 0x90, 0, 0, 0x0f, 0x20, 0xd0, 0xa3, 4, 0x90, 0, 0, 0xf4]));
  sys.setGate(14, gate(0x08, 0x11000, 0xe));
  return sys;
}

const ENABLE = 'b800001000 0f22d8 0f20c0 0d00000080 0f22c0';

describe('cpu: paging', () => {
  it('sets accessed and dirty bits as hardware does and faults with CR2 and error code', () => {
    const { cpu, host } = paged(ENABLE + 'a100200000 c7050050000001000000 8b1d00005000 f4');
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    const p = host.phys;
    assert.strictEqual(p.read32(PT + 2 * 4) & 0x60, 0x20, 'read sets A only');
    assert.strictEqual(p.read32(PT + 5 * 4) & 0x60, 0x60, 'write sets A and D');
    assert.strictEqual(p.read32(PD) & 0x20, 0x20, 'PDE accessed');
    assert.strictEqual(p.read32(0x9000), 0, 'supervisor read, not present');
    assert.strictEqual(u32(p.read32(0x9004)), 0x500000);
    assert.strictEqual(u32(cpu.cr[2]), 0x500000);
  });

  it('dirty bit is set on the first write after a read filled the TLB', () => {
    const { cpu, host } = paged(ENABLE + 'a100600000 a300600000 f4');
    cpu.run(100);
    assert.strictEqual(host.phys.read32(PT + 6 * 4) & 0x60, 0x60);
  });

  it('CR0.WP: supervisor writes to read-only pages fault only with WP=1', () => {
    const ro = (wp: boolean): ReturnType<typeof paged> => {
      const setWp = wp ? '0f20c0 0d00000100 0f22c0' : '';
      const s = paged(ENABLE + setWp + 'c7050070000005000000 f4');
      s.host.phys.write32(PT + 7 * 4, 0x7005); // present, user, read-only
      return s;
    };
    const a = ro(false);
    a.cpu.run(100);
    assert.strictEqual(a.host.phys.read32(0x7000), 5);
    const b = ro(true);
    b.cpu.run(100);
    assert.strictEqual(b.host.phys.read32(0x9000), 3, 'P|W, supervisor');
    assert.strictEqual(u32(b.host.phys.read32(0x9004)), 0x7000);
  });

  it('4 MiB pages with CR4.PSE', () => {
    // PDE 2 maps 0x800000-0xbfffff -> phys 0 as a large page; mov eax,[0x802000]
    const s = paged('0f20e0 83c810 0f22e0 ' + ENABLE + 'a100208000 f4');
    s.host.phys.write32(PD + 2 * 4, 0x87);
    s.host.phys.write32(0x2000, 0xcafe);
    s.cpu.run(100);
    assert.strictEqual(s.cpu.reg[0], 0xcafe);
    assert.strictEqual(s.host.phys.read32(PD + 8) & 0x20, 0x20);
    assert.strictEqual(s.cpu.linearToPhysical(0x802000), 0x2000);
  });

  it('a PTE rewrite is seen without INVLPG (traced shadow), and INVLPG keeps the new mapping', () => {
    // Intel SDM vol. 3A 4.10.4: after a paging-structure change a processor *may* keep using the old
    // translation until INVLPG; it may also not. Shadow pages are write-traced, so the change is seen at once.
    // read [0x8000] (fills the shadow); remap PTE 8 -> phys 0x9000 (write through the identity map); read
    // again; invlpg [0x8000]; read again
    const code =
      ENABLE +
      '8b0d00800000' + // mov ecx,[0x8000]
      'c70520101000 07900000' + // mov dword [PT+0x20],0x9007
      '8b1500800000' + // mov edx,[0x8000]
      '0f013d00800000' + // invlpg [0x8000]
      '8b3500800000' + // mov esi,[0x8000]
      'f4';
    const s = paged(code);
    s.host.phys.write32(0x8000, 111);
    s.host.phys.write32(0x9000, 222);
    s.cpu.run(100);
    assert.strictEqual(s.cpu.reg[1], 111);
    assert.strictEqual(s.cpu.reg[2], 222, 'the traced write dropped the old shadow entry');
    assert.strictEqual(s.cpu.reg[6], 222);
    assert.ok(s.cpu.smmu.stats.tracedWrites >= 1);
  });

  it('user access to a supervisor page is #PF with U/S set', () => {
    const s = paged(ENABLE + 'f4');
    s.host.phys.write32(PT + 0x40 * 4, 0x40003); // supervisor-only page 0x40000
    s.cpu.run(100);
    // drop to ring 3 by hand and touch it
    s.cpu.setSegment(1, 0x1b, 0, -1, 0xc0fb);
    s.cpu.setSegment(2, 0x23, 0, -1, 0xc0f3);
    s.cpu.setSegment(3, 0x23, 0, -1, 0xc0f3);
    s.cpu.reg[4] = 0x60000;
    s.host.phys.load(0x20000, Uint8Array.from([0xa1, 0, 0, 4, 0, 0xf4]));
    s.cpu.eip = 0x20000;
    s.cpu.halted = false;
    s.cpu.run(10);
    assert.strictEqual(s.host.phys.read32(0x9000), 5);
    assert.strictEqual(u32(s.host.phys.read32(0x9004)), 0x40000);
    assert.strictEqual(s.cpu.cpl, 0);
  });
  it('CMPXCHG8B across a page boundary whose second page is read-only faults before writing either half', () => {
    // WP on; eax:edx = the old value, ebx:ecx = the new one; cmpxchg8b [0x7ffc] spans pages 7 (rw) and 8 (ro).
    const code = ENABLE + '0f20c0 0d00000100 0f22c0 b811111111 ba22222222 bbaaaaaaaa b9bbbbbbbb 0fc70dfc7f0000 f4';
    const { cpu, host } = paged(code);
    const p = host.phys;
    p.write32(PT + 8 * 4, 0x8001); // present, supervisor, read-only
    p.write32(0x7ffc, 0x11111111);
    p.write32(0x8000, 0x22222222);
    cpu.run(200);
    assert.strictEqual(p.read32(0x9000), 3, 'P|W, supervisor');
    assert.strictEqual(u32(p.read32(0x9004)), 0x8000, 'CR2 is the read-only page');
    assert.strictEqual(u32(p.read32(0x7ffc)), 0x11111111, 'the low half on the writable page is untouched');
  });
});
