import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sampleKernelDir } from '../../support/repo';
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
});
