import * as assert from 'node:assert';
import { MemoryCache } from '../../../src/debug/memory-cache';

describe('debug: page cache for synchronous symbol-layer reads', () => {
  const fetches: number[] = [];
  const cache = (): MemoryCache => {
    fetches.length = 0;
    return new MemoryCache(async (address, length) => {
      fetches.push(address);
      if (address >= 0x10000) return new Uint8Array(0);
      return Uint8Array.from({ length }, (_, i) => (address + i) & 0xff);
    });
  };

  it('re-runs a computation until every page it read is present, fetching each page once', async () => {
    const c = cache();
    const sum = await c.run(() => {
      const a = c.read(0x1ffe, 4);
      const b = c.read(0x5000, 1);
      return a && b ? a[0] + a[3] + b[0] : -1;
    });
    assert.strictEqual(sum, 0xfe + 0x01 + 0x00);
    assert.deepStrictEqual([...fetches].sort((a, b) => a - b), [0x1000, 0x2000, 0x5000]);
    await c.run(() => c.read(0x1000, 8));
    assert.strictEqual(fetches.length, 3, 'cached');
  });

  it('reports unmapped memory as undefined, and retries a computation that threw for want of a page', async () => {
    const c = cache();
    assert.strictEqual(await c.readAsync(0x10ffe, 4), undefined);
    let calls = 0;
    const v = await c.run(() => {
      calls++;
      const b = c.read(0x3000, 1);
      if (!b) throw new Error('not mapped');
      return b[0];
    });
    assert.strictEqual(v, 0);
    assert.strictEqual(calls, 2);
    await assert.rejects(c.run(() => {
      if (!c.read(0x20000, 1)) throw new Error('really not mapped');
    }), /really not mapped/);
  });

  it('forgets everything on reset', async () => {
    const c = cache();
    await c.readAsync(0x1000, 1);
    c.reset();
    await c.readAsync(0x1000, 1);
    assert.strictEqual(fetches.length, 2);
  });
});
