import * as assert from 'node:assert';
import { checksum, framePacket, PacketReader, unescapeBinary } from '../../../src/gdb/packet';
import { fromHex, le32Hex, parseNumber, toHex } from '../../../src/gdb/hex';

describe('gdb: packet framing', () => {
  it('frames with a two-digit modulo-256 checksum', () => {
    assert.strictEqual(framePacket('OK').toString(), '$OK#9a');
    assert.strictEqual(framePacket('').toString(), '$#00');
    assert.strictEqual(checksum(Buffer.from('qSupported')), 0x37);
  });

  it('escapes $ # } and * in replies (XOR 0x20 after a })', () => {
    const f = framePacket(Buffer.from([0x24, 0x23, 0x7d, 0x2a, 0x41]));
    assert.deepStrictEqual([...f.subarray(1, f.length - 3)], [0x7d, 0x04, 0x7d, 0x03, 0x7d, 0x5d, 0x7d, 0x0a, 0x41]);
    assert.deepStrictEqual(unescapeBinary(f.subarray(1, f.length - 3)), Buffer.from([0x24, 0x23, 0x7d, 0x2a, 0x41]));
  });

  it('splits a stream into packets, acks and interrupts, across arbitrary chunk boundaries', () => {
    const stream = Buffer.from('+$qSupported:multiprocess+#c6-\x03$g#67');
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = new PacketReader();
      const events = [...r.feed(stream.subarray(0, cut)), ...r.feed(stream.subarray(cut))];
      assert.deepStrictEqual(
        events.map((e) => (e.kind === 'packet' ? `${e.payload.toString()}:${e.checksumOk}` : e.kind)),
        ['ack', 'qSupported:multiprocess+:true', 'nack', 'interrupt', 'g:true'],
        `cut at ${cut}`,
      );
    }
  });

  it('reports a bad checksum instead of dropping the packet', () => {
    const [e] = new PacketReader().feed(Buffer.from('$g#00'));
    assert.deepStrictEqual(e.kind === 'packet' && e.checksumOk, false);
  });

  it('keeps binary bytes (0x03, +, escaped #) inside a packet as data', () => {
    const payload = Buffer.concat([Buffer.from('X100,3:'), Buffer.from([0x03, 0x2b, 0x7d, 0x03])]);
    const [e] = new PacketReader().feed(Buffer.concat([Buffer.from('$'), payload, Buffer.from('#' + checksum(payload).toString(16).padStart(2, '0'))]));
    assert.ok(e.kind === 'packet' && e.checksumOk);
    assert.deepStrictEqual(unescapeBinary(e.payload.subarray(7)), Buffer.from([0x03, 0x2b, 0x23]));
  });

  it('hex helpers: little-endian registers, big-endian numbers', () => {
    assert.strictEqual(le32Hex(0x100102), '02011000');
    assert.strictEqual(le32Hex(-1), 'ffffffff');
    assert.strictEqual(parseNumber('1000f2'), 0x1000f2);
    assert.strictEqual(toHex(fromHex('00ff10')), '00ff10');
    assert.throws(() => fromHex('abc'), RangeError);
    assert.throws(() => parseNumber('-1'), RangeError);
  });
});
