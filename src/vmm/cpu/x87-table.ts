/**
 * The x87 part of the opcode table (D8-DF): names and operand shapes for the decoder and disassembler.
 * Execution is the FPU's (fpu/x87.ts); the CPU only needs to know the instruction length, which ModRM gives.
 */

/** Memory forms: [mnemonic, operand bytes] per opcode (D8-DF) and ModRM.reg; null = invalid (#UD). */
const MEM: ([string, number] | null)[][] = [
  [['fadd', 4], ['fmul', 4], ['fcom', 4], ['fcomp', 4], ['fsub', 4], ['fsubr', 4], ['fdiv', 4], ['fdivr', 4]],
  [['fld', 4], null, ['fst', 4], ['fstp', 4], ['fldenv', 28], ['fldcw', 2], ['fnstenv', 28], ['fnstcw', 2]],
  [['fiadd', 4], ['fimul', 4], ['ficom', 4], ['ficomp', 4], ['fisub', 4], ['fisubr', 4], ['fidiv', 4], ['fidivr', 4]],
  [['fild', 4], null, ['fist', 4], ['fistp', 4], null, ['fld', 10], null, ['fstp', 10]],
  [['fadd', 8], ['fmul', 8], ['fcom', 8], ['fcomp', 8], ['fsub', 8], ['fsubr', 8], ['fdiv', 8], ['fdivr', 8]],
  [['fld', 8], null, ['fst', 8], ['fstp', 8], ['frstor', 108], null, ['fnsave', 108], ['fnstsw', 2]],
  [['fiadd', 2], ['fimul', 2], ['ficom', 2], ['ficomp', 2], ['fisub', 2], ['fisubr', 2], ['fidiv', 2], ['fidivr', 2]],
  [['fild', 2], null, ['fist', 2], ['fistp', 2], ['fbld', 10], ['fild', 8], ['fbstp', 10], ['fistp', 8]],
];

/**
 * Register forms by ModRM.reg (including the undocumented aliases every P6 executes: FSTPNCE, FCOM/FCOMP
 * at DC/DE, FXCH at DD/DF, FFREEP and FSTP at DF): [mnemonic, shape] with shape 'st0,sti' | 'sti,st0' | 'sti' | '' ; or a per-rm list. */
type RegForm = [string, string] | (string | null)[] | null;
const REG: RegForm[][] = [
  [['fadd', 'st0,sti'], ['fmul', 'st0,sti'], ['fcom', 'st0,sti'], ['fcomp', 'st0,sti'], ['fsub', 'st0,sti'], ['fsubr', 'st0,sti'], ['fdiv', 'st0,sti'], ['fdivr', 'st0,sti']],
  [
    ['fld', 'st0,sti'], ['fxch', 'st0,sti'], ['fnop', null, null, null, null, null, null, null], ['fstpnce', 'sti,st0'],
    ['fchs', 'fabs', null, null, 'ftst', 'fxam', null, null],
    ['fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz', null],
    ['f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp'],
    ['fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos'],
  ],
  [['fcmovb', 'st0,sti'], ['fcmove', 'st0,sti'], ['fcmovbe', 'st0,sti'], ['fcmovu', 'st0,sti'], null, [null, 'fucompp', null, null, null, null, null, null], null, null],
  [['fcmovnb', 'st0,sti'], ['fcmovne', 'st0,sti'], ['fcmovnbe', 'st0,sti'], ['fcmovnu', 'st0,sti'], ['feni', 'fdisi', 'fnclex', 'fninit', 'fsetpm', null, null, null], ['fucomi', 'st0,sti'], ['fcomi', 'st0,sti'], null],
  [['fadd', 'sti,st0'], ['fmul', 'sti,st0'], ['fcom', 'st0,sti'], ['fcomp', 'st0,sti'], ['fsubr', 'sti,st0'], ['fsub', 'sti,st0'], ['fdivr', 'sti,st0'], ['fdiv', 'sti,st0']],
  [['ffree', 'sti'], ['fxch', 'st0,sti'], ['fst', 'sti'], ['fstp', 'sti'], ['fucom', 'sti'], ['fucomp', 'sti'], null, null],
  [['faddp', 'sti,st0'], ['fmulp', 'sti,st0'], ['fcomp', 'st0,sti'], [null, 'fcompp', null, null, null, null, null, null], ['fsubrp', 'sti,st0'], ['fsubp', 'sti,st0'], ['fdivrp', 'sti,st0'], ['fdivp', 'sti,st0']],
  [['ffreep', 'sti'], ['fxch', 'st0,sti'], ['fstp', 'sti'], ['fstp', 'sti'], ['fnstsw', null, null, null, null, null, null, null], ['fucomip', 'st0,sti'], ['fcomip', 'st0,sti'], null],
];

export interface X87Form {
  mnemonic: string;
  /** Memory operand size in bytes (memory forms), or the register operand shape. */
  memSize: number;
  regs: string[];
}

/** Looks up an x87 escape; null if the encoding is invalid on this CPU. */
export function x87Form(opcode: number, modrm: number): X87Form | null {
  const e = opcode - 0xd8;
  const reg = (modrm >> 3) & 7;
  if (modrm < 0xc0) {
    const m = MEM[e][reg];
    return m ? { mnemonic: m[0], memSize: m[1], regs: [] } : null;
  }
  const f = REG[e][reg];
  if (!f) return null;
  const rm = modrm & 7;
  if (f.length === 8) {
    const name = f[rm];
    if (!name) return null;
    return { mnemonic: name, memSize: 0, regs: name === 'fnstsw' ? ['ax'] : [] };
  }
  const [name, shape] = f as [string, string];
  const regs = shape === 'st0,sti' ? ['st0', 'st' + rm] : shape === 'sti,st0' ? ['st' + rm, 'st0'] : ['st' + rm];
  return { mnemonic: name, memSize: 0, regs };
}
