import { CF, DATA_BASE, DATA_END, STACK_TOP, STATUS_FLAGS, DF, AC } from '../layout';
import { FlagFx, FX } from '../flag-effects';
import { Rng } from './prng';

/** GPR numbers in encoding order (also the order of FlatUserCase.regs and the oracle's array form). */
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
export const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

export interface InstrMeta {
  off: number;
  len: number;
  fx: FlagFx;
  /** Generated on purpose as an invalid encoding (#UD expected), e.g. LOCK on a register operand. */
  ud?: boolean;
}

/** One generated test case, independent of both the oracle's wire format and the CPU's contract. */
export interface GenCase {
  cls: string;
  seed: number;
  code: Uint8Array;
  regs: number[];
  eflags: number;
  mem: { addr: number; bytes: Uint8Array }[];
  readonlyPages: number[];
  unmappedPages: number[];
  fpu?: { cw: number; sw?: number; tw?: number; st: Uint8Array[] };
  instrs: InstrMeta[];
  /** GPRs (bit i = register i) whose final value the SDM leaves undefined (e.g. BSF of 0, SHLD count > 16). */
  undefRegs: number;
}

/**
 * Builds one instruction stream. Registers are split per stream into *pointers* (hold data-region addresses,
 * never written by the stream, usable as base/index of memory operands) and *free* registers (random values,
 * the only ones instructions may write). ESP always points into the data region. That split is what guarantees
 * every generated address lands where we meant it to, without simulating the stream.
 */
export class StreamBuilder {
  readonly code: number[] = [];
  readonly instrs: InstrMeta[] = [];
  readonly regs: number[] = [];
  eflags: number;
  readonly mem: { addr: number; bytes: Uint8Array }[] = [];
  readonly readonlyPages: number[] = [];
  readonly unmappedPages: number[] = [];
  fpu: GenCase['fpu'];
  undefRegs = 0;
  /** Bit i: register i holds a pointer (or is otherwise pinned) and must not be written. ESP is always pinned. */
  pinned = 1 << ESP;
  /** Bit i: register i may have been written by an emitted instruction (its value is no longer known). */
  written = 0;
  /** Bit i: register i is written implicitly by the class's instructions (EAX for MUL...): never a pointer. */
  noPtr = 0;
  /** Flags currently undefined in the stream (an instruction reading them would make the result undefined). */
  undef = 0;
  /** x87 condition codes currently undefined. */
  swUndef = 0;

  constructor(readonly rng: Rng, readonly cls: string, readonly seed: number) {
    for (let i = 0; i < 8; i++) this.regs.push(rng.interesting());
    this.regs[ESP] = STACK_TOP;
    // DF and AC stay clear unless a generator asks: DF changes string ops (the string class sets it itself),
    // AC=1 turns misaligned accesses into #AC (the fault class covers that).
    this.eflags = rng.u32() & STATUS_FLAGS;
  }

  /** Free registers: neither pinned nor in `also`. */
  freeRegs(also = 0): number[] {
    const out: number[] = [];
    for (let r = 0; r < 8; r++) if (!((this.pinned | also) >> r & 1)) out.push(r);
    return out;
  }

  /** A free register an instruction is about to write (so it can no longer be pinned to a known value). */
  freeReg(also = 0): number {
    const f = this.freeRegs(also);
    if (f.length === 0) throw new Error('no free register');
    const r = this.rng.pick(f);
    this.written |= 1 << r;
    return r;
  }

  /** A free 8-bit register number (0-3 = AL..BL, 4-7 = AH..BH) whose containing 32-bit register is free. */
  freeReg8(also = 0): number {
    const f = this.freeRegs(also).filter((r) => r < 4);
    if (f.length === 0) throw new Error('no free byte register');
    const r = this.rng.pick(f);
    this.written |= 1 << r;
    return r + (this.rng.chance(0.5) ? 4 : 0);
  }

  /** Registers still holding their initial value that nothing in this class writes: candidates for pinning. */
  freshRegs(also = 0): number[] {
    return this.freeRegs(also | this.written | this.noPtr);
  }

  /** A fresh register (see freshRegs), or -1. */
  freshReg(also = 0): number {
    const f = this.freshRegs(also);
    return f.length ? this.rng.pick(f) : -1;
  }

  /** Pins register r to value v: no instruction of the stream writes it from now on. */
  pin(r: number, v: number): void {
    if (this.written >> r & 1) throw new Error(`pinning ${REG32[r]} after it was written`);
    this.regs[r] = v >>> 0;
    this.pinned |= 1 << r;
  }

  /** Makes a fresh pointer register into the data region, or returns -1 if no register is fresh. */
  pointer(avoid = 0, lo = 0x100, hi = 0xef00): number {
    const r = this.freshReg(avoid);
    if (r >= 0) this.pin(r, DATA_BASE + this.rng.range(lo, hi));
    return r;
  }

  pointers(): number[] {
    const out: number[] = [];
    for (let r = 0; r < 8; r++) if (r !== ESP && (this.pinned >> r & 1) && !(this.noPtr >> r & 1) && inDataReg(this.regs[r])) out.push(r);
    return out;
  }

  /** Writes bytes into the data region before the run. */
  poke(addr: number, bytes: Uint8Array | number[]): void {
    if (addr < DATA_BASE || addr + bytes.length > DATA_END) throw new Error(`poke outside data ${addr.toString(16)}`);
    this.mem.push({ addr, bytes: Uint8Array.from(bytes) });
  }

  /** Fills [addr, addr+len) with random bytes (clipped to the data region). */
  randomize(addr: number, len: number): void {
    const a = Math.max(addr, DATA_BASE);
    const e = Math.min(addr + len, DATA_END);
    if (e > a) this.poke(a, this.rng.bytes(e - a));
  }

  /**
   * Appends one instruction. `reads`: status flags it consumes; if any is undefined at this point, a CMP with
   * random operands is inserted first so the stream never depends on undefined values.
   */
  emit(bytes: readonly number[], fx: FlagFx = FX.none, reads = 0, ud = false): void {
    if (reads & this.undef) this.defineFlags();
    this.instrs.push(ud ? { off: this.code.length, len: bytes.length, fx, ud } : { off: this.code.length, len: bytes.length, fx });
    for (const b of bytes) this.code.push(b & 0xff);
    this.undef = (this.undef & ~fx.def) | fx.undef;
    this.swUndef = (this.swUndef & ~(fx.swDef ?? 0)) | (fx.swUndef ?? 0);
  }

  /** CMP r32, imm32 on a random register: rewrites all six status flags with defined values. */
  defineFlags(): void {
    const r = this.rng.int(8);
    this.emit([0x81, 0xf8 | r, ...le32(this.rng.interesting())], FX.arith);
  }

  get length(): number {
    return this.code.length;
  }

  build(): GenCase {
    return {
      cls: this.cls,
      seed: this.seed,
      code: Uint8Array.from(this.code),
      regs: this.regs.map((v) => v >>> 0),
      eflags: this.eflags & 0x40cd5,
      mem: this.mem,
      readonlyPages: this.readonlyPages,
      unmappedPages: this.unmappedPages,
      fpu: this.fpu,
      instrs: this.instrs,
      undefRegs: this.undefRegs,
    };
  }
}

export function inDataReg(v: number): boolean {
  return v >= DATA_BASE && v < DATA_END;
}

export function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Immediate bytes of `size` (1, 2 or 4). */
export function imm(v: number, size: number): number[] {
  return size === 1 ? [v & 0xff] : size === 2 ? le16(v) : le32(v);
}

export const FLAG_BITS = { CF, DF, AC };
