import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootError } from '../../../src/vmm/boot/boot-error';
import { bootVm } from '../../../src/vmm/boot/boot-vm';
import { LINUXBOOT_ROM, loadLinuxThroughFwCfg } from '../../../src/vmm/boot/linux-fw-cfg';
import {
  FW_CFG_CMDLINE_ADDR,
  FW_CFG_CMDLINE_DATA,
  FW_CFG_CMDLINE_SIZE,
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_INITRD_SIZE,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_ENTRY,
  FW_CFG_KERNEL_SIZE,
  FW_CFG_SETUP_ADDR,
  FW_CFG_SETUP_DATA,
  FW_CFG_SETUP_SIZE,
  FwCfg,
} from '../../../src/vmm/devices/fw-cfg';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import { loadMultibootThroughFwCfg, MULTIBOOT_ROM } from '../../../src/vmm/boot/multiboot-fw-cfg';
import { sampleKernelDir } from '../../support/repo';
import { fakeBzImage } from './fake-bzimage';
import { fwCfgReader } from './fw-cfg-reader';

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-fwk-'));
  tmpDirs.push(d);
  return d;
}

/** A stand-in for QEMU's option ROM: only its 55 AA header matters to the monitor, which never runs it. */
function romDir(name = LINUXBOOT_ROM): string {
  const d = tmpDir();
  const rom = new Uint8Array(1536);
  rom[0] = 0x55;
  rom[1] = 0xaa;
  rom[2] = 3;
  fs.writeFileSync(path.join(d, name), rom);
  return d;
}

const reader = fwCfgReader;

describe('boot: a Linux kernel handed to firmware over fw_cfg (-bios with -kernel)', () => {
  after(() => {
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('setup, kernel, initrd and command line become the items QEMU defines, the setup header filled in as a loader does', () => {
    const fw = new FwCfg({ ramBytes: 64 << 20, cpus: 1 });
    const image = fakeBzImage({ setupSects: 6 });
    const initrd = new Uint8Array(300_000).fill(0x5a);
    const boot = loadLinuxThroughFwCfg(fw, 64 << 20, image, 'bz', 'console=ttyS0 quiet', { name: 'rd', data: initrd }, romDir());
    const { bytes, u32, files } = reader(fw);
    assert.strictEqual(u32(FW_CFG_SETUP_ADDR), 0x10000);
    assert.strictEqual(u32(FW_CFG_SETUP_SIZE), 7 * 512);
    const setup = bytes(FW_CFG_SETUP_DATA, 7 * 512);
    const sv = new DataView(setup.buffer);
    assert.strictEqual(sv.getUint32(0x202, true), 0x53726448, 'the header travels with the setup code');
    assert.strictEqual(setup[0x210], 0xff, 'type_of_loader');
    assert.strictEqual(setup[0x211] & 0x81, 0x81, 'LOADED_HIGH kept, CAN_USE_HEAP set');
    assert.strictEqual(sv.getUint16(0x224, true), 0xfe00, 'heap_end_ptr: the heap ends at the command line');
    assert.strictEqual(sv.getUint32(0x228, true), 0x20000, 'cmd_line_ptr');
    assert.strictEqual(sv.getUint32(0x21c, true), initrd.length, 'ramdisk_size');
    const rdAt = sv.getUint32(0x218, true);
    assert.strictEqual(rdAt % 4096, 0);
    assert.ok(rdAt + initrd.length <= (64 << 20) - (256 << 10), 'below the firmware high zone');
    assert.deepStrictEqual(boot.initrd, { start: rdAt, end: rdAt + initrd.length });
    assert.strictEqual(image[0x228], 0, 'the image itself is not modified');

    assert.strictEqual(u32(FW_CFG_KERNEL_ADDR), 0x100000);
    assert.strictEqual(u32(FW_CFG_KERNEL_SIZE), 64 * 1024);
    assert.strictEqual(new DataView(bytes(FW_CFG_KERNEL_DATA, 4).buffer).getUint32(0, true), 0xdeadbeef);
    assert.strictEqual(u32(FW_CFG_INITRD_ADDR), rdAt);
    assert.strictEqual(u32(FW_CFG_INITRD_SIZE), initrd.length);
    assert.ok(bytes(FW_CFG_INITRD_DATA, 16).every((b) => b === 0x5a));
    assert.strictEqual(u32(FW_CFG_CMDLINE_ADDR), 0x20000);
    assert.strictEqual(u32(FW_CFG_CMDLINE_SIZE), 20);
    assert.strictEqual(new TextDecoder().decode(bytes(FW_CFG_CMDLINE_DATA, 20)), 'console=ttyS0 quiet\0');

    const f = files();
    assert.strictEqual(f.get(`genroms/${LINUXBOOT_ROM}`)?.size, 1536);
    const order = f.get('bootorder')!;
    assert.strictEqual(new TextDecoder().decode(bytes(order.key, order.size)), `/rom@genroms/${LINUXBOOT_ROM}\n`);
  });

  it('without an initrd there are no initrd items (the ROM then copies nothing)', () => {
    const fw = new FwCfg({ ramBytes: 64 << 20, cpus: 1 });
    loadLinuxThroughFwCfg(fw, 64 << 20, fakeBzImage(), 'bz', '', undefined, romDir());
    assert.strictEqual(reader(fw).u32(FW_CFG_INITRD_SIZE), 0);
  });

  it('clear errors: no option ROM, a file that is not a ROM, an initrd that does not fit, a command line too long', () => {
    const fw = new FwCfg({ ramBytes: 64 << 20, cpus: 1 });
    const none = tmpDir();
    assert.throws(() => loadLinuxThroughFwCfg(fw, 64 << 20, fakeBzImage(), 'bz', '', undefined, none), (e: Error) => {
      assert.ok(e instanceof BootError);
      assert.match(e.message, /linuxboot_dma\.bin/);
      assert.match(e.message, /qemu-system-data/);
      return true;
    });
    const bad = tmpDir();
    fs.writeFileSync(path.join(bad, LINUXBOOT_ROM), new Uint8Array(1024));
    assert.throws(() => loadLinuxThroughFwCfg(fw, 64 << 20, fakeBzImage(), 'bz', '', undefined, bad), /not an option ROM/);
    const big = { name: 'big.img', data: new Uint8Array(60 << 20) };
    assert.throws(() => loadLinuxThroughFwCfg(fw, 64 << 20, fakeBzImage(), 'bz', '', big, romDir()), /initrd big\.img .* does not fit/);
    assert.throws(() => loadLinuxThroughFwCfg(fw, 64 << 20, fakeBzImage(), 'bz', 'x'.repeat(3000), undefined, romDir()), /at most 2047/);
  });

  it('bootVm with bios and a bzImage: nothing is placed in RAM, the firmware gets the kernel', () => {
    const dir = tmpDir();
    const bios = path.join(dir, 'bios.bin');
    fs.writeFileSync(bios, new Uint8Array(65536).fill(0xf4));
    const kernel = path.join(dir, 'bzImage');
    fs.writeFileSync(kernel, fakeBzImage());
    const m = machine();
    bootVm(m, { name: 't', bios, kernel, cmdline: 'hello', memoryMB: 64, cpus: 1, engine: 'interpret', firmwareDir: romDir() });
    assert.strictEqual(m.phys.read32(0x100000), 0, 'the kernel is not in memory: the option ROM copies it');
    assert.strictEqual(reader(m.platform.fwCfg).u32(FW_CFG_KERNEL_SIZE), 64 * 1024);
  });
});

function machine(): Machine {
  const events = { onSerial: () => undefined, onDebugOutput: () => undefined, onDebugCon: () => undefined, onPowerOff: () => undefined };
  return new Machine({ name: 't', memoryMB: 64, cpus: 1, nsPerInstruction: 1, startTimeMs: 0 }, new MachineMemory(64 << 20), events);
}

describe('boot: a Multiboot kernel handed to firmware over fw_cfg, in QEMU\'s layout', () => {
  after(() => {
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('one blob at load_addr (image, module table, command lines, loader name, page-aligned modules) and the info structure for 0x9500', () => {
    const kernelPath = path.join(sampleKernelDir(), 'kernel.elf');
    const image = new Uint8Array(fs.readFileSync(kernelPath));
    const fw = new FwCfg({ ramBytes: 64 << 20, cpus: 1 });
    const modA = { name: 'a.bin', data: new Uint8Array(5000).fill(0xa1), cmdline: 'a.bin first' };
    const modB = { name: 'b.bin', data: new Uint8Array(10).fill(0xb2), cmdline: '' };
    const boot = loadMultibootThroughFwCfg(fw, 64 << 20, image, 'kernel.elf', 'test', [modA, modB], romDir(MULTIBOOT_ROM));
    const { bytes, u32, files } = reader(fw);
    const load = u32(FW_CFG_KERNEL_ADDR);
    assert.strictEqual(load, 0x100000);
    assert.strictEqual(u32(FW_CFG_KERNEL_ENTRY), new DataView(image.buffer, image.byteOffset).getUint32(24, true), 'the ELF entry');
    const size = u32(FW_CFG_KERNEL_SIZE);
    assert.strictEqual(size % 4096, 0);
    const blob = bytes(FW_CFG_KERNEL_DATA, size);
    const at = (addr: number) => addr - load;
    const cstr = (addr: number) => new TextDecoder().decode(blob.subarray(at(addr), blob.indexOf(0, at(addr))));
    assert.strictEqual(u32(FW_CFG_INITRD_ADDR), 0x9500);
    assert.strictEqual(u32(FW_CFG_INITRD_SIZE), 88);
    const mbi = new DataView(bytes(FW_CFG_INITRD_DATA, 88).buffer);
    assert.strictEqual(mbi.getUint32(0, true), 0x24f, 'memory, boot device, cmdline, mods, mmap, loader name');
    assert.strictEqual(mbi.getUint32(48, true), 0x9000, 'mmap_addr: where the ROM stores the BIOS E820 map');
    assert.strictEqual(cstr(mbi.getUint32(16, true)), 'kernel.elf test');
    assert.strictEqual(cstr(mbi.getUint32(64, true)), 'Ringside');
    assert.strictEqual(mbi.getUint32(20, true), 2);
    const mods = at(mbi.getUint32(24, true));
    const bv = new DataView(blob.buffer);
    const entry = (i: number) => [0, 4, 8].map((o) => bv.getUint32(mods + 16 * i + o, true));
    const [aStart, aEnd, aCmd] = entry(0);
    const [bStart, bEnd, bCmd] = entry(1);
    assert.strictEqual(aStart % 4096, 0);
    assert.strictEqual(bStart % 4096, 0);
    assert.strictEqual(aEnd - aStart, 5000);
    assert.strictEqual(bEnd - bStart, 10);
    assert.ok(blob.subarray(at(aStart), at(aEnd)).every((b) => b === 0xa1));
    assert.ok(blob.subarray(at(bStart), at(bEnd)).every((b) => b === 0xb2));
    assert.strictEqual(cstr(aCmd), 'a.bin first');
    assert.strictEqual(cstr(bCmd), 'b.bin', 'a module without a command line is named by its file');
    assert.deepStrictEqual(boot.modules, [{ start: aStart, end: aEnd }, { start: bStart, end: bEnd }]);
    assert.strictEqual(files().get('bootorder')?.size, `/rom@genroms/${MULTIBOOT_ROM}\n`.length);
    assert.ok(files().has(`genroms/${MULTIBOOT_ROM}`));
  });

  it('bootVm with bios and the sample kernel takes this path; modules that do not fit are a clear error', () => {
    const dir = tmpDir();
    const bios = path.join(dir, 'bios.bin');
    fs.writeFileSync(bios, new Uint8Array(65536).fill(0xf4));
    const kernel = path.join(sampleKernelDir(), 'kernel.elf');
    const m = machine();
    bootVm(m, { name: 't', bios, kernel, cmdline: 'test', memoryMB: 64, cpus: 1, engine: 'interpret', firmwareDir: romDir(MULTIBOOT_ROM) });
    assert.strictEqual(reader(m.platform.fwCfg).u32(FW_CFG_INITRD_ADDR), 0x9500);
    const big = path.join(dir, 'big.mod');
    fs.writeFileSync(big, new Uint8Array(70 << 20));
    assert.throws(
      () => bootVm(machine(), { name: 't', bios, kernel, modules: [{ path: big }], memoryMB: 64, cpus: 1, engine: 'interpret', firmwareDir: romDir(MULTIBOOT_ROM) }),
      /kernel\.elf with its modules does not fit in guest memory/,
    );
    assert.throws(
      () => bootVm(machine(), { name: 't', bios, kernel, memoryMB: 64, cpus: 1, engine: 'interpret', firmwareDir: tmpDir() }),
      /multiboot_dma\.bin.*qemu-system-data/,
    );
  });
});
