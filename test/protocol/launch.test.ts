import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { sampleKernel, sampleKernelDir } from '../support/repo';
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
