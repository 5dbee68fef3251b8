/**
 * The x87 register file: eight physical 80-bit registers addressed relative to TOP, their empty bits, and the
 * control and status words. The tag word is not stored: like the P6 (which keeps only an abridged tag), the
 * full 2-bit tags are derived from register contents whenever they are read.
 */
import { classify, Cls, F80, f80 } from './f80';
import { BUSY, CC_MASK, Ctx, ES } from './status';

export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

export class X87State {
  readonly se = new Uint16Array(8);
  readonly hi = new Uint32Array(8);
  readonly lo = new Uint32Array(8);
  /** 1 = empty, by physical register number. */
  readonly empty = new Uint8Array(8).fill(1);
  cw = 0x37f;
  /** Status word without TOP (bits 13..11 are kept in `top`). */
  sw = 0;
  top = 0;
  /** Last instruction/data pointers and opcode, for FSTENV/FSAVE. */
  fip = 0;
  fcs = 0;
  fdp = 0;
  fds = 0;
  fop = 0;

  init(): void {
    this.cw = 0x37f;
    this.sw = 0;
    this.top = 0;
    this.empty.fill(1);
    this.fip = this.fcs = this.fdp = this.fds = this.fop = 0;
  }

  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return this.empty[(this.top + i) & 7] !== 0;
  }

  get(i: number): F80 {
    const p = (this.top + i) & 7;
    return f80(this.se[p], this.hi[p], this.lo[p]);
  }

  getPhys(p: number): F80 {
    return f80(this.se[p], this.hi[p], this.lo[p]);
  }

  set(i: number, v: F80): void {
    this.setPhys((this.top + i) & 7, v);
  }

  setPhys(p: number, v: F80): void {
    this.se[p] = v.se;
    this.hi[p] = v.hi;
    this.lo[p] = v.lo;
    this.empty[p] = 0;
  }

  push(v: F80): void {
    this.top = (this.top - 1) & 7;
    this.set(0, v);
  }

  pop(): void {
    this.empty[this.top] = 1;
    this.top = (this.top + 1) & 7;
  }

  /** Full status word with TOP. */
  get status(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  set status(v: number) {
    this.top = (v >>> 11) & 7;
    this.sw = v & ~0x3800 & 0xffff;
  }

  tagOf(p: number): number {
    if (this.empty[p]) return TAG_EMPTY;
    switch (classify(this.getPhys(p))) {
      case Cls.Normal:
        return TAG_VALID;
      case Cls.Zero:
        return TAG_ZERO;
      default:
        return TAG_SPECIAL;
    }
  }

  get tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.tagOf(p) << (2 * p);
    return tw;
  }

  /** Only "empty or not" survives a tag-word load; the rest is recomputed from contents when read. */
  set tagWord(tw: number) {
    for (let p = 0; p < 8; p++) this.empty[p] = ((tw >>> (2 * p)) & 3) === 3 ? 1 : 0;
  }

  /** ES and B summarise the exception flags not masked by the control word (B mirrors ES since the 387). */
  updateSummary(): void {
    if (this.sw & ~this.cw & 0x3f) this.sw |= ES | BUSY;
    else this.sw &= ~(ES | BUSY);
  }

  /** Folds an instruction's exceptions into the status word; C1 is replaced, C0/C2/C3 untouched. */
  report(ctx: Ctx): void {
    if (ctx.c1 >= 0) this.sw = (this.sw & ~0x200) | (ctx.c1 ? 0x200 : 0);
    this.sw |= ctx.flags & 0x7f;
    if (this.sw & ~this.cw & 0x3f) this.sw |= ES | BUSY;
  }

  setCC(c: number): void {
    this.sw = (this.sw & ~CC_MASK) | c;
  }
}
