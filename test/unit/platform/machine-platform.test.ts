import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootError } from '../../../src/vmm/boot/boot-error';
import { openDisks } from '../../../src/vmm/boot/disks';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine, type MachineOptions } from '../../../src/vmm/monitor/machine';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { byteSum } from '../../../src/vmm/firmware/table-bytes';
import { MP_FLOATING_ADDR, RSDP_ADDR } from '../../../src/vmm/firmware/platform-tables';
import { PM1A_CNT, PM_TMR } from '../../../src/vmm/firmware/acpi-pm';

function machine(o: Partial<MachineOptions> = {}): { m: Machine; serial: number[]; offs: string[] } {
  const serial: number[] = [];
  const offs: string[] = [];
  const opts: MachineOptions = { name: 't', memoryMB: 16, cpus: 2, nsPerInstruction: 1, startTimeMs: 0, ...o };
  const m = new Machine(opts, new MachineMemory(opts.memoryMB << 20), {
    onSerial: (_p, b) => serial.push(b),
    onDebugCon: () => undefined,
    onPowerOff: (code, reason) => offs.push(`${code} ${reason}`),
  });
  return { m, serial, offs };
}

function table(m: Machine, addr: number): { sig: string; bytes: Uint8Array } {
  const len = m.phys.read32(addr + 4);
  const bytes = m.phys.readBytes(addr, len);
  return { sig: Buffer.from(bytes.subarray(0, 4)).toString('latin1'), bytes };
}

describe('platform: the PC wired into Machine', () => {
  it('MP floating pointer and configuration table list every CPU, with valid checksums', () => {
    const { m } = machine({ cpus: 3 });
    const fp = m.phys.readBytes(MP_FLOATING_ADDR, 16);
    assert.strictEqual(Buffer.from(fp.subarray(0, 4)).toString('latin1'), '_MP_');
    assert.strictEqual(byteSum(fp), 0);
    const cfg = m.phys.read32(MP_FLOATING_ADDR + 4);
    const len = m.phys.read16(cfg + 4);
    const t = m.phys.readBytes(cfg, len);
    assert.strictEqual(Buffer.from(t.subarray(0, 4)).toString('latin1'), 'PCMP');
    assert.strictEqual(byteSum(t), 0);
    let p = 44;
    const cpus: number[] = [];
    let ioapic = -1;
    while (p < len) {
      const type = t[p];
      if (type === 0) cpus.push(t[p + 1]);
      if (type === 2) ioapic = t[p + 1];
      p += type === 0 ? 20 : 8;
    }
    assert.deepStrictEqual(cpus, [0, 1, 2]);
    assert.strictEqual(ioapic, 3);
    assert.strictEqual(m.platform.ioapic!.id, 3, 'the I/O APIC register agrees with the table');
  });

  it('ACPI: RSDP -> RSDT -> FADT (FACS, DSDT with _S5_) and MADT with every CPU', () => {
    const { m } = machine({ cpus: 2 });
    const rsdp = m.phys.readBytes(RSDP_ADDR, 20);
    assert.strictEqual(Buffer.from(rsdp.subarray(0, 8)).toString('latin1'), 'RSD PTR ');
    assert.strictEqual(byteSum(rsdp), 0);
    const rsdt = table(m, m.phys.read32(RSDP_ADDR + 16));
    assert.strictEqual(rsdt.sig, 'RSDT');
    assert.strictEqual(byteSum(rsdt.bytes), 0);
    const sigs: Record<string, Uint8Array> = {};
    for (let o = 36; o < rsdt.bytes.length; o += 4) {
      const t = table(m, new DataView(rsdt.bytes.buffer).getUint32(o, true));
      assert.strictEqual(byteSum(t.bytes), 0, `${t.sig} checksum`);
      sigs[t.sig] = t.bytes;
    }
    assert.deepStrictEqual(Object.keys(sigs).sort(), ['APIC', 'FACP']);
    const fadt = new DataView(sigs.FACP.buffer);
    assert.strictEqual(fadt.getUint32(64, true), PM1A_CNT);
    assert.strictEqual(fadt.getUint32(76, true), PM_TMR);
    const dsdt = table(m, fadt.getUint32(40, true));
    assert.strictEqual(dsdt.sig, 'DSDT');
    assert.ok(Buffer.from(dsdt.bytes).includes(Buffer.from('_S5_')));
    assert.strictEqual(Buffer.from(m.phys.readBytes(fadt.getUint32(36, true), 4)).toString('latin1'), 'FACS');
    const madt = sigs.APIC;
    const ids: number[] = [];
    for (let p = 44; p < madt.length; p += madt[p + 1]) if (madt[p] === 0) ids.push(madt[p + 3]);
    assert.deepStrictEqual(ids, [0, 1]);
  });

  it('ACPI power-off: SLP_TYP=S5 | SLP_EN in PM1a_CNT stops the VM with a reason', () => {
    const { m, offs } = machine();
    assert.strictEqual(m.io.read(PM1A_CNT, 2) & 1, 1, 'SCI_EN: always in ACPI mode');
    m.io.write(PM1A_CNT, 2, (5 << 10) | (1 << 13));
    assert.deepStrictEqual(offs, ['0 ACPI power-off (S5)']);
    assert.ok(m.poweredOff);
  });

  it('the PM timer counts at 3.579545 MHz of virtual time', () => {
    const { m } = machine();
    m.clock.advanceTo(1e9);
    assert.strictEqual(m.io.read(PM_TMR, 4), 3579545 & 0xffffff);
  });

  it('reset through 0xCF9 and through the i8042 stops the VM with a reason', () => {
    const a = machine();
    a.m.io.write(0xcf9, 1, 0x06);
    assert.match(a.offs[0], /reset/);
    const b = machine();
    b.m.io.write(0x64, 1, 0xfe);
    assert.match(b.offs[0], /reset/);
  });

  it('isa-debug-exit exists only when configured', () => {
    const a = machine();
    assert.strictEqual(a.m.io.deviceAt(0xf4), undefined);
    const b = machine({ debugExitPort: 0xf4 });
    b.m.io.write(0xf4, 1, 0x10);
    assert.deepStrictEqual(b.offs, ['33 isa-debug-exit wrote 16']);
  });

  it('COM1 output reaches onSerial', () => {
    const { m, serial } = machine();
    m.io.write(0x3f8, 1, 0x41);
    assert.deepStrictEqual(serial, [0x41]);
  });

  it('the PIT interrupt reaches CPU 0 through the 8259 (interruptPending/acknowledgeInterrupt)', () => {
    const { m } = machine();
    m.io.write(0x20, 1, 0x11); // ICW1
    m.io.write(0x21, 1, 0x20); // vector base 0x20
    m.io.write(0x21, 1, 0x04);
    m.io.write(0x21, 1, 0x01);
    m.io.write(0x21, 1, 0xfe); // only IRQ0
    m.io.write(0x43, 1, 0x34);
    m.io.write(0x40, 1, 100);
    m.io.write(0x40, 1, 0);
    m.clock.advanceTo(1e6);
    assert.ok(m.interruptPending(0));
    assert.ok(!m.interruptPending(1), 'the 8259 is wired to the BSP only');
    assert.strictEqual(m.acknowledgeInterrupt(0), 0x20);
  });

  it('INIT and SIPI sent through CPU 0\'s local APIC start CPU 1 in real mode at vector << 12', () => {
    const { m } = machine();
    const c1 = m.cpus[1];
    assert.ok(c1.waitSipi);
    const icr = (lo: number) => {
      m.phys.write32(0xfee00310, 1 << 24);
      m.phys.write32(0xfee00300, lo);
    };
    m.phys.write32(0xfee000f0, 0x1ff); // software-enable the APIC
    icr(0x4500); // INIT, assert
    icr(0x4600 | 0x9a); // SIPI vector 0x9a
    assert.ok(!c1.waitSipi);
    assert.strictEqual(c1.segBase[1], 0x9a000);
    assert.strictEqual(c1.eip, 0);
  });

  it('runs 2 vCPUs in turns: both retire instructions, deterministically', () => {
    const run = () => {
      const { m } = machine();
      // CPU 0: "inc eax; jmp $-3" at 0x7c00 in real mode; CPU 1 the same after SIPI to page 8.
      m.phys.load(0x7c00, new Uint8Array([0x66, 0x40, 0xeb, 0xfc]));
      m.phys.load(0x8000, new Uint8Array([0x66, 0x40, 0xeb, 0xfc]));
      m.applyEntry({ kind: 'real', cs: 0, ip: 0x7c00, ds: 0, ss: 0, regs: {} });
      m.cpus[1].sipi(8);
      m.run(100_000);
      return m.cpus.map((c) => c.reg[0]);
    };
    const a = run();
    assert.ok(a[0] > 10_000 && a[1] > 10_000, `both ran: ${a}`);
    assert.deepStrictEqual(run(), a);
  });

  it('a triple fault stops the machine (StopReason.Shutdown) with the fault chain kept', () => {
    const { m } = machine({ cpus: 1 });
    // lidt [0x7d00] (limit 0), then int3: #GP, #DF, shutdown.
    m.phys.load(0x7c00, new Uint8Array([0x0f, 0x01, 0x1e, 0x00, 0x7d, 0xcc]));
    m.applyEntry({ kind: 'real', cs: 0, ip: 0x7c00, ds: 0, ss: 0, regs: { esp: 0x7000 } });
    const r = m.run(1000);
    assert.strictEqual(r.reason, StopReason.Shutdown);
    assert.ok(m.cpus[0].faultChain.length >= 2, `chain: ${JSON.stringify(m.cpus[0].faultChain)}`);
    assert.strictEqual(m.poweredOff, undefined, 'stopped, not powered off: the state is kept');
  });

  describe('disks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-disk-'));
    const img = path.join(dir, 'disk.img');
    fs.writeFileSync(img, Buffer.alloc(4096, 0x11));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads the image through IDE, and guest writes stay in the overlay', () => {
      const disks = openDisks([{ path: img }]);
      const { m } = machine({ disks });
      m.io.write(0x1f6, 1, 0xe0); // LBA, master
      m.io.write(0x1f2, 1, 1);
      m.io.write(0x1f3, 1, 0);
      m.io.write(0x1f4, 1, 0);
      m.io.write(0x1f5, 1, 0);
      m.io.write(0x1f7, 1, 0x20); // READ SECTORS
      assert.strictEqual(m.io.read(0x1f0, 2), 0x1111);
      for (let i = 1; i < 256; i++) m.io.read(0x1f0, 2);
      m.io.write(0x1f2, 1, 1);
      m.io.write(0x1f7, 1, 0x30); // WRITE SECTORS
      for (let i = 0; i < 256; i++) m.io.write(0x1f0, 2, 0xabcd);
      assert.strictEqual(disks[0]!.sectorCount, 8);
      assert.strictEqual(fs.readFileSync(img)[0], 0x11, 'the image file is unchanged');
      const back = new Uint8Array(512);
      disks[0]!.read(0, 1, back);
      assert.strictEqual(back[0], 0xcd, 'the guest sees its write');
    });

    it('a missing image is a BootError', () => {
      assert.throws(() => openDisks([{ path: path.join(dir, 'nope.img') }]), (e: Error) => e instanceof BootError && /cannot open disk image .*no such file/.test(e.message));
    });

    it('a writable disk on a read-only file is a BootError (even for root), and nothing is written; read-only use is fine', () => {
      const ro = path.join(dir, 'ro.img');
      fs.writeFileSync(ro, Buffer.alloc(1024, 0x5a));
      fs.chmodSync(ro, 0o444);
      const mtime = fs.statSync(ro).mtimeMs;
      assert.throws(() => openDisks([{ path: ro, writable: true }]), (e: Error) => e instanceof BootError && /for writing.*the file is read-only \(mode 0444\)/.test(e.message));
      const disks = openDisks([{ path: ro }]);
      const sector = new Uint8Array(512).fill(1);
      disks[0]!.write(0, 1, sector);
      assert.ok(fs.readFileSync(ro).equals(Buffer.alloc(1024, 0x5a)), 'the image is unchanged');
      assert.strictEqual(fs.statSync(ro).mtimeMs, mtime);
    });

    it('a writable disk that cannot be opened for writing is a BootError', () => {
      const sub = path.join(dir, 'adir');
      fs.mkdirSync(sub, { recursive: true });
      assert.throws(() => openDisks([{ path: sub, writable: true }]), (e: Error) => e instanceof BootError && /for writing/.test(e.message));
    });

    it('an image smaller than a sector is a BootError', () => {
      const tiny = path.join(dir, 'tiny.img');
      fs.writeFileSync(tiny, Buffer.alloc(100));
      assert.throws(() => openDisks([{ path: tiny }]), (e: Error) => e instanceof BootError && /smaller than one 512-byte sector/.test(e.message));
    });
  });
});
