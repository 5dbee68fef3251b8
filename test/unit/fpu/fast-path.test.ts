/**
 * The limb fast paths (fast.ts) must agree bit for bit, flags and C1 included, with the BigInt reference
 * paths on every operand they accept. Random normal operands near and far apart, all PC/RC settings.
 */
import * as assert from 'assert';
import { addExact, divExact, mulExact, sqrtExact } from '../../../src/vmm/cpu/fpu/arith';
import { toIeeeExact, toIntExact } from '../../../src/vmm/cpu/fpu/convert';
import { F80, f80, toDouble } from '../../../src/vmm/cpu/fpu/f80';
import { fastAdd, fastDiv, fastFromDouble, fastFromInt, fastFromSingle, fastMul, fastSqrt, fastToIeee, fastToInt } from '../../../src/vmm/cpu/fpu/fast';
import { fromInt } from '../../../src/vmm/cpu/fpu/convert';
import { FMT32, FMT64 } from '../../../src/vmm/cpu/fpu/round';
import { Ctx } from '../../../src/vmm/cpu/fpu/status';
import { Rng } from './gen';

function randNormal(r: Rng, base: number, spread: number): F80 {
  const hi = r.chance(0.3) ? (0xffffffff - r.int(4)) >>> 0 : (r.u32() | 0x80000000) >>> 0;
  const lo = r.chance(0.2) ? 0 : r.chance(0.2) ? (0xffffffff << r.int(32)) >>> 0 : r.u32();
  return f80((r.int(2) << 15) | Math.max(1, Math.min(0x7ffe, base + r.int(spread * 2 + 1) - spread)), hi, lo);
}

const key = (v: F80 | null, c: Ctx) => (v ? `${v.se.toString(16)}:${v.hi.toString(16)}:${v.lo.toString(16)}` : 'null') + ` f=${c.flags} c1=${c.c1}`;

describe('x87 fast paths agree with the BigInt reference', () => {
  const r = new Rng(12345);
  const cws = [0x37f, 0x27f, 0x07f, 0x77f, 0xb7f, 0xf7f, 0x67f, 0x0f7f, 0x0a7f];

  it('add/sub, mul, div and sqrt', () => {
    let taken = 0;
    for (let i = 0; i < 40000; i++) {
      const a = randNormal(r, 0x3fff, r.chance(0.5) ? 3 : 140);
      const b = randNormal(r, a.se & 0x7fff, r.chance(0.5) ? 2 : 140);
      const cw = cws[i % cws.length];
      const neg = r.chance(0.5);
      const c1 = new Ctx(cw);
      const k = i % 4;
      const fast = k === 0 ? fastAdd(a, b, neg, c1) : k === 1 ? fastMul(a, b, c1) : k === 2 ? fastDiv(a, b, c1) : fastSqrt(a, c1);
      if (!fast) continue;
      taken++;
      const c2 = new Ctx(cw);
      const slow = k === 0 ? addExact(a, b, neg, c2) : k === 1 ? mulExact(a, b, c2) : k === 2 ? divExact(a, b, c2) : sqrtExact(a, c2);
      assert.strictEqual(key(fast, c1), key(slow, c2), `case ${i}: ${key(a, c1)} ${key(b, c1)} cw=${cw.toString(16)} neg=${neg}`);
    }
    assert.ok(taken > 25000);
  });

  it('FST m32/m64 and FIST m16/m32', () => {
    for (let i = 0; i < 20000; i++) {
      const v = randNormal(r, 0x3fff + r.int(60) - 20, r.chance(0.5) ? 2 : 200);
      const cw = cws[i % cws.length];
      const c1 = new Ctx(cw);
      const c2 = new Ctx(cw);
      if (i % 2) {
        const p = r.chance(0.5) ? 24 : 53;
        const fast = fastToIeee(v, p, c1);
        if (!fast) continue;
        assert.deepStrictEqual([fast, c1.flags, c1.c1], [toIeeeExact(v, p === 24 ? FMT32 : FMT64, c2), c2.flags, c2.c1], `${key(v, c1)} p=${p}`);
      } else {
        const bits = r.chance(0.5) ? 16 : 32;
        const fast = fastToInt(v, bits, c1);
        if (fast === null) continue;
        assert.deepStrictEqual([BigInt(fast), c1.flags, c1.c1], [toIntExact(v, bits, c2), c2.flags, c2.c1], `${key(v, c1)} bits=${bits}`);
      }
    }
  });

  it('loads', () => {
    const dv = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 5000; i++) {
      const hi = r.u32();
      const lo = r.u32();
      dv.setUint32(0, hi);
      dv.setUint32(4, lo);
      const d = fastFromDouble(hi, lo);
      if (d) assert.strictEqual(toDouble(d), dv.getFloat64(0));
      const s = fastFromSingle(hi);
      if (s) assert.strictEqual(toDouble(s), dv.getFloat32(0));
      const n = (hi | 0) >> r.int(32);
      assert.deepStrictEqual(fastFromInt(n), fromInt(BigInt(n)));
    }
    assert.deepStrictEqual(fastFromInt(-0x80000000), fromInt(-0x80000000n));
  });
});
