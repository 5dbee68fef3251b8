import * as assert from 'node:assert';
import { spawn } from 'child_process';
import * as net from 'net';
import { sampleKernelDir } from '../../support/repo';
import { cliMain, requireTool, run } from '../cli/run-cli';

/** A port nobody listens on now (the kernel picks it; we close it again at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on the port (the stub is up), or rejects after `ms`. */
async function waitForListener(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Debian's gdb against `ringside -S -gdb tcp::PORT` on the teaching kernel: the brief's session, checked line
 * by line. The connection that probes for the stub comes and goes without a continue, so under -S the guest
 * must still be at its entry when gdb attaches.
 */
describe('gdb: Debian gdb as the client', function () {
  this.timeout(240_000);

  it('breaks at kmain, steps a line, reads a register and a variable, and a watchpoint on ticks hits', async function () {
    const gdb = requireTool(this, 'gdb', 'gdb', 'the client');
    const cwd = sampleKernelDir();
    const port = await freePort();
    const vm = spawn(process.execPath, [cliMain(), '-kernel', 'kernel.elf', '-S', '-gdb', `tcp::${port}`, '-nographic'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let vmOut = '';
    vm.stdout.on('data', (d: Buffer) => (vmOut += d.toString('latin1')));
    vm.stderr.on('data', (d: Buffer) => (vmOut += d.toString('latin1')));
    const vmExit = new Promise<number | null>((resolve) => vm.on('close', resolve));
    try {
      await waitForListener(port, 60_000);
      const commands = [
        'set confirm off',
        `target remote :${port}`,
        'break kmain',
        'continue',
        'next',
        'info registers eip',
        'print cmdline',
        'print/x $cs',
        'watch ticks',
        'continue',
        'kill',
      ];
      const r = await run(gdb, ['-batch', '-nx', ...commands.flatMap((c) => ['-ex', c]), 'kernel.elf'], { cwd, timeoutMs: 180_000 });
      const out = r.stdout + r.stderr;
      // Stopped at kmain's first line, in main.c.
      assert.match(out, /Breakpoint 1, kmain \(magic=732803074, mbi=0x[0-9a-f]+\) at kernel\/main\.c:38/, out);
      // `next` moved to the following line.
      assert.match(out, /\n39\t\s+physaddr_t ram_end = 0;/, out);
      // A register: EIP inside kmain.
      assert.match(out, /eip\s+0x1001[0-9a-f]{2}\s+0x1001[0-9a-f]{2} <kmain\+\d+>/, out);
      // A variable: the command line, still empty before kmain copies it.
      assert.match(out, /\$1 = '\\000' <repeats 255 times>/, out);
      assert.match(out, /\$2 = 0x8/, out);
      // The watchpoint: a hardware watchpoint through Z2, hit by the first timer tick.
      assert.match(out, /Hardware watchpoint 2: ticks/, out);
      assert.match(out, /Old value = 0\s+New value = 1\s+timer_interrupt \(tf=0x[0-9a-f]+\) at kernel\/timer\.c:\d+/, out);
      assert.match(out, /\[Inferior 1 \(Remote target\) killed\]/, out);
      assert.strictEqual(await vmExit, 0, vmOut);
      assert.match(vmOut, /Ringside teaching kernel/);
    } finally {
      vm.kill('SIGKILL');
    }
  });
});
