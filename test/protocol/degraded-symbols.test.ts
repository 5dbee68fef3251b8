import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ElfFile } from '../../src/symbols';
import { sampleKernel, sampleKernelDir } from '../support/repo';
import { startClient } from './adapter-client';
import { baseName, stack, userFile } from './kernel-session';

/** A copy of the sample kernel with its .debug_info overwritten by a repeating garbage pattern. */
function corruptedDwarfKernel(): string {
  const bytes = new Uint8Array(fs.readFileSync(sampleKernel()));
  const info = ElfFile.parse(bytes).section('.debug_info')!;
  for (let i = 0; i < info.size; i++) bytes[info.offset + i] = (i * 37 + 0xa5) & 0xff;
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-sym-')), 'kernel-bad-dwarf.elf');
  fs.writeFileSync(f, bytes);
  return f;
}

async function launchWithSymbols(dc: DebugClient, symbolFiles: { path: string }[], functionBreakpoint: string): Promise<string> {
  const out: string[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped', 60000);
  await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), serial: 'debugConsole', symbolFiles } as never);
  const bp = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: functionBreakpoint }] });
  assert.ok(bp.body.breakpoints[0].verified, bp.body.breakpoints[0].message);
  await dc.configurationDoneRequest();
  await stopped;
  return out.join('');
}

describe('protocol: broken symbol files degrade to address-level debugging', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('warns about a truncated user program and still debugs the kernel at source level', async () => {
    const cut = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-sym-')), 'hello-cut.elf');
    fs.writeFileSync(cut, fs.readFileSync(userFile('hello.elf')).subarray(0, 700));
    const out = await launchWithSymbols(dc, [{ path: sampleKernel() }, { path: cut }], 'kmain');
    assert.match(out, /cannot read symbols from .*hello-cut\.elf: .*debugging by address/);
    const top = (await stack(dc))[0];
    assert.strictEqual(baseName(top), 'kmain');
    assert.ok(top.source?.path?.endsWith('main.c'));
  });

  it('falls back to ELF symbols when the DWARF is garbage: breakpoints, frames and disassembly still work', async () => {
    const out = await launchWithSymbols(dc, [{ path: corruptedDwarfKernel() }], 'kmain');
    assert.match(out, /kernel-bad-dwarf\.elf: /, 'a warning names the broken file');
    const frames = await stack(dc);
    assert.strictEqual(baseName(frames[0]), 'kmain');
    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes.map((s) => s.name);
    assert.ok(scopes.includes('Registers'));
    const dis = await dc.customRequest('disassemble', { memoryReference: frames[0].instructionPointerReference, instructionCount: 4 });
    assert.strictEqual(dis.body.instructions.length, 4);
    const ev = await dc.evaluateRequest({ expression: '$eip', frameId: frames[0].id, context: 'watch' });
    assert.strictEqual(Number(ev.body.result.split(' ')[0]), Number(frames[0].instructionPointerReference));
  });
});
