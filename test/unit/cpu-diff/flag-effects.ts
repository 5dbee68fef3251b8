import { AF, CF, OF, PF, SF, ZF, STATUS_FLAGS } from './layout';

/**
 * What one instruction does to the status flags, as the Intel SDM (Vol. 2, "Flags Affected") states it:
 * `def` = flags given architecturally defined values, `undef` = flags the manual leaves undefined. A flag in
 * neither is unaffected. The comparison masks, per case, exactly the flags that are undefined at the point the
 * stream stopped (replaying these effects in order), so nothing else is ever masked.
 *
 * For the x87, `swDef`/`swUndef` do the same for the condition codes C0-C3 of the status word.
 */
export interface FlagFx {
  def: number;
  undef: number;
  swDef?: number;
  swUndef?: number;
}

const ALL = STATUS_FLAGS;
const fx = (def: number, undef: number): FlagFx => ({ def, undef });

export const FX = {
  /** MOV, LEA, XCHG, BSWAP, MOVSX/ZX, PUSH/POP, CMOVcc, SETcc, Jcc, NOT, CBW..., LOOP, string moves. */
  none: fx(0, 0),
  /** ADD ADC SUB SBB CMP NEG, CMPXCHG, XADD, CMPS/SCAS: all six defined. */
  arith: fx(ALL, 0),
  /** INC/DEC: CF unaffected. */
  incdec: fx(OF | SF | ZF | AF | PF, 0),
  /** AND OR XOR TEST: "OF and CF cleared; SF, ZF, PF per result; AF undefined". */
  logic: fx(CF | OF | SF | ZF | PF, AF),
  /** SHL/SHR/SAR with masked count 1: "OF affected only for 1-bit shifts... For a non-zero count, AF undefined". */
  shift1: fx(CF | OF | SF | ZF | PF, AF),
  /** SHL/SHR/SAR with masked count 2..(size-1), and SAR with any larger count (SDM names only SHL/SHR for CF). */
  shiftN: fx(CF | SF | ZF | PF, OF | AF),
  /** SHL/SHR of an 8/16-bit operand with masked count >= size: "CF undefined for SHL and SHR ... count >= size". */
  shiftBig: fx(SF | ZF | PF, CF | OF | AF),
  /** ROL/ROR/RCL/RCR with masked count 1: CF and OF defined, others unaffected. */
  rot1: fx(CF | OF, 0),
  /**
   * Rotates with masked count > 1: "The OF flag is defined only for the 1-bit rotates; it is undefined in all
   * other cases". CF is written (for RCL/RCR a count that is a multiple of 9/17 leaves it equal to its input).
   */
  rotN: fx(CF, OF),
  /** SHLD/SHRD count 1: CF, OF, SF, ZF, PF defined, AF undefined ("If a shift occurs, AF undefined"). */
  shd1: fx(CF | OF | SF | ZF | PF, AF),
  /** SHLD/SHRD count 2..size: OF undefined too. */
  shdN: fx(CF | SF | ZF | PF, OF | AF),
  /** SHLD/SHRD (16-bit) count > 16: "the result is undefined ... flags are undefined" (the register too). */
  shdBig: fx(0, ALL),
  /** MUL, IMUL (all forms): CF/OF defined; "The SF, ZF, AF, and PF flags are undefined." */
  mul: fx(CF | OF, SF | ZF | AF | PF),
  /** DIV/IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined." (Only when no #DE.) */
  div: fx(0, ALL),
  /** BT/BTS/BTR/BTC: "CF ... The ZF flag is unaffected. The OF, SF, AF, and PF flags are undefined." */
  bt: fx(CF, OF | SF | AF | PF),
  /** BSF/BSR: "ZF ... The CF, OF, SF, AF, and PF flags are undefined." */
  bscan: fx(ZF, CF | OF | SF | AF | PF),
  /** AAA/AAS: "AF and CF set if adjust...; OF, SF, ZF, and PF undefined." */
  aaa: fx(AF | CF, OF | SF | ZF | PF),
  /** AAM/AAD: "SF, ZF, PF per result. OF, AF, and CF undefined." */
  aam: fx(SF | ZF | PF, OF | AF | CF),
  /** DAA/DAS: "CF and AF set if adjust...; SF, ZF, PF per result. OF undefined." */
  daa: fx(CF | AF | SF | ZF | PF, OF),
  /** SAHF: loads SF ZF AF PF CF from AH; OF unaffected. */
  sahf: fx(SF | ZF | AF | PF | CF, 0),
  /** POPF/IRET and the like, and CLC/STC/CMC (CF only) - see clc. */
  popf: fx(ALL, 0),
  clc: fx(CF, 0),
  /** CMPXCHG8B: "ZF set if equal... CF, PF, AF, SF, OF unaffected." */
  cx8: fx(ZF, 0),
  /** NEG defines all six (CF = source != 0). Same as arith, named for readability in the generators. */
  neg: fx(ALL, 0),
} as const;

/** x87 condition code bits in the status word. */
export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
export const CC_ALL = C0 | C1 | C2 | C3;

/** x87 flag effects: the SDM's "FPU Flags Affected" per instruction group. */
export const FPX = {
  /** FLD/FST/arith: "C1 set to 0 if stack underflow ... set if rounded up; C0, C2, C3 undefined." */
  arith: { def: 0, undef: 0, swDef: C1, swUndef: C0 | C2 | C3 } as FlagFx,
  /** FCOM/FUCOM/FTST: C0 C2 C3 per comparison, C1 "set to 0" (or stack underflow indication). */
  compare: { def: 0, undef: 0, swDef: CC_ALL, swUndef: 0 } as FlagFx,
  /** FCOMI/FUCOMI(P): ZF PF CF per comparison, OF SF AF cleared; x87: "C1 set to 0; C0, C2, C3 not affected". */
  comi: { def: ALL, undef: 0, swDef: C1, swUndef: 0 } as FlagFx,
  /** FXAM: all four defined. FLDCW/FNINIT/FNCLEX: C0-C3 (FNINIT clears, FNCLEX undefined). */
  exam: { def: 0, undef: 0, swDef: CC_ALL, swUndef: 0 } as FlagFx,
  fnclex: { def: 0, undef: 0, swDef: 0, swUndef: CC_ALL } as FlagFx,
  /** FLDCW, FINCSTP/FDECSTP (C1 cleared), FFREE, FNOP, FWAIT: "C0, C2, C3 undefined" for most of these. */
  control: { def: 0, undef: 0, swDef: 0, swUndef: C0 | C2 | C3 } as FlagFx,
  /** FPREM/FPREM1: all four defined (quotient bits and C2 = incomplete). */
  prem: { def: 0, undef: 0, swDef: CC_ALL, swUndef: 0 } as FlagFx,
  /** FXCH: C1 set to 0 (or underflow), C0 C2 C3 undefined. */
  xch: { def: 0, undef: 0, swDef: C1, swUndef: C0 | C2 | C3 } as FlagFx,
  /** FNSTSW/FNSTCW/FNSTENV: no change. */
  none: { def: 0, undef: 0, swDef: 0, swUndef: 0 } as FlagFx,
} as const;

/**
 * Replays the effects of the instructions that completed, in order, and returns the status flags and x87 condition
 * codes that are undefined afterwards.
 */
export function undefinedAfter(effects: readonly FlagFx[]): { flags: number; sw: number } {
  let flags = 0;
  let sw = 0;
  for (const e of effects) {
    flags = (flags & ~e.def) | e.undef;
    sw = (sw & ~(e.swDef ?? 0)) | (e.swUndef ?? 0);
  }
  return { flags, sw };
}
