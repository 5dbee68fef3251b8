import * as assert from 'node:assert';
import { sampleKernelDir } from '../../support/repo';
import { run, runCli, which } from './run-cli';

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
      const qemu = which('qemu-system-i386');
      if (!qemu) this.skip(); // QEMU is the reference; `npm test` installs it (qemu-system-x86), a bare checkout may not have it.
      const cwd = sampleKernelDir();
      // Both at once: the guest's output and status do not depend on host speed.
      const [q, r] = await Promise.all([run(qemu!, [...FLAGS, ...extra], { cwd, timeoutMs: 240_000 }), runCli([...FLAGS, ...extra], { cwd, timeoutMs: 240_000 })]);
      assert.ok(q.stdout.includes('ALL TESTS PASSED'), `QEMU itself passes: ${q.stdout.slice(-300)}`);
      assert.strictEqual(fromKernel(r.stdout), fromKernel(q.stdout));
      assert.strictEqual(r.status, q.status, `exit status; ringside stderr: ${r.stderr}`);
      assert.strictEqual(r.status, 1);
    });
  }
});
