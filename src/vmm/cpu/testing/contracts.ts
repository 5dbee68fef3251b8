/**
 * Contracts for differential testing of the CPU against a real x86 (the native oracle in
 * ../shared/anchors/native-oracle) and of the decoder against iced-x86. The CPU side implements them in
 * this folder; the tests in test/unit/cpu-diff drive them.
 */

/**
 * One user-mode test case, with the oracle's semantics (see native-oracle/README.md): code at 0x10000000
 * (2 pages, read+execute, followed by an exit), data region 0x20000000-0x2000ffff (zero-filled, read+write),
 * everything else unmapped; CPL 3 with flat segments CS=0x23, DS=ES=SS=0x2b (base 0, limit 4 GiB), FS=GS=0.
 */
export interface FlatUserCase {
  code: Uint8Array;
  /** eax, ecx, edx, ebx, esp, ebp, esi, edi. */
  regs: number[];
  /** Initial EFLAGS (already masked to CF PF AF ZF SF DF OF AC by the caller; IF=1 is added). */
  eflags: number;
  /** Bytes preloaded into the data region. */
  mem: { addr: number; bytes: Uint8Array }[];
  readonlyPages: number[];
  unmappedPages: number[];
  /** Optional x87 preload: control, status, tag words and ST(0..7) as 10-byte little-endian values. */
  fpu?: { cw: number; sw?: number; tw?: number; st: Uint8Array[] };
  /** Instruction budget; running out is reported as status 'timeout'. */
  maxInstructions: number;
}

export interface FlatUserResult {
  status: 'ok' | 'exception' | 'timeout' | 'syscall';
  /** For 'exception': the vector, error code (0 if none), and CR2 for #PF. */
  vector?: number;
  errorCode?: number;
  cr2?: number;
  /** Final EIP as a linear address. */
  eip: number;
  regs: number[];
  eflags: number;
  /** Final contents of the data region (64 KiB). */
  data: Uint8Array;
  fpu: { cw: number; sw: number; tw: number; st: Uint8Array[] };
}

/** Decoder view of one instruction, normalized so it can be compared with iced-x86. */
export interface DecodedOperand {
  kind: 'reg' | 'mem' | 'imm' | 'rel' | 'farptr';
  /** Register name in lower case for 'reg' (eax, ax, al, es, cr0, dr7, st0 ...). */
  reg?: string;
  /** For 'mem': segment register used (after overrides and defaults), base, index, scale, displacement. */
  seg?: string;
  base?: string;
  index?: string;
  scale?: number;
  disp?: number;
  /** Access size in bytes for 'mem' (0 if not applicable, e.g. LEA). */
  size?: number;
  /** For 'imm': the value as the instruction uses it (sign-extended to the operand size, unsigned 32-bit). */
  imm?: number;
  /** For 'rel': the branch target EIP (unsigned, wrapped to the operand size). */
  target?: number;
  /** For 'farptr': selector and offset. */
  selector?: number;
  offset?: number;
}

export interface DecodedInstruction {
  /** Length in bytes, or 0 if the bytes are not a valid instruction (#UD) for an i686 without SSE/MMX. */
  length: number;
  /** Mnemonic in lower case as the opcode table names it. */
  mnemonic: string;
  operands: DecodedOperand[];
}
