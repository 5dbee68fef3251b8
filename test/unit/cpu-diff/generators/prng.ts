/**
 * A small, fast, seedable PRNG (sfc32, from PractRand) so a failing case can be regenerated from the run seed
 * and its index alone. Math.random is not seedable, hence this.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = 0x9e3779b9 ^ seed;
    this.b = 0x243f6a88 ^ stream;
    this.c = 0xb7e15162;
    this.d = 1;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** Uniform 32-bit unsigned. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of xs) total += w;
    let r = this.u32() / 4294967296 * total;
    for (const [w, v] of xs) {
      if (r < w) return v;
      r -= w;
    }
    return xs[xs.length - 1][1];
  }

  /**
   * A 32-bit value biased towards the edges where flag logic goes wrong: 0, 1, -1, sign boundaries of every
   * operand size, powers of two and their neighbours, small numbers; uniform the rest of the time.
   */
  interesting(): number {
    switch (this.int(8)) {
      case 0: return this.pick(EDGES);
      case 1: return (1 << this.int(32)) >>> 0;
      case 2: return (((1 << this.int(32)) >>> 0) + this.range(-2, 2)) >>> 0;
      case 3: return this.range(0, 300);
      case 4: return (-this.range(1, 300)) >>> 0;
      case 5: return (this.u32() & this.pick(SIZE_MASKS)) >>> 0;
      default: return this.u32();
    }
  }

  /** Fresh bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

const EDGES = [
  0, 1, 2, 0xffffffff, 0xfffffffe, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xffff, 0x10000,
  0x7fffffff, 0x80000000, 0x80000001, 0x0f, 0x10, 0x09, 0x99, 0x9a, 0xf0, 0x0f0f0f0f, 0x55555555, 0xaaaaaaaa,
  0xffff7fff, 0xffffff7f, 0xffff8000, 0xffffff80,
];
const SIZE_MASKS = [0xff, 0xffff, 0x7f, 0x7fff, 0xff00ff00, 0x8000ffff];

/** Derives a per-case seed from the run seed and the case index, so one case is reproducible alone. */
export function caseSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
