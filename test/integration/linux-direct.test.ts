import * as assert from 'node:assert';
import { bootLinux, linuxGuest, type LinuxGuest } from './linux-guest';

const WARNING = 'Interrupts were enabled early';

/**
 * Why x86 is not classically virtualizable, shown by Debian's own kernel. Under the `direct` engine the guest
 * kernel really runs at CPL 1 (ring compression): CLI and STI trap and are emulated on a virtual IF, but PUSHF
 * is not privileged and hands the guest the real EFLAGS, where IF is 1 because the monitor keeps interrupts
 * on. start_kernel() checks with PUSHF that interrupts are still off before it enables them (init/main.c,
 * "Interrupts were enabled early") and warns: the kernel itself has noticed the Popek-Goldberg hole. Under
 * `interpret` the same check passes (the 1-vCPU boot in linux-boot.test.ts never sees it).
 */
describe('integration: Debian Linux under the direct engine notices the non-virtualizable PUSHF', function () {
  this.timeout(15 * 60_000);
  let guest: LinuxGuest;

  before(function () {
    guest = linuxGuest();
  });

  it(`start_kernel warns "${WARNING}" at CPL 1, where the kernel's privileged instructions trap to the monitor`, async function () {
    const r = await bootLinux(guest, 1, 'console=ttyS0 panic=-1', 10 * 60_000, undefined, { engine: 'direct', until: WARNING });
    const tail = r.console.replace(/\r/g, '').split('\n').slice(-12).join('\n');
    process.stdout.write(`      reached the warning after ${r.seconds.toFixed(1)} s, ${(r.instructions / 1e9).toFixed(2)} G instructions; exits ${JSON.stringify(r.exits)}\n`);
    assert.ok(r.reachedUntil, `no warning; stop: ${r.stop}; console tail:\n${tail}`);
    assert.match(r.console, /WARNING: CPU: 0 PID: 0 at init\/main\.c:\d+ start_kernel/, 'the warning comes from start_kernel');
    // Exits only the direct engine has: a #GP at CPL 1 that the monitor emulated at the virtual CPL 0.
    assert.ok((r.exits.RingCompression ?? 0) > 0, 'privileged instructions of the deprivileged kernel trapped and were emulated');
    assert.ok((r.exits.InterruptFlag ?? 0) > 1000, 'CLI and STI trapped and were emulated on the virtual IF');
    assert.strictEqual(r.shadow.auditErrors, 0);
  });
});
