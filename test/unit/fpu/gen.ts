/** Seeded random x87 test cases: operands rich in special encodings, random control words and tags. */
import { isValidX87 } from '../../../src/vmm/cpu/fpu/x87';
import { DATA_LEN, FpuCase } from './harness';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  u32(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

/** A random 64-bit significand as [hi, lo], biased towards rounding-boundary patterns. */
function randSig(r: Rng): [number, number] {
  switch (r.int(6)) {
    case 0: // few bits set: exact results
      return [(1 << r.int(32)) >>> 0 | (r.chance(0.5) ? 1 << r.int(32) : 0), r.chance(0.5) ? 0 : (1 << r.int(32)) >>> 0];
    case 1: // runs of ones near the 24/53/64-bit rounding points
      return [0xffffffff, (0xffffffff << r.int(32)) >>> 0];
    case 2:
      return [(0xffffff00 | r.int(256)) >>> 0, r.u32() & (r.chance(0.5) ? 0x7ff : 0xffffffff)];
    default:
      return [r.u32(), r.u32()];
  }
}

/** Hex of a random 80-bit value (most significant first). */
export function rand80(r: Rng): string {
  const sign = r.int(2) << 15;
  let exp: number;
  let [hi, lo] = randSig(r);
  const kind = r.int(20);
  switch (kind) {
    case 0:
      exp = 0;
      hi = lo = 0;
      break;
    case 1: // denormal
      exp = 0;
      hi &= 0x7fffffff;
      if (r.chance(0.5)) hi = 0;
      if ((hi | lo) === 0) lo = 1;
      break;
    case 2: // pseudo-denormal
      exp = 0;
      hi |= 0x80000000;
      break;
    case 3: // infinity
      exp = 0x7fff;
      hi = 0x80000000;
      lo = 0;
      break;
    case 4: // NaNs
      exp = 0x7fff;
      hi |= 0x80000000;
      if ((hi & 0x3fffffff) === 0 && lo === 0 && !(hi & 0x40000000)) lo = 1;
      if (r.chance(0.3)) [hi, lo] = [0xc0000000, 0];
      break;
    case 5: // unnormal, pseudo-NaN, pseudo-infinity
      exp = r.chance(0.5) ? 0x7fff : 1 + r.int(0x7ffe);
      hi &= 0x7fffffff;
      break;
    case 6: // extreme exponents
      exp = r.chance(0.5) ? 1 + r.int(80) : 0x7ffe - r.int(80);
      hi |= 0x80000000;
      break;
    case 7: // around the single/double ranges' edges
      exp = 0x3fff + r.pick([-126, -149, -1022, -1074, 127, 1023, -16382 + 20]) + r.int(5) - 2;
      hi |= 0x80000000;
      break;
    case 8:
    case 9: {
      // small integers and halves (FRNDINT, FIST, FBSTP)
      const k = r.int(1 << r.int(24)) + (r.chance(0.3) ? 0.5 : 0);
      if (k === 0) return (sign ? '8000' : '0000') + '0'.repeat(16);
      const e = Math.floor(Math.log2(k));
      const m = BigInt(Math.round(k * 2 ** (63 - e)));
      exp = 0x3fff + e;
      hi = Number(m >> 32n) >>> 0;
      lo = Number(m & 0xffffffffn) >>> 0;
      break;
    }
    case 10: // large integers around the int16/32/64 and BCD limits
      exp = 0x3fff + r.pick([15, 16, 31, 32, 59, 62, 63, 64]) - r.int(2);
      hi |= 0x80000000;
      break;
    default:
      exp = 0x3fff + r.int(140) - 70;
      hi |= 0x80000000;
  }
  return ((sign | exp) >>> 0).toString(16).padStart(4, '0') + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function hexTo10(h: string): Uint8Array {
  const b = new Uint8Array(10);
  for (let i = 0; i < 10; i++) b[9 - i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function put16(d: Uint8Array, off: number, v: number): void {
  d[off] = v & 0xff;
  d[off + 1] = (v >>> 8) & 0xff;
}

function put32(d: Uint8Array, off: number, v: number): void {
  for (let i = 0; i < 4; i++) d[off + i] = (v >>> (8 * i)) & 0xff;
}

/** Fills the memory operand at offset 0 to suit the instruction. */
function fillOperand(r: Rng, d: Uint8Array, opcode: number, reg: number, o16: boolean): void {
  const v = hexTo10(rand80(r));
  if (opcode === 0xd8 || (opcode === 0xd9 && reg === 0)) {
    // single: build from the random extended value's top bits with random exponent classes
    const e = r.pick([0, 0xff, 1 + r.int(254), 127 + r.int(20) - 10]);
    put32(d, 0, ((r.int(2) << 31) | (e << 23) | (r.u32() & (r.chance(0.3) ? 0x7f0000 : 0x7fffff))) >>> 0);
  } else if (opcode === 0xdc || (opcode === 0xdd && reg === 0)) {
    const e = r.pick([0, 0x7ff, 1 + r.int(2046), 1023 + r.int(40) - 20]);
    put32(d, 0, r.chance(0.3) ? 0 : r.u32());
    put32(d, 4, ((r.int(2) << 31) | (e << 20) | (r.u32() & 0xfffff)) >>> 0);
  } else if ((opcode === 0xda || opcode === 0xde) || (opcode === 0xdb && reg === 0) || (opcode === 0xdf && (reg === 0 || reg === 5))) {
    const small = r.chance(0.5);
    for (let i = 0; i < 8; i++) d[i] = small && i > 0 ? (d[0] & 0x80 ? 0xff : 0) : r.u32() & 0xff;
    if (r.chance(0.2)) d.fill(0, 0, 8);
  } else if (opcode === 0xdf && reg === 4) {
    for (let i = 0; i < 9; i++) d[i] = (r.int(10) << 4) | r.int(10);
    d[9] = r.chance(0.5) ? 0x80 : 0;
  } else if ((opcode === 0xd9 && (reg === 4 || reg === 5)) || (opcode === 0xdd && reg === 4)) {
    // FLDENV / FLDCW / FRSTOR: a plausible environment (protected-mode layout, 32- or 16-bit)
    const cw = r.chance(0.7) ? 0x37f : r.u32() & 0x1f7f;
    const sw = r.u32() & 0x7fff & ~0x80;
    const words = [cw, sw, r.u32() & 0xffff];
    words.forEach((w, i) => (o16 ? put16(d, 2 * i, w) : put32(d, 4 * i, (w | 0xffff0000) >>> 0)));
    if (opcode === 0xdd) for (let i = 0; i < 8; i++) d.set(hexTo10(rand80(r)), (o16 ? 14 : 28) + 10 * i);
  } else d.set(v, 0);
}

/** Instruction pool: every valid memory form (as [eax]) and register form, minus FNSTSW AX. */
export function instructionPool(): number[][] {
  const pool: number[][] = [];
  for (let op = 0xd8; op <= 0xdf; op++) {
    for (let reg = 0; reg < 8; reg++) if (isValidX87(op, reg << 3)) pool.push([op, reg << 3]);
    for (let m = 0xc0; m <= 0xff; m++) if (!(op === 0xdf && m === 0xe0)) pool.push([op, m]);
  }
  return pool;
}

export function randomCase(r: Rng, pool: number[][]): FpuCase {
  let code = r.pick(pool);
  const envOp = (code[0] === 0xd9 || code[0] === 0xdd) && code[1] < 0xc0 && (code[1] >>> 3 === 4 || code[1] >>> 3 === 6);
  const o16 = envOp && r.chance(0.3);
  if (o16) code = [0x66, ...code];
  // Sometimes a second instruction: does the pending-exception logic (ES, #MF) match?
  if (r.chance(0.15)) code = [...code, ...r.pick([[0x9b], [0xd9, 0xd0], [0xdb, 0xe2, 0x9b], [0xd9, 0xe8]])];
  const pc = r.pick([0, 2, 3, 3]) << 8;
  const rc = r.int(4) << 10;
  const masks = r.chance(0.7) ? 0x3f : r.u32() & 0x3f;
  const cw = 0x40 | pc | rc | masks;
  const top = r.int(8);
  // Sticky flags may only be set where masked, so nothing is pending before the instruction.
  const sw = (top << 11) | (r.u32() & 0x4700) | (r.u32() & masks & 0x3f);
  let tw = 0;
  const st: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) {
    st.push(hexTo10(rand80(r)));
    const empty = r.chance(0.12) || (r.chance(0.1) && i === 7);
    if (empty) tw |= 3 << (2 * ((top + i) & 7));
  }
  const data = new Uint8Array(DATA_LEN);
  for (let i = 0; i < DATA_LEN; i++) data[i] = r.u32() & 0xff;
  const at = o16 ? 1 : 0;
  if (code[at + 1] < 0xc0) fillOperand(r, data, code[at], code[at + 1] >>> 3, o16);
  return { code, cw, sw, tw, st, eflags: r.u32() & 0x8d5, data };
}
