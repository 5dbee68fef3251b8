import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootError } from '../../../src/vmm/boot/boot-error';
import { bootVm } from '../../../src/vmm/boot/boot-vm';
import { openDisks } from '../../../src/vmm/boot/disks';
import { Seg } from '../../../src/vmm/cpu/constants';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import type { VmConfig } from '../../../src/vmm/monitor/launch-config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-bios-'));

function diskWith(sectors: Uint8Array[], name: string): string {
  const img = new Uint8Array(64 * 1024);
  sectors.forEach((s, i) => img.set(s, i * 512));
  const p = path.join(dir, name);
  fs.writeFileSync(p, img);
  return p;
}

function bootSector(code: number[]): Uint8Array {
  const s = new Uint8Array(512);
  s.set(code);
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

function boot(diskPath: string | undefined, cpus = 1): { m: Machine; offs: string[] } {
  const offs: string[] = [];
  const vc: VmConfig = { name: 't', memoryMB: 16, cpus, engine: 'interpret', disks: diskPath ? [{ path: diskPath }] : [] };
  const m = new Machine(
    { name: 't', memoryMB: 16, cpus, nsPerInstruction: 1, startTimeMs: 0, disks: openDisks(vc.disks) },
    new MachineMemory(16 << 20),
    { onSerial: () => undefined, onDebugCon: () => undefined, onPowerOff: (c, r) => offs.push(`${c} ${r}`) },
  );
  bootVm(m, vc);
  return { m, offs };
}

describe('firmware: disk boot through Ringside\'s BIOS', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the boot sector at 0000:7C00 and enters it in real mode with DL = 0x80 and IF set', () => {
    const { m } = boot(diskWith([bootSector([0xf4])], 'hlt.img'));
    const c = m.cpus[0];
    assert.strictEqual(c.segBase[Seg.CS], 0);
    assert.strictEqual(c.eip, 0x7c00);
    assert.strictEqual(c.reg[2] & 0xff, 0x80);
    assert.ok(c.getEflags() & 0x200);
    assert.strictEqual(m.phys.read16(0x7dfe), 0xaa55);
  });

  it('INT 13h AH=42h reads sectors into memory; INT 15h E820 lists RAM; INT 12h is 639 KiB', () => {
    // mov si,0x7d00; mov ah,0x42; mov dl,0x80; int 0x13; setc byte [0x600]
    // xor ebx,ebx; mov di,0x700; mov edx,'SMAP'; mov eax,0xe820; mov ecx,20; int 0x15; mov [0x610],ebx
    // int 0x12; mov [0x614],ax; cli; hlt
    const code = [
      0xbe, 0x00, 0x7d, 0xb4, 0x42, 0xb2, 0x80, 0xcd, 0x13, 0x0f, 0x92, 0x06, 0x00, 0x06,
      0x66, 0x31, 0xdb, 0xbf, 0x00, 0x07, 0x66, 0xba, 0x50, 0x41, 0x4d, 0x53, 0x66, 0xb8, 0x20, 0xe8, 0x00, 0x00,
      0x66, 0xb9, 0x14, 0x00, 0x00, 0x00, 0xcd, 0x15, 0x66, 0x89, 0x1e, 0x10, 0x06,
      0xcd, 0x12, 0xa3, 0x14, 0x06, 0xfa, 0xf4,
    ];
    const s0 = bootSector(code);
    // DAP at 0x7D00 (inside the boot sector): 16 bytes, 2 sectors, to 0000:0x9000, from LBA 1.
    s0.set([0x10, 0, 2, 0, 0x00, 0x90, 0x00, 0x00, 1, 0, 0, 0, 0, 0, 0, 0], 0x100);
    const s1 = new Uint8Array(512).fill(0x11);
    const s2 = new Uint8Array(512).fill(0x22);
    const { m } = boot(diskWith([s0, s1, s2], 'int13.img'));
    m.run(10_000);
    assert.ok(m.cpus[0].halted, `halted at ${m.cpus[0].eip.toString(16)}`);
    assert.strictEqual(m.phys.read8(0x600), 0, 'CF clear');
    assert.strictEqual(m.phys.read8(0x9000), 0x11);
    assert.strictEqual(m.phys.read8(0x9200), 0x22);
    assert.strictEqual(m.phys.read32(0x700), 0, 'first e820 entry at 0');
    assert.strictEqual(m.phys.read32(0x708), 0x9fc00);
    assert.strictEqual(m.phys.read32(0x710), 1, 'RAM');
    assert.strictEqual(m.phys.read32(0x610), 1, 'continuation');
    assert.strictEqual(m.phys.read16(0x614), 639);
  });

  it('a disk without the 55 AA signature is a BootError', () => {
    assert.throws(() => boot(diskWith([new Uint8Array(512)], 'blank.img')), (e: Error) => e instanceof BootError && /not bootable/.test(e.message));
  });

  it('no kernel and no disk is a BootError', () => {
    assert.throws(() => boot(undefined), (e: Error) => e instanceof BootError && /nothing to boot/.test(e.message));
  });

  it('INT 18h (nothing to boot) stops the VM with a reason', () => {
    const { m, offs } = boot(diskWith([bootSector([0xcd, 0x18, 0xf4])], 'int18.img'));
    m.run(1000);
    assert.match(offs[0], /INT 18h/);
  });

  it('-bios: a firmware image is mapped at the top of 4 GiB and below 1 MiB, and the vCPU starts at its reset vector', () => {
    const rom = new Uint8Array(65536);
    // At 0xFFFF0: mov al,0x42; out 0xe9,al; hlt
    rom.set([0xb0, 0x42, 0xe6, 0xe9, 0xf4], 0xfff0);
    const file = path.join(dir, 'bios.bin');
    fs.writeFileSync(file, rom);
    const out: number[] = [];
    const m = new Machine({ name: 't', memoryMB: 16, cpus: 1, nsPerInstruction: 1, startTimeMs: 0 }, new MachineMemory(16 << 20), {
      onSerial: () => undefined,
      onDebugCon: (b) => out.push(b),
      onPowerOff: () => undefined,
    });
    bootVm(m, { name: 't', memoryMB: 16, cpus: 1, engine: 'interpret', bios: file });
    assert.strictEqual(m.phys.read8(0xffff0), 0xb0, 'the low copy');
    assert.strictEqual(m.phys.read8(0xfffffff0), 0xb0, 'the high mapping');
    m.run(100);
    assert.deepStrictEqual(out, [0x42]);
  });
});
