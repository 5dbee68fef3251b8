import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { sampleKernel, sampleKernelDir } from '../support/repo';
import { fakeBzImage } from '../unit/platform/fake-bzimage';
import { startClient } from './adapter-client';

describe('protocol: launch and bad input', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('answers initialize with Ringside capabilities', async () => {
    const r = await dc.initializeRequest();
    const caps = r.body!;
    assert.ok(caps.supportsDisassembleRequest);
    assert.ok(caps.supportsReadMemoryRequest);
    assert.ok(caps.supportsInstructionBreakpoints);
    assert.ok(caps.supportsConfigurationDoneRequest);
    assert.ok((caps.exceptionBreakpointFilters ?? []).some((f) => f.filter === 'triple-fault'));
  });

  it('refuses a launch configuration without a kernel, with a clear message', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({} as never), /needs "kernel"/);
  });

  it('refuses a kernel that does not exist', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ kernel: '/nonexistent/kernel.elf' } as never), /does not exist/);
  });

  it('refuses a file that is not a kernel and leaves it unchanged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-'));
    const f = path.join(dir, 'notes.txt');
    fs.writeFileSync(f, 'just some text, not a kernel\n'.repeat(10));
    const before = fs.readFileSync(f);
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ kernel: f } as never), /not a kernel/);
    assert.deepStrictEqual(fs.readFileSync(f), before);
  });

  it('refuses a truncated ELF kernel', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-'));
    const f = path.join(dir, 'cut.elf');
    fs.writeFileSync(f, fs.readFileSync(sampleKernel()).subarray(0, 6000));
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ kernel: f } as never), /truncated/);
  });

  describe('bad input the launch refuses with a clear error, writing nothing', () => {
    let dir: string;
    const files = () => Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n, fs.readFileSync(path.join(dir, n)).toString('base64')]));
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-launch-bad-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const refused = async (args: object, message: RegExp) => {
      const before = files();
      await dc.initializeRequest();
      await assert.rejects(dc.launch({ cwd: dir, ...args } as never), message);
      assert.deepStrictEqual(files(), before);
    };

    it('a truncated bzImage', async () => {
      const bz = fakeBzImage();
      fs.writeFileSync(path.join(dir, 'vmlinuz'), bz.subarray(0, bz.length - 4096));
      await refused({ kernel: 'vmlinuz', memoryMB: 64 }, /vmlinuz is truncated/);
    });

    it('an initrd larger than memory', async () => {
      fs.writeFileSync(path.join(dir, 'vmlinuz'), fakeBzImage({ initSize: 0x10000 }));
      fs.writeFileSync(path.join(dir, 'initrd.img'), Buffer.alloc(25 << 20));
      await refused({ kernel: 'vmlinuz', initrd: 'initrd.img', memoryMB: 24 }, /initrd initrd\.img \(25\.0 MiB\) does not fit in guest memory/);
    });

    it('a missing disk image', async () => {
      await refused({ disks: ['nope.img'] }, /disk image "nope\.img" does not exist/);
    });

    it('a read-only disk image marked writable (without writable it is used through the overlay)', async () => {
      const img = path.join(dir, 'ro.img');
      fs.writeFileSync(img, Buffer.alloc(64 * 1024));
      fs.chmodSync(img, 0o444);
      await refused({ kernel: sampleKernel(), disks: [{ path: 'ro.img', writable: true }] }, /ro\.img for writing.*the file is read-only \(mode 0444\)/);
    });
  });

  it('refuses a memory size out of range', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ kernel: sampleKernel(), memoryMB: 100000 } as never), /memoryMB/);
  });

  it('stops on entry at the kernel entry point, with one thread per vCPU', async () => {
    await Promise.all([
      dc.configurationSequence(),
      dc.launch({ kernel: sampleKernel(), stopOnEntry: true, cwd: sampleKernelDir() } as never),
      dc.waitForEvent('stopped'),
    ]);
    const threads = await dc.threadsRequest();
    assert.deepStrictEqual(threads.body.threads.map((t) => t.name), ['VM · CPU 0']);
    const st = await dc.stackTraceRequest({ threadId: threads.body.threads[0].id });
    const top = st.body.stackFrames[0];
    assert.ok(top.instructionPointerReference, 'the frame has an instruction pointer reference');
  });
});
