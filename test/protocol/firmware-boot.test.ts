import * as assert from 'node:assert';
import * as fs from 'fs';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient } from './adapter-client';
import { baseName, kernelFile, launchAndStop, stack } from './kernel-session';

const SEABIOS = '/usr/share/seabios/bios.bin';
const TIMER_FIRST_LINE = 15;

/**
 * The kernel debugged while firmware boots it, as under QEMU: SeaBIOS runs from the reset vector and loads the
 * kernel through fw_cfg with QEMU's multiboot option ROM. The breakpoint is set before the kernel's code is in
 * memory (the ROM copies it there by DMA), and it still hits; the firmware's log reaches the Debug Console.
 */
describe('protocol: a kernel booted by SeaBIOS (bios with kernel)', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async function () {
    if (!fs.existsSync(SEABIOS)) throw new Error(`${SEABIOS} is missing: scripts/setup.sh installs the seabios package`);
    dc = await startClient();
  });
  afterEach(async () => dc.stop());

  it('a breakpoint in the timer handler hits after the firmware ran, with the kernel\'s stack; SeaBIOS logged to the Debug Console', async () => {
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    const stopped = await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }], { bios: SEABIOS });
    assert.strictEqual(stopped.body.reason, 'breakpoint');
    const names = (await stack(dc)).map(baseName);
    assert.deepStrictEqual(names.slice(0, 3), ['timer_interrupt', 'trap', 'alltraps'], names.join(' < '));
    assert.ok(names.includes('kmain'), names.join(' < '));
    const text = output.join('');
    assert.match(text, /SeaBIOS \(version 1\.\d+/, 'the firmware log (port 0x402) is in the Debug Console');
    assert.match(text, /Booting from ROM/);
    assert.match(text, /Ringside teaching kernel/, 'the kernel then printed on its serial port');
  });
});
