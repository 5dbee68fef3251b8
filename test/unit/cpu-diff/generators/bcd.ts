import { AF, CF } from '../layout';
import { FX } from '../flag-effects';
import { EAX, StreamBuilder } from './stream';

/**
 * DAA DAS AAA AAS AAM AAD, alone or after an ADD/SUB/ADC on AL that produces the carries they adjust.
 * AAM with an immediate of 0 raises #DE; non-10 bases are used as documented ("imm8 ... any base").
 */
export function genBcd(b: StreamBuilder): void {
  const rng = b.rng;
  if (b.pinned >> EAX & 1) throw new Error('bcd needs EAX');
  b.noPtr |= 1 << EAX;
  b.written |= 1 << EAX;
  const bcdByte = (): number => rng.chance(0.7) ? (rng.int(10) << 4) | rng.int(10) : rng.int(256);
  b.regs[EAX] = ((b.regs[EAX] & 0xffff0000) | (bcdByte() << 8) | bcdByte()) >>> 0;
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.5)) {
      const op = rng.pick([0x04, 0x14, 0x2c, 0x1c]); // add/adc/sub/sbb al, imm8
      b.emit([op, bcdByte()], FX.arith, op === 0x14 || op === 0x1c ? CF : 0);
    }
    switch (rng.int(6)) {
      case 0: b.emit([0x27], FX.daa, CF | AF); break;
      case 1: b.emit([0x2f], FX.daa, CF | AF); break;
      case 2: b.emit([0x37], FX.aaa, AF); break;
      case 3: b.emit([0x3f], FX.aaa, AF); break;
      case 4: b.emit([0xd4, rng.weighted<number>([[6, 10], [1, 0], [3, rng.int(256)]])], FX.aam); break;
      default: b.emit([0xd5, rng.weighted<number>([[6, 10], [3, rng.int(256)]])], FX.aam); break;
    }
  }
}
