import * as assert from 'node:assert';
import { Code, Decoder, DecoderOptions, Mnemonic } from 'iced-x86';
import { Cpu } from '../../../src/vmm/cpu/cpu';
import { ExitReason, StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { disassemble } from '../../../src/vmm/cpu/disasm';
import { CowOverlayBackend, MemoryBlockBackend, SECTOR_SIZE } from '../../../src/vmm/devices/block-backend';
import { BLOCK_WRITE, Errno, Hc, HC_ALL_FEATURES, PV_BLOCK_PORT, PV_CONSOLE_PORT } from '../../../src/vmm/devices/pv-abi';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import { CODE32, DATA32, flat32, hex } from '../cpu/helpers';

const VMCALL = '0f01c1';

/** mov r32, imm32 (B8+r). */
function mov(reg: number, v: number): string {
  const b = [0xb8 + reg, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  return b.map((x) => x.toString(16).padStart(2, '0')).join('');
}
const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESI = 6;

function machine(code: string, disk?: CowOverlayBackend) {
  const serial: number[] = [];
  const m = new Machine(
    { name: 't', memoryMB: 8, cpus: 1, nsPerInstruction: 1, startTimeMs: 0, disks: [disk, undefined, undefined, undefined] },
    new MachineMemory(16 << 20),
    { onSerial: (_p, b) => serial.push(b), onDebugCon: () => undefined, onPowerOff: () => undefined },
  );
  const cpu = m.cpus[0];
  cpu.cr[0] = 0x11;
  cpu.stateChanged();
  cpu.setSegment(Seg.CS, 0x08, 0, -1, CODE32);
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, 0x10, 0, -1, DATA32);
  cpu.reg[4] = 0x80000;
  cpu.eip = 0x1000;
  m.phys.load(0x1000, hex(code + 'f4'));
  return { m, cpu, serial };
}

function run(m: Machine): void {
  for (let i = 0; i < 10 && !m.cpus[0].halted; i++) m.run(1000);
}

describe('hypercalls: VMCALL and the CPUID hypervisor leaves', () => {
  it('decodes 0F 01 C1 as vmcall, as iced-x86 does, and keeps SGDT for the memory form', () => {
    const d = disassemble(hex(VMCALL), 0, 32, 0);
    assert.deepStrictEqual([d.length, d.text], [3, 'vmcall']);
    const dec = new Decoder(32, hex(VMCALL), DecoderOptions.None);
    const ins = dec.decode();
    assert.deepStrictEqual([ins.code !== Code.INVALID, ins.mnemonic, ins.length], [true, Mnemonic.Vmcall, 3]);
    ins.free();
    dec.free();
    assert.strictEqual(disassemble(hex('0f0100'), 0, 32, 0).text, 'sgdt fword ptr ds:[eax]');
    assert.strictEqual(disassemble(hex('0f01c0'), 0, 32, 0).length, 0, '0F 01 C0 (VMCALL\'s neighbour VMLAUNCH space) stays invalid');
    assert.strictEqual(disassemble(hex('f00f01c1'), 0, 32, 0).length, 0, 'no LOCK');
    // Prefixes, against iced-x86: 66, F2, F3 make it invalid; 67 and segment overrides are ignored.
    for (const bits of [16, 32] as const) {
      for (const p of ['66', 'f2', 'f3', '67', '2e', '65']) {
        const bytes = hex(p + VMCALL);
        const dd = new Decoder(bits, bytes, DecoderOptions.None);
        const i = dd.decode();
        const icedLen = i.code === Code.INVALID ? 0 : i.length;
        i.free();
        dd.free();
        assert.strictEqual(disassemble(bytes, 0, bits, 0).length, icedLen, `${p} vmcall in ${bits}-bit code`);
      }
    }
  });

  it('is #UD on a CPU without a hypercall host (a bare P6)', () => {
    const { cpu, host } = flat32(VMCALL + 'f4');
    cpu.intercept[6] = 1;
    assert.strictEqual(cpu.run(10), StopReason.MonitorEvent);
    assert.strictEqual(cpu.intercepted?.vector, 6);
    assert.ok(!host.exits.some((e) => e.reason === ExitReason.Hypercall));
  });

  it('is #UD with a 66 or F3 prefix under the monitor, with no exit', () => {
    for (const p of ['66', 'f3']) {
      const { m, cpu } = machine(mov(EAX, Hc.Version) + p + VMCALL);
      cpu.intercept[6] = 1;
      assert.strictEqual(m.run(100).reason, StopReason.MonitorEvent, p);
      assert.strictEqual(cpu.intercepted?.vector, 6);
      assert.strictEqual(m.exitCounts[ExitReason.Hypercall], 0);
    }
  });

  it('is #UD at CPL 3 under the monitor, with no exit and nothing done', () => {
    const { m, cpu, serial } = machine(mov(EAX, Hc.ConsoleWrite) + mov(EBX, 0x3000) + mov(ECX, 1) + VMCALL);
    m.phys.write8(0x3000, 0x41);
    cpu.setSegment(Seg.CS, 0x1b, 0, -1, CODE32 | 0x60);
    cpu.setSegment(Seg.SS, 0x23, 0, -1, DATA32 | 0x60);
    cpu.intercept[6] = 1;
    const r = m.run(100);
    assert.strictEqual(r.reason, StopReason.MonitorEvent);
    assert.strictEqual(cpu.intercepted?.vector, 6);
    assert.strictEqual(m.exitCounts[ExitReason.Hypercall], 0);
    assert.deepStrictEqual(serial, []);
  });

  it('CPUID 0x40000001 gives the version, the PV ports and the features', () => {
    const { m, cpu } = machine(mov(EAX, 0x40000001) + '0fa2');
    run(m);
    assert.deepStrictEqual([cpu.reg[EAX], cpu.reg[EBX], cpu.reg[ECX], cpu.reg[EDX]], [1, PV_CONSOLE_PORT, PV_BLOCK_PORT, HC_ALL_FEATURES]);
  });

  it('version, features, console write; each one a Hypercall exit with its number as detail', () => {
    const { m, cpu, serial } = machine(
      mov(EAX, Hc.Version) + VMCALL + '89c7' /* mov edi,eax */ + mov(EAX, Hc.Features) + VMCALL + '89c5' /* mov ebp,eax */ +
        mov(EAX, Hc.ConsoleWrite) + mov(EBX, 0x3000) + mov(ECX, 5) + VMCALL,
    );
    m.phys.load(0x3000, Buffer.from('hello'));
    const details: number[] = [];
    m.stopOnExit[ExitReason.Hypercall] = 1;
    for (let i = 0; i < 10 && !cpu.halted; i++) {
      const r = m.run(1000);
      if (r.reason === StopReason.MonitorEvent && r.exit?.reason === ExitReason.Hypercall) details.push(r.exit.detail);
    }
    assert.deepStrictEqual(details, [Hc.Version, Hc.Features, Hc.ConsoleWrite], 'the debugger breaks on each, detail = number');
    assert.deepStrictEqual([cpu.reg[7], cpu.reg[5], cpu.reg[EAX]], [1, HC_ALL_FEATURES, 5]);
    assert.strictEqual(Buffer.from(serial).toString(), 'hello');
    assert.strictEqual(m.exitCounts[ExitReason.Hypercall], 3);
    assert.deepStrictEqual(Array.from(m.hypercallCounts.subarray(0, 3)), [1, 1, 1]);
  });

  it('console write outside RAM, too long, or an unknown number: -errno in EAX, guest goes on', () => {
    for (const [a0, a1, nr, want] of [
      [0xfee00000, 4, Hc.ConsoleWrite, -Errno.EFAULT],
      [(8 << 20) - 2, 4, Hc.ConsoleWrite, -Errno.EFAULT],
      [0x3000, 0x7fffffff, Hc.ConsoleWrite, -Errno.E2BIG],
      [0, 0, 99, -Errno.ENOSYS],
      [0, 0, 0xffffffff, -Errno.ENOSYS],
    ] as const) {
      const { m, cpu } = machine(mov(EAX, nr) + mov(EBX, a0) + mov(ECX, a1) + VMCALL);
      run(m);
      assert.ok(cpu.halted, 'reached the HLT after the call');
      assert.strictEqual(cpu.reg[EAX], want, `call ${nr} ${a0.toString(16)}`);
    }
  });

  it('batched page-table updates: all validated first, then written, then the TLBs flushed', () => {
    // Identity-map 0-4 MiB (page table at 0x21000), turn paging on, read linear 0x3000 (now in the TLB), then
    // with one hypercall remap it to 0x5000 and map linear 0x400000 through a new table, and read both again.
    const setup =
      mov(EAX, 0x21003) + 'a300000100' /* mov [0x10000],eax : PDE 0 */ +
      mov(EAX, 0x10000) + '0f22d8' /* mov cr3,eax */ + '0f20c0' + '0d00000080' + '0f22c0' /* cr0 |= PG */;
    const { m, cpu } = machine(
      setup + 'a100300000' /* mov eax,[0x3000] */ + '89c7' + mov(EAX, Hc.PtUpdate) + mov(EBX, 0x6000) + mov(ECX, 3) + VMCALL +
        '89c6' + 'a100300000' + '89c5' + 'a100004000' /* mov eax,[0x400000] */,
    );
    for (let i = 0; i < 1024; i++) m.phys.write32(0x21000 + 4 * i, (i << 12) | 3);
    m.phys.write32(0x3000, 0x1111);
    m.phys.write32(0x5000, 0xc0ffee);
    // Pairs: PTE 3 -> frame 0x5000; PDE 1 -> page table 0x22000; its PTE 0 -> frame 0x5000.
    [0x2100c, 0x5003, 0x10004, 0x22003, 0x22000, 0x5003].forEach((v, i) => m.phys.write32(0x6000 + 4 * i, v));
    run(m);
    assert.strictEqual(cpu.reg[7], 0x1111, 'before');
    assert.strictEqual(cpu.reg[ESI], 3, 'count');
    assert.strictEqual(cpu.reg[5], 0xc0ffee, 'the stale translation was dropped');
    assert.strictEqual(cpu.reg[EAX], 0xc0ffee);
    assert.strictEqual(m.phys.read32(0x10004) & ~0x60, 0x22003);
  });

  it('a page-table batch with one bad pair changes nothing', () => {
    for (const [bad, want] of [[0x10002, -Errno.EINVAL], [0xfee00000, -Errno.EFAULT], [(8 << 20), -Errno.EFAULT]] as const) {
      const { m, cpu } = machine(mov(EAX, Hc.PtUpdate) + mov(EBX, 0x6000) + mov(ECX, 2) + VMCALL);
      [0x10004, 0x1234, bad, 0x5678].forEach((v, i) => m.phys.write32(0x6000 + 4 * i, v));
      run(m);
      assert.strictEqual(cpu.reg[EAX], want);
      assert.strictEqual(m.phys.read32(0x10004), 0, 'first pair not written');
    }
    const { m, cpu } = machine(mov(EAX, Hc.PtUpdate) + mov(EBX, (8 << 20) - 8) + mov(ECX, 2) + VMCALL);
    run(m);
    assert.strictEqual(cpu.reg[EAX], -Errno.EFAULT, 'the array itself runs past RAM');
  });

  it('block I/O reads and writes the IDE disk through its copy-on-write overlay', () => {
    const base = new MemoryBlockBackend(16);
    base.bytes.fill(0x5a, 2 * SECTOR_SIZE, 3 * SECTOR_SIZE);
    const disk = new CowOverlayBackend(base);
    const { m, cpu } = machine(
      mov(EAX, Hc.BlockIo) + mov(EBX, 0) + mov(ECX, 2) + mov(EDX, 1) + mov(ESI, 0x8000) + VMCALL + '89c7' +
        mov(EAX, Hc.BlockIo) + mov(EBX, BLOCK_WRITE) + mov(ECX, 7) + mov(EDX, 1) + mov(ESI, 0x9000) + VMCALL + '89c5' +
        mov(EAX, Hc.BlockIo) + mov(EBX, 1) + mov(ECX, 0) + mov(EDX, 1) + mov(ESI, 0x9000) + VMCALL,
      disk,
    );
    m.phys.load(0x9000, new Uint8Array(SECTOR_SIZE).fill(0x77));
    run(m);
    assert.deepStrictEqual([cpu.reg[7], cpu.reg[5], cpu.reg[EAX]], [0, 0, -Errno.ENODEV]);
    assert.strictEqual(m.phys.read8(0x8000 + 100), 0x5a);
    const s = new Uint8Array(SECTOR_SIZE);
    disk.read(7, 1, s);
    assert.strictEqual(s[511], 0x77);
    assert.strictEqual(base.bytes[7 * SECTOR_SIZE], 0, 'image untouched');
  });

  it('yield ends the run slice at once', () => {
    const { m, cpu } = machine(mov(EAX, Hc.Yield) + VMCALL + 'ebfe' /* jmp $ */);
    const r = m.run(100_000);
    assert.strictEqual(r.reason, StopReason.Budget);
    assert.strictEqual(cpu.icount, 2, 'mov and vmcall, then the slice ended');
    assert.strictEqual(cpu.reg[EAX], 0);
  });

  it('a CPU object alone (no machine) reports zeros for leaf 0x40000001', () => {
    const { cpu } = flat32(mov(EAX, 0x40000001) + '0fa2f4');
    cpu.run(10);
    assert.deepStrictEqual([cpu.reg[EAX], cpu.reg[EBX], cpu.reg[ECX], cpu.reg[EDX]], [0, 0, 0, 0]);
    void Cpu;
  });
});
