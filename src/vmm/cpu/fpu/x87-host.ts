/**
 * The contract between the integer CPU and the x87 FPU. The CPU decodes an escape opcode (D8-DF) with its
 * ModRM byte, checks CR0.EM/CR0.TS (#NM is the CPU's business), computes the effective linear address for
 * memory forms, and calls `X87.execute`. Memory goes through the host so paging, segment checks and faults
 * stay in one place: the host's accessors throw the CPU's fault object, which the FPU must not catch.
 */
export interface X87Host {
  read8(linear: number): number;
  read16(linear: number): number;
  read32(linear: number): number;
  write8(linear: number, value: number): void;
  write16(linear: number, value: number): void;
  write32(linear: number, value: number): void;
  /** Checks a whole range for writability before a multi-part store, so a fault leaves memory untouched. */
  probeWrite(linear: number, length: number): void;
  /** True for 32-bit operand size of the current instruction (FSTENV/FSAVE/FLDENV/FRSTOR image layout). */
  operandSize32(): boolean;
  /** True in protected mode (not V86): selects the protected-mode environment image layout. */
  protectedMode(): boolean;
  /** An unmasked x87 exception is pending at a waiting instruction: the CPU raises #MF (or IRQ 13 if CR0.NE=0). */
  raiseMathFault(): void;

  // Added by the FPU (additive, optional so older hosts still compile). The FPU throws X87HostMissing if an
  // instruction needs one of these and the host lacks it.

  /** FCMOVcc: the current EFLAGS (only CF, PF and ZF are read). */
  readEflags?(): number;
  /** FCOMI/FCOMIP/FUCOMI/FUCOMIP: set ZF, PF, CF to the given bits (0/1) and clear OF, SF, AF. */
  setCompareFlags?(zf: number, pf: number, cf: number): void;
  /** FNSTSW AX: write the 16-bit value to AX. */
  writeAX?(value: number): void;
  /**
   * A reserved x87 encoding (e.g. FISTTP, which is SSE3 and #UD on a Pentium Pro): raise #UD; must throw.
   * Without it, the FPU throws X87InvalidOpcode. Called before any state changes.
   */
  raiseInvalidOpcode?(): void;
  /**
   * For FSTENV/FSAVE: CS selector and EIP of the current x87 instruction, and the selector and offset
   * (not linear address) of its memory operand. Without it, those image fields are stored as 0.
   */
  instructionPointers?(): { cs: number; eip: number; ds: number; offset: number };
}

/** Thrown when the host has no raiseInvalidOpcode(): the encoding is reserved on a Pentium Pro (#UD). */
export class X87InvalidOpcode extends Error {
  constructor(readonly opcode: number, readonly modrm: number) {
    super(`x87 reserved encoding ${opcode.toString(16)} ${modrm.toString(16)} (#UD)`);
  }
}

/** Thrown when an instruction needs an optional X87Host method the host does not implement. */
export class X87HostMissing extends Error {}

/** Register state as the debugger shows it: ST(i) as 80-bit values, relative to TOP. */
export interface X87Snapshot {
  cw: number;
  sw: number;
  /** Full 2-bit-per-register tag word. */
  tw: number;
  /** ST(0)..ST(7), each 10 bytes little-endian (significand low byte first, sign/exponent last). */
  st: Uint8Array[];
  /** ST(i) converted to a JS number, for display. */
  stValues: number[];
}

export interface X87 {
  /** Executes one escape instruction. `ea` is the linear address for memory forms (ModRM.mod != 3), else 0. */
  execute(host: X87Host, opcode: number, modrm: number, ea: number): void;
  /**
   * FWAIT/WAIT and the implicit check of every waiting x87 instruction: if an unmasked exception is pending,
   * calls host.raiseMathFault(), which throws #MF (CR0.NE=1) or signals FERR# and returns (CR0.NE=0).
   */
  checkPendingFault(host: X87Host): void;
  /** FNINIT state (what RESET and INIT leave, after the CPU sets CW=0x37F / 0x40 per mode). */
  reset(): void;
  snapshot(): X87Snapshot;
}
