import * as assert from 'node:assert';
import { DebugConsole, IsaDebugExit, PostPort } from '../../../src/vmm/devices/debug-ports';
import { IoBus } from '../../../src/vmm/devices/io-bus';

describe('debug ports', () => {
  it('POST port keeps the last value', () => {
    const bus = new IoBus();
    const post = new PostPort();
    post.attach(bus);
    bus.write(0x80, 1, 0x12);
    bus.write(0x80, 1, 0x34);
    assert.strictEqual(post.lastValue, 0x34);
    assert.strictEqual(bus.read(0x80, 1), 0x34);
    assert.strictEqual(post.writes, 2);
  });

  it('0xE9 console forwards bytes and reads back 0xE9', () => {
    const bus = new IoBus();
    const out: number[] = [];
    new DebugConsole((b) => out.push(b)).attach(bus);
    assert.strictEqual(bus.read(0xe9, 1), 0xe9);
    for (const c of 'ok') bus.write(0xe9, 1, c.charCodeAt(0));
    bus.write(0xe9, 2, 0x0a21);
    assert.strictEqual(String.fromCharCode(...out), 'ok!\n');
  });

  it('isa-debug-exit reports (v << 1) | 1 at the default and a configured iobase', () => {
    const bus = new IoBus();
    const codes: number[] = [];
    new IsaDebugExit({ onExit: (s) => codes.push(s) }).attach(bus);
    bus.write(0xf4, 1, 0x10);
    bus.write(0xf6, 2, 0x0000);
    const bus2 = new IoBus();
    new IsaDebugExit({ iobase: 0x501, size: 2, onExit: (s) => codes.push(s) }).attach(bus2);
    bus2.write(0x501, 4, 1);
    assert.deepStrictEqual(codes, [0x21, 1, 3]);
    assert.strictEqual(bus2.deviceAt(0x503), undefined);
  });
});
