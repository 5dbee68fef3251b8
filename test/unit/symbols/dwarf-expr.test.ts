import * as assert from 'node:assert';
import { ExprContext, evaluateLocation, evaluateValue } from '../../../src/symbols/dwarf-expr';
import { x87ToNumber } from '../../../src/symbols/value-format';

const regs = [10, 20, 30, 40, 0x8000, 0x8010, 60, 70, 0x100000];
const ctx = (extra: Partial<ExprContext> = {}): ExprContext => ({
  readRegister: (r) => regs[r],
  readMemory: (a, n) => (a >= 0x8000 && a < 0x9000 ? new Uint8Array(n).map((_, i) => (a + i) & 0xff) : undefined),
  ...extra,
});
const ev = (bytes: number[], extra?: Partial<ExprContext>) => evaluateLocation(Uint8Array.from(bytes), ctx(extra));

describe('symbols: DWARF expression evaluator', () => {
  it('literals, arithmetic and stack operations (32-bit wrap-around)', () => {
    assert.strictEqual(evaluateValue(Uint8Array.from([0x35, 0x37, 0x1e]), ctx()), 35); // lit5 lit7 mul
    assert.strictEqual(evaluateValue(Uint8Array.from([0x30, 0x31, 0x1c]), ctx()), 0xffffffff); // 0 - 1
    assert.strictEqual(evaluateValue(Uint8Array.from([0x11, 0x7f, 0x23, 0x05]), ctx()), 4); // consts -1, plus_uconst 5
    assert.strictEqual(evaluateValue(Uint8Array.from([0x0d, 0xf6, 0xff, 0xff, 0xff, 0x32, 0x1b]), ctx()), 0xfffffffb); // -10 / 2
    assert.strictEqual(evaluateValue(Uint8Array.from([0x31, 0x32, 0x16, 0x1c]), ctx()), 1); // 1 2 swap minus
    assert.strictEqual(evaluateValue(Uint8Array.from([0x31, 0x32, 0x33, 0x17, 0x13, 0x13]), ctx()), 3); // rot then drop twice
    assert.strictEqual(evaluateValue(Uint8Array.from([0x38, 0x32, 0x25]), ctx()), 2); // 8 >> 2
    assert.strictEqual(evaluateValue(Uint8Array.from([0x31, 0x32, 0x2d]), ctx()), 1); // 1 < 2
  });

  it('register-relative addresses, register locations, frame base and CFA', () => {
    assert.deepStrictEqual(ev([0x75, 0x7c]), { kind: 'memory', address: 0x800c }); // breg5 -4
    assert.deepStrictEqual(ev([0x92, 0x04, 0x08]), { kind: 'memory', address: 0x8008 }); // bregx esp +8
    assert.deepStrictEqual(ev([0x53]), { kind: 'register', reg: 3 });
    assert.deepStrictEqual(ev([0x90, 0x21]), { kind: 'register', reg: 33 });
    assert.deepStrictEqual(ev([0x91, 0x78], { frameBase: () => 0x9000 }), { kind: 'memory', address: 0x8ff8 });
    assert.deepStrictEqual(ev([0x9c], { callFrameCfa: () => 0x8020 }), { kind: 'memory', address: 0x8020 });
    assert.strictEqual(ev([0x91, 0x00]).kind, 'unavailable');
  });

  it('DW_OP_addr is relocated by the load offset; deref reads memory', () => {
    assert.deepStrictEqual(ev([0x03, 0x00, 0x10, 0x00, 0xc0], { relocate: (a) => a - 0xc0000000 }), { kind: 'memory', address: 0x1000 });
    assert.strictEqual(evaluateValue(Uint8Array.from([0x0a, 0x04, 0x80, 0x06]), ctx()), 0x07060504); // const2u 0x8004, deref
    assert.strictEqual(evaluateValue(Uint8Array.from([0x0a, 0x04, 0x80, 0x94, 0x02]), ctx()), 0x0504); // deref_size 2
    assert.deepStrictEqual(ev([0x0a, 0x00, 0x10, 0x06]), { kind: 'unavailable', reason: 'memory at 0x1000 is not readable' });
  });

  it('stack_value, implicit_value and pieces', () => {
    assert.deepStrictEqual(ev([0x35, 0x9f]), { kind: 'value', value: 5 });
    assert.deepStrictEqual(ev([0x9e, 0x02, 0xaa, 0xbb]), { kind: 'implicit', bytes: Uint8Array.from([0xaa, 0xbb]) });
    // long long split: low half in eax, high half at [esp+4]
    assert.deepStrictEqual(ev([0x50, 0x93, 0x04, 0x74, 0x04, 0x93, 0x04]), {
      kind: 'pieces',
      pieces: [
        { bits: 32, bitOffset: 0, location: { kind: 'register', reg: 0 } },
        { bits: 32, bitOffset: 0, location: { kind: 'memory', address: 0x8004 } },
      ],
    });
    // An empty piece means that part is optimized out.
    const opt = ev([0x93, 0x04, 0x51, 0x93, 0x04]);
    assert.ok(opt.kind === 'pieces' && opt.pieces[0].location.kind === 'unavailable');
  });

  it('reports entry values, empty expressions and runaway loops as unavailable instead of throwing', () => {
    assert.deepStrictEqual(ev([]), { kind: 'unavailable', reason: 'optimized out' });
    assert.strictEqual(ev([0xa3, 0x01, 0x50, 0x9f]).kind, 'unavailable');
    const loop = ev([0x2f, 0xfd, 0xff]); // skip -3: jumps to itself
    assert.ok(loop.kind === 'unavailable' && /more than/.test(loop.reason));
    assert.ok(/underflow/.test((ev([0x22]) as { reason: string }).reason));
    assert.ok(/unsupported/.test((ev([0xee]) as { reason: string }).reason));
  });

  it('converts x87 80-bit values', () => {
    const one = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]);
    assert.strictEqual(x87ToNumber(one), 1);
    const minusPi = Uint8Array.from([0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0xc0]);
    assert.ok(Math.abs(x87ToNumber(minusPi) + Math.PI) < 1e-15);
  });
});
