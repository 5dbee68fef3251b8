/** A few IA-32 instructions as hex, for the shadow tests' guest code (absolute addressing only). */
const le = (v: number): string =>
  [0, 8, 16, 24].map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, '0')).join('');

const REG = { eax: 0, ecx: 1, edx: 2, ebx: 3, esp: 4, ebp: 5, esi: 6, edi: 7 } as const;
type Reg = keyof typeof REG;

export const load = (r: Reg, addr: number): string => '8b' + (0x05 | (REG[r] << 3)).toString(16).padStart(2, '0') + le(addr);
export const store = (addr: number, imm: number): string => 'c705' + le(addr) + le(imm);
export const invlpg = (addr: number): string => '0f013d' + le(addr);
export const movEax = (imm: number): string => 'b8' + le(imm);
export const setCr3 = (pd: number): string => movEax(pd) + '0f22d8';
/** CR0 |= bits / CR0 &= ~bits (through EAX). */
export const cr0Or = (bits: number): string => '0f20c0' + '0d' + le(bits) + '0f22c0';
export const cr4Or = (bits: number): string => '0f20e0' + '0d' + le(bits) + '0f22e0';
export const cr4And = (mask: number): string => '0f20e0' + '25' + le(mask) + '0f22e0';
export const hlt = 'f4';
