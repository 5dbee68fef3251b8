import * as assert from 'node:assert';
import { formatMemoryReference, parseMemoryReference } from '../../../src/debug/memory-reference';
import { formatDataId, parseDataId } from '../../../src/debug/data-breakpoints';

describe('debug: memory references and data breakpoint ids', () => {
  it('formats linear addresses bare and others with their space', () => {
    assert.strictEqual(formatMemoryReference(0xc0100000), '0xc0100000');
    assert.strictEqual(formatMemoryReference(0x1000, 'physical'), 'phys:0x1000');
    assert.strictEqual(formatMemoryReference(-1, 'virtual'), 'virt:0xffffffff');
  });

  it('parses every spelling back, and nothing else', () => {
    assert.deepStrictEqual(parseMemoryReference('0x10'), { address: 16, space: 'linear' });
    assert.deepStrictEqual(parseMemoryReference(' phys:0x100000 '), { address: 0x100000, space: 'physical' });
    assert.deepStrictEqual(parseMemoryReference('physical:4096'), { address: 4096, space: 'physical' });
    assert.deepStrictEqual(parseMemoryReference('virt:0x8'), { address: 8, space: 'virtual' });
    assert.deepStrictEqual(parseMemoryReference('lin:12'), { address: 12, space: 'linear' });
    for (const bad of ['', 'kmain', '0x100000000', 'swap:0x10', '-1']) assert.strictEqual(parseMemoryReference(bad), undefined, bad);
  });

  it('round-trips data breakpoint ids', () => {
    const t = { address: 0x1149e0, size: 4, label: 'ticks' };
    assert.deepStrictEqual(parseDataId(formatDataId(t)), t);
    assert.deepStrictEqual(parseDataId('4096/1'), { address: 4096, size: 1, label: '4096' });
    assert.strictEqual(parseDataId('0x10/0'), undefined);
    assert.strictEqual(parseDataId('ticks'), undefined);
  });
});
