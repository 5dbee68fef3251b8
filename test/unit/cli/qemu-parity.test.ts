import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sampleKernelDir } from '../../support/repo';
import { requireTool, run, runCli } from './run-cli';

/**
 * The teaching kernel's self-test under `ringside` and under Debian's qemu-system-i386 with the same flags:
 * the same bytes from the kernel's first line on (QEMU's SeaBIOS and iPXE banners come before it) and the same
 * exit status (1: isa-debug-exit with value 0, all tests passed).
 */
const FLAGS = ['-kernel', 'kernel.elf', '-append', 'test', '-nographic', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x4'];
const FIRST_LINE = 'Ringside teaching kernel';

function fromKernel(out: string): string {
  const i = out.indexOf(FIRST_LINE);
  return i < 0 ? `(no "${FIRST_LINE}" line in: ${JSON.stringify(out.slice(-500))})` : out.slice(i);
}

describe('cli: parity with qemu-system-i386 on the self-test', function () {
  this.timeout(300_000);

  for (const extra of [[], ['-m', '64M']]) {
    it(`prints what QEMU prints and exits as QEMU does${extra.length ? ' (' + extra.join(' ') + ')' : ''}`, async function () {
      const qemu = requireTool(this, 'qemu-system-i386', 'qemu-system-x86', 'the reference');
      const cwd = sampleKernelDir();
      // Both at once: the guest's output and status do not depend on host speed.
      const [q, r] = await Promise.all([run(qemu, [...FLAGS, ...extra], { cwd, timeoutMs: 240_000 }), runCli([...FLAGS, ...extra], { cwd, timeoutMs: 240_000 })]);
      assert.ok(q.stdout.includes('ALL TESTS PASSED'), `QEMU itself passes: ${q.stdout.slice(-300)}`);
      assert.strictEqual(fromKernel(r.stdout), fromKernel(q.stdout));
      assert.strictEqual(r.status, q.status, `exit status; ringside stderr: ${r.stderr}`);
      assert.strictEqual(r.status, 1);
    });
  }

  it('under the same firmware (Debian\'s SeaBIOS, -bios): the whole console is byte-identical, firmware banner included', async function () {
    const qemu = requireTool(this, 'qemu-system-i386', 'qemu-system-x86', 'the reference');
    const bios = '/usr/share/seabios/bios.bin';
    if (!fs.existsSync(bios)) throw new Error(`${bios} is missing: scripts/setup.sh installs the seabios package`);
    const cwd = sampleKernelDir();
    // Both boot the Multiboot kernel the same way: SeaBIOS runs QEMU's multiboot_dma.bin option ROM, which takes
    // the kernel from fw_cfg. QEMU gets no network card, so no iPXE banner; Ringside has none.
    const flags = [...FLAGS, '-bios', bios];
    const [q, r] = await Promise.all([run(qemu, [...flags, '-net', 'none'], { cwd, timeoutMs: 240_000 }), runCli(flags, { cwd, timeoutMs: 240_000 })]);
    assert.match(q.stdout, /SeaBIOS \(version [^)]+\)\r?\nBooting from ROM\.\.\r?\nRingside teaching kernel/);
    assert.ok(q.stdout.includes('ALL TESTS PASSED'), `QEMU itself passes: ${q.stdout.slice(-300)}`);
    assert.strictEqual(r.stdout, q.stdout);
    assert.strictEqual(r.status, q.status, `exit status; ringside stderr: ${r.stderr}`);
  });

  it('with the sample disk on the primary IDE channel (-drive ...,index=0,media=disk): same tests, images untouched', async function () {
    const qemu = requireTool(this, 'qemu-system-i386', 'qemu-system-x86', 'the reference');
    const cwd = sampleKernelDir();
    // The self-test writes the disk's last sector and restores it: each emulator gets its own copy.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-parity-'));
    const image = fs.readFileSync(path.join(cwd, 'disk.img'));
    const copies = ['qemu.img', 'ringside.img'].map((n) => path.join(dir, n));
    for (const c of copies) fs.writeFileSync(c, image);
    const drive = (f: string) => ['-drive', `file=${f},format=raw,index=0,media=disk`];
    const [q, r] = await Promise.all([run(qemu, [...FLAGS, ...drive(copies[0])], { cwd, timeoutMs: 240_000 }), runCli([...FLAGS, ...drive(copies[1])], { cwd, timeoutMs: 240_000 })]);
    // The one intended difference: the disk's IDENTIFY model string names the emulator.
    const model = (out: string) => fromKernel(out).replace(/disk: "(QEMU|RINGSIDE) HARDDISK"/, 'disk: "<model> HARDDISK"');
    assert.match(r.stdout, /TEST disk-read: PASS/);
    assert.strictEqual(model(r.stdout), model(q.stdout));
    assert.strictEqual(r.status, q.status, r.stderr);
    for (const c of copies) assert.ok(fs.readFileSync(c).equals(image), `${c} restored by the guest`);
    fs.rmSync(dir, { recursive: true });
  });
});
