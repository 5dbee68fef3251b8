/** Status-word bits, control-word fields and the per-instruction exception accumulator. */
export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const OE = 0x08;
export const UE = 0x10;
export const PE = 0x20;
export const SF = 0x40;
export const ES = 0x80;
export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
export const BUSY = 0x8000;
export const CC_MASK = C0 | C1 | C2 | C3;

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_CHOP = 3;

/** Exceptions raised before a result exists: when unmasked, the instruction changes nothing else. */
export const PRE_EXCEPTIONS = IE | DE | ZE;

/**
 * What one instruction reports: exception flags (IE..PE, SF) and the value for C1 (round-up indicator,
 * stack overflow vs underflow). Instructions build one, and the executor folds it into the status word.
 */
export class Ctx {
  flags = 0;
  /** New C1, or -1 to leave it unchanged (FCMOVcc, FCOMI: only a stack fault touches C1). */
  c1 = 0;
  constructor(readonly cw: number) {}

  get rc(): number {
    return (this.cw >>> 10) & 3;
  }

  /** Precision control as significand bits: 24, 53 or 64 (the reserved encoding 1 behaves as 64 here). */
  get pcBits(): number {
    const pc = (this.cw >>> 8) & 3;
    return pc === 0 ? 24 : pc === 2 ? 53 : 64;
  }

  masked(flag: number): boolean {
    return (this.cw & flag) !== 0;
  }

  /** True when an unmasked IE/DE/ZE has occurred: the operation must not deliver a result. */
  get aborted(): boolean {
    return (this.flags & PRE_EXCEPTIONS & ~this.cw) !== 0;
  }

  stackUnderflow(): void {
    this.flags |= IE | SF;
    this.c1 = 0;
  }

  stackOverflow(): void {
    this.flags |= IE | SF;
    this.c1 = 1;
  }
}
