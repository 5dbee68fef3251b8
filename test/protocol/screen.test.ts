import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { ScreenSnapshot } from '../../src/vmm/monitor/screen-snapshot';
import { startClient } from './adapter-client';
import { kernelFile, launchAndStop } from './kernel-session';

const TIMER_FIRST_LINE = 15;

describe('protocol: the screen panel requests (ringside/screen, ringside/keys)', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('returns the VGA text screen through the adapter and takes scancodes', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const s = (await dc.customRequest('ringside/screen', {})).body as ScreenSnapshot;
    assert.deepStrictEqual([s.cols, s.rows, s.cells.length, s.mode], [80, 25, 2000, 'text']);
    assert.ok(s.cells.every((c) => Number.isInteger(c) && c >= 0 && c <= 0xffff));
    assert.deepStrictEqual(Object.keys(s.cursor).sort(), ['col', 'row', 'visible']);
    await dc.customRequest('ringside/keys', { scancodes: [0x1e, 0x9e] });
    await assert.rejects(dc.customRequest('ringside/keys', { scancodes: [0x1ff] }), /scancode/);
    await assert.rejects(dc.customRequest('ringside/screen', { vm: 7 }), /VM|vm|7/);
  });
});
