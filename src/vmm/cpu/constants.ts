/** Architectural constants shared by the CPU's modules (IA-32 SDM vol. 3 names). */

export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
  /** The system segment registers share the selector/cache arrays with the data segments. */
  LDTR = 6,
  TR = 7,
}

export const enum R {
  EAX = 0,
  ECX = 1,
  EDX = 2,
  EBX = 3,
  ESP = 4,
  EBP = 5,
  ESI = 6,
  EDI = 7,
}

export const enum F {
  CF = 0x1,
  PF = 0x4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  TF = 0x100,
  IF = 0x200,
  DF = 0x400,
  OF = 0x800,
  IOPL = 0x3000,
  NT = 0x4000,
  RF = 0x10000,
  VM = 0x20000,
  AC = 0x40000,
  VIF = 0x80000,
  VIP = 0x100000,
  ID = 0x200000,
  /** The six arithmetic flags that lazy evaluation covers. */
  ARITH = 0x8d5,
  /** Bits a guest can ever see set (bit 1 always reads 1). */
  VALID = 0x3f7fd5,
}

export const enum CR0 {
  PE = 0x1,
  MP = 0x2,
  EM = 0x4,
  TS = 0x8,
  ET = 0x10,
  NE = 0x20,
  WP = 0x10000,
  AM = 0x40000,
  NW = 0x20000000,
  CD = 0x40000000,
  PG = 0x80000000,
}

export const enum CR4 {
  VME = 0x1,
  PVI = 0x2,
  TSD = 0x4,
  DE = 0x8,
  PSE = 0x10,
  PAE = 0x20,
  MCE = 0x40,
  PGE = 0x80,
  PCE = 0x100,
  /** What this CPU accepts; PAE and the SSE bits are absent, so setting them is #GP(0). */
  SUPPORTED = 0x1df,
}

export const enum Vec {
  DE = 0,
  DB = 1,
  NMI = 2,
  BP = 3,
  OF = 4,
  BR = 5,
  UD = 6,
  NM = 7,
  DF = 8,
  TS = 10,
  NP = 11,
  SS = 12,
  GP = 13,
  PF = 14,
  MF = 16,
  AC = 17,
  MC = 18,
}

/**
 * Descriptor access rights as kept in the hidden caches: bits 8..23 of a descriptor's high dword shifted
 * down (type 0-3, S 4, DPL 5-6, P 7, AVL 12, D/B 14, G 15), plus UNUSABLE for a null selector load.
 */
export const enum AR {
  TYPE = 0xf,
  ACCESSED = 0x1,
  /** Data: writable. Code: readable. */
  RW = 0x2,
  /** Data: expand-down. Code: conforming. */
  DC = 0x4,
  CODE = 0x8,
  S = 0x10,
  DPL_SHIFT = 5,
  P = 0x80,
  D = 0x4000,
  G = 0x8000,
  UNUSABLE = 0x10000,
}

/** Event kinds for interrupt delivery: they differ in privilege checks and the EIP pushed. */
export const enum EventKind {
  /** Fault or trap raised by the CPU itself (EIP already set to the right return point). */
  Exception = 0,
  /** INT n, INT3, INTO: gate DPL is checked against CPL. */
  Software = 1,
  External = 2,
  /** ICEBP (F1): like an exception, but not subject to the gate DPL check. */
  Icebp = 3,
}

/** Architectural MSRs this Pentium Pro-class CPU implements. */
export const enum Msr {
  TSC = 0x10,
  APIC_BASE = 0x1b,
  /** IA32_BIOS_SIGN_ID: the loaded microcode update's signature; we never load one, so it reads 0. */
  BIOS_SIGN_ID = 0x8b,
  SYSENTER_CS = 0x174,
  SYSENTER_ESP = 0x175,
  SYSENTER_EIP = 0x176,
}

/** Family 6, model 1, stepping 9: a Pentium Pro (stepping >= 3, so Linux trusts its SEP bit). */
export const CPUID_SIGNATURE = 0x619;
