import { CpuidFeature, Mnemonic } from 'iced-x86';

/**
 * The CPUID features of the CPU Ringside models for the decoder: a Pentium Pro-class i686 with an x87 and
 * without MMX/SSE/3DNow!/AVX or later extensions. An instruction iced-x86 tags with any feature outside this set
 * is #UD on that CPU, so the decoder must report it invalid (length 0).
 *
 * Choices where the i686 line is blurry (written down in README.md):
 * - SEP (SYSENTER/SYSEXIT) is in: the P6 family implements it (Pentium II; the Pentium Pro's SEP bit is a
 *   known erratum, but the opcodes decode there too).
 * - MULTIBYTENOP (0F 1F /0 and the 0F 18-1F hint space decoded as NOP) is in: the SDM gives it to family 6.
 * - PAUSE (F3 90) is in: it is REP NOP on every i686, same length and operands.
 * - FXSR (FXSAVE/FXRSTOR), CLFSH, SSE and up are out.
 */
export const I686_FEATURES: ReadonlySet<number> = new Set<number>([
  CpuidFeature.INTEL8086,
  CpuidFeature.INTEL186,
  CpuidFeature.INTEL286,
  CpuidFeature.INTEL386,
  CpuidFeature.INTEL486,
  CpuidFeature.FPU,
  CpuidFeature.FPU287,
  CpuidFeature.FPU387,
  CpuidFeature.CMOV,
  CpuidFeature.CPUID,
  CpuidFeature.CX8,
  CpuidFeature.MSR,
  CpuidFeature.TSC,
  CpuidFeature.RDPMC,
  CpuidFeature.SEP,
  CpuidFeature.MULTIBYTENOP,
  CpuidFeature.PAUSE,
  CpuidFeature.SMM,
]);

/**
 * VMCALL (0F 01 C1) is in although iced tags it VMX: it is Ringside's hypercall instruction, decoded (and #UD
 * unless the monitor offers hypercalls at CPL 0) by the CPU model; see src/vmm/cpu/ops/hypercall.ts.
 */
export const RINGSIDE_EXTRA: ReadonlySet<Mnemonic> = new Set<Mnemonic>([Mnemonic.Vmcall]);

export function isI686(features: Int32Array, mnemonic?: Mnemonic): boolean {
  if (mnemonic !== undefined && RINGSIDE_EXTRA.has(mnemonic)) return true;
  for (let i = 0; i < features.length; i++) if (!I686_FEATURES.has(features[i])) return false;
  return true;
}
