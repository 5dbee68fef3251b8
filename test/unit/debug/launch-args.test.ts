import * as assert from 'node:assert';
import * as path from 'path';
import { LaunchError, validateLaunchArgs } from '../../../src/debug/launch-args';
import { sampleKernel, sampleKernelDir } from '../../support/repo';

describe('debug: launch configuration validation', () => {
  const fails = (args: object, pattern: RegExp): void => {
    assert.throws(() => validateLaunchArgs(args as never), (e: unknown) => e instanceof LaunchError && pattern.test((e as Error).message));
  };

  it('needs a kernel or a disk', () => fails({}, /needs "kernel".*or "disks"/));
  it('names a missing kernel and where it looked', () => fails({ kernel: 'nope.elf', cwd: '/tmp' }, /kernel "nope.elf" does not exist \(looked for \/tmp\/nope.elf\)/));
  it('refuses a folder as a kernel', () => fails({ kernel: sampleKernelDir() }, /is not a file/));
  it('checks memoryMB, cpus and vms ranges', () => {
    fails({ kernel: sampleKernel(), memoryMB: 1 }, /"memoryMB" must be an integer from 2 to 3072; got 1/);
    fails({ kernel: sampleKernel(), cpus: 0 }, /"cpus" must be an integer from 1 to 8/);
    fails({ kernel: sampleKernel(), vms: 2.5 }, /"vms" must be an integer/);
  });
  it('refuses an unknown engine', () => fails({ kernel: sampleKernel(), engine: 'jit' }, /"engine" must be "interpret" or "direct"; got "jit"/));
  it('refuses a symbol file offset that is not an integer', () => fails({ kernel: sampleKernel(), symbolFiles: [{ path: sampleKernel(), offset: '0xzz' }] }, /offset "0xzz" is not an integer/));

  it('resolves paths against cwd and keeps the kernel symbols next to user programs', () => {
    const v = validateLaunchArgs({ kernel: 'kernel.elf', cwd: sampleKernelDir(), symbolFiles: [{ path: 'user/hello.elf', offset: '0x1000' }] });
    assert.deepStrictEqual(v.symbolFiles, [
      { path: sampleKernel(), offset: 0 },
      { path: path.join(sampleKernelDir(), 'user', 'hello.elf'), offset: 0x1000 },
    ]);
    assert.strictEqual(v.stepSkipsInterrupts, true);
    assert.strictEqual(v.config.vms[0].memoryMB, 64);
  });

  it('a firmware image alone is a launch; its log port 0x402 is the debug console unless debugconPort says otherwise', () => {
    const bios = validateLaunchArgs({ bios: sampleKernel() });
    assert.strictEqual(bios.config.vms[0].bios, sampleKernel());
    assert.strictEqual(bios.config.vms[0].debugconPort, 0x402);
    assert.strictEqual(validateLaunchArgs({ bios: sampleKernel(), debugconPort: 0x403 }).config.vms[0].debugconPort, 0x403);
    fails({ bios: sampleKernel(), debugconPort: 0x10000 }, /"debugconPort" must be an integer from 1 to 65535/);
    fails({ bios: '/nonexistent/bios.bin' }, /bios "\/nonexistent\/bios.bin" does not exist/);
  });

  it('takes stepSkipsInterrupts: false and serial to a file', () => {
    const v = validateLaunchArgs({ kernel: sampleKernel(), stepSkipsInterrupts: false, serial: 'out.txt', cwd: '/tmp' });
    assert.strictEqual(v.stepSkipsInterrupts, false);
    assert.deepStrictEqual(v.serial, { file: '/tmp/out.txt' });
  });
});

describe('debug: launch configuration with different guests (otherVms)', () => {
  it('adds each after the copies of the main kernel, with its own settings', () => {
    const v = validateLaunchArgs({
      kernel: 'kernel.elf', cwd: sampleKernelDir(), vms: 2, cmdline: 'test',
      otherVms: [{ name: 'hostile', kernel: '../hostile/hostile.elf', memoryMB: 16, isaDebugExit: false }, { kernel: 'kernel.elf', disks: ['disk.img'] }],
    });
    assert.deepStrictEqual(v.config.vms.map((m) => [m.name, m.memoryMB, m.cmdline, m.disks?.length]), [
      ['VM 1', 64, 'test', 0], ['VM 2', 64, 'test', 0], ['hostile', 16, '', 0], ['VM 4', 64, '', 1],
    ]);
    assert.deepStrictEqual(v.config.vms.map((m) => m.debugExitPort), [0xf4, 0xf4, undefined, 0xf4]);
    assert.strictEqual(v.config.vms[2].kernel, path.join(sampleKernelDir(), '..', 'hostile', 'hostile.elf'));
  });

  it('checks each one', () => {
    assert.throws(() => validateLaunchArgs({ kernel: sampleKernel(), otherVms: [{}] } as never), /otherVms\[0\] needs "kernel" or "disks"/);
    assert.throws(() => validateLaunchArgs({ kernel: sampleKernel(), otherVms: [{ kernel: '/nope' }] } as never), /otherVms\[0\] kernel "\/nope" does not exist/);
    assert.throws(() => validateLaunchArgs({ kernel: sampleKernel(), otherVms: [{ kernel: sampleKernel(), memoryMB: 1 }] } as never), /otherVms\[0\]\.memoryMB/);
    assert.throws(() => validateLaunchArgs({ kernel: sampleKernel(), vms: 16, otherVms: [{ kernel: sampleKernel() }] } as never), /at most 16 VMs/);
  });
});
