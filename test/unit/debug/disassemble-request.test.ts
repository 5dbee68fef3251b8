import * as assert from 'node:assert';
import { disassembleRequest } from '../../../src/debug/disassemble-request';
import type { MonitorClient } from '../../../src/vmm/monitor/monitor-client';

/** A monitor with 4 KiB of code at 0x1000: NOPs, a 5-byte MOV and INT3s, then unmapped memory. */
function fakeMonitor(): MonitorClient {
  const code = new Uint8Array(0x1000).fill(0x90);
  code.set([0xb8, 1, 2, 3, 4], 0x20); // mov eax, 0x04030201 at 0x1020
  code.fill(0xcc, 0x25, 0x30);
  const call = async (method: string, p: { address: number; length: number }): Promise<unknown> => {
    if (method === 'getState') return { mode: 'protected32' };
    if (method === 'readMemory') {
      const out = Buffer.alloc(p.length);
      let n = 0;
      for (; n < p.length; n++) {
        const a = p.address + n;
        if (a < 0x1000 || a >= 0x2000) break;
        out[n] = code[a - 0x1000];
      }
      // Like the monitor: the readable prefix only.
      return { data: out.subarray(0, n).toString('base64'), unreadable: p.length - n };
    }
    throw new Error(method);
  };
  return { call } as unknown as MonitorClient;
}

describe('debug: disassemble request', () => {
  const ctx = { monitor: fakeMonitor(), vm: 0, cpu: 0 };

  it('decodes forward from the reference', async () => {
    const r = await disassembleRequest({ memoryReference: '0x1020', instructionCount: 3 }, ctx);
    assert.deepStrictEqual(r.map((i) => [i.address, i.instruction]), [['0x1020', 'mov $0x4030201,%eax'], ['0x1025', 'int3'], ['0x1026', 'int3']]);
  });

  it('goes back by instructions with a negative offset and lands on the reference', async () => {
    const r = await disassembleRequest({ memoryReference: '0x1025', instructionOffset: -3, instructionCount: 4 }, ctx);
    assert.deepStrictEqual(r.map((i) => i.address), ['0x101e', '0x101f', '0x1020', '0x1025']);
    assert.strictEqual(r[2].instruction, 'mov $0x4030201,%eax');
  });

  it('pads with invalid entries before readable memory instead of failing', async () => {
    const r = await disassembleRequest({ memoryReference: '0x1001', instructionOffset: -4, instructionCount: 6 }, ctx);
    assert.strictEqual(r.length, 6);
    assert.ok(r.slice(0, 3).every((i) => i.presentationHint === 'invalid'), JSON.stringify(r.slice(0, 3)));
    assert.strictEqual(r[3].address, '0x1000');
    assert.strictEqual(r[4].address, '0x1001');
  });

  it('refuses what is not a memory reference', async () => {
    await assert.rejects(disassembleRequest({ memoryReference: 'kmain', instructionCount: 1 }, ctx), /not a memory reference/);
  });
});
