import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sampleKernelDir } from '../../support/repo';
import { fakeBzImage } from '../platform/fake-bzimage';
import { runCli } from './run-cli';

/** The command line as a process: messages on stderr and exit statuses as QEMU gives them. */
describe('cli: process behaviour', function () {
  this.timeout(120_000);

  it('an unsupported option: a clear message on stderr, status 1, as QEMU', async () => {
    const r = await runCli(['-kernel', 'kernel.elf', '-enable-kvm'], { timeoutMs: 30_000 });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /^ringside: -enable-kvm: invalid option/);
  });

  it('a bad value: status 1', async () => {
    const r = await runCli(['-kernel', 'kernel.elf', '-cpu', 'athlon'], { timeoutMs: 30_000 });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /unable to find CPU model 'athlon'/);
  });

  it('a missing kernel file: status 1 and the reason', async () => {
    const r = await runCli(['-kernel', '/nonexistent/kernel.elf', '-nographic'], { timeoutMs: 30_000 });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /no such file/);
  });

  it('--help: the usage on stdout, status 0; no arguments: usage on stderr, status 1', async () => {
    const h = await runCli(['--help'], { timeoutMs: 30_000 });
    assert.strictEqual(h.status, 0);
    assert.match(h.stdout, /^usage: ringside/);
    const none = await runCli([], { timeoutMs: 30_000 });
    assert.strictEqual(none.status, 1);
    assert.match(none.stderr, /^usage: ringside/);
  });

  it('-serial file:F writes COM1 to the file; --timeout ends a run with 124', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-'));
    const out = path.join(dir, 'com1.txt');
    fs.writeFileSync(out, 'stale contents QEMU would truncate\n');
    // Without "test" the kernel starts its shell and waits for input forever: the timeout ends it.
    const r = await runCli(['-kernel', path.join(sampleKernelDir(), 'kernel.elf'), '-serial', `file:${out}`, '-display', 'none', '--timeout', '3'], { timeoutMs: 60_000 });
    assert.strictEqual(r.status, 124, r.stderr);
    assert.strictEqual(r.stdout, '');
    const text = fs.readFileSync(out, 'latin1');
    assert.ok(text.startsWith('\r\nRingside teaching kernel\r\n'), JSON.stringify(text.slice(0, 80)));
    assert.ok(!text.includes('stale'));
    fs.rmSync(dir, { recursive: true });
  });

  describe('bad input: a clear message on stderr, status 1, and nothing written', () => {
    let dir: string;
    let snapshot: () => Record<string, string>;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-bad-'));
      // Every file's bytes and mode: a refused launch must leave the folder exactly as it was.
      snapshot = () => Object.fromEntries(fs.readdirSync(dir).sort().map((n) => {
        const p = path.join(dir, n);
        return [n, `${fs.statSync(p).mode.toString(8)} ${fs.readFileSync(p).toString('base64')}`];
      }));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const refused = async (args: string[], message: RegExp) => {
      const before = snapshot();
      const r = await runCli([...args, '-nographic'], { cwd: dir, timeoutMs: 60_000 });
      assert.strictEqual(r.status, 1, `status ${r.status}, stderr: ${r.stderr}`);
      assert.match(r.stderr, /^ringside: /);
      assert.match(r.stderr, message);
      assert.strictEqual(r.stdout, '');
      assert.deepStrictEqual(snapshot(), before);
    };

    it('a kernel file that is not a kernel', async () => {
      fs.writeFileSync(path.join(dir, 'notes.txt'), '#!/bin/sh\necho not a kernel\n'.repeat(50));
      await refused(['-kernel', 'notes.txt'], /notes\.txt is not a kernel Ringside can boot: neither a Multiboot kernel nor a Linux bzImage/);
    });

    it('a truncated bzImage', async () => {
      const bz = fakeBzImage();
      fs.writeFileSync(path.join(dir, 'vmlinuz'), bz.subarray(0, bz.length - 4096));
      await refused(['-kernel', 'vmlinuz', '-m', '64'], /vmlinuz is truncated/);
    });

    it('an initrd larger than memory', async () => {
      fs.writeFileSync(path.join(dir, 'vmlinuz'), fakeBzImage({ initSize: 0x10000 }));
      fs.writeFileSync(path.join(dir, 'initrd.img'), Buffer.alloc(25 << 20));
      await refused(['-kernel', 'vmlinuz', '-initrd', 'initrd.img', '-m', '24'], /initrd initrd\.img \(25\.0 MiB\) does not fit in guest memory/);
    });

    it('a missing disk image', async () => {
      await refused(['-hda', 'nope.img'], /cannot open disk image .*nope\.img: no such file/);
    });

    it('a read-only disk image that the command line would write (-hda); with snapshot=on it is used', async () => {
      const img = path.join(dir, 'ro.img');
      fs.writeFileSync(img, Buffer.alloc(64 * 1024));
      fs.chmodSync(img, 0o444);
      await refused(['-hda', 'ro.img'], /cannot open disk image .*ro\.img for writing.*snapshot=on.*the file is read-only \(mode 0444\)/);
      const before = snapshot();
      const kernel = path.join(sampleKernelDir(), 'kernel.elf');
      const r = await runCli(['-kernel', kernel, '-drive', 'file=ro.img,format=raw,snapshot=on', '-display', 'none', '-serial', 'none', '--timeout', '2'], { cwd: dir, timeoutMs: 60_000 });
      assert.strictEqual(r.status, 124, `the VM ran until the timeout; stderr: ${r.stderr}`);
      assert.deepStrictEqual(snapshot(), before);
    });
  });
});
