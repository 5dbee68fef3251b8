import { Instruction, MemorySizeExt, Mnemonic, OpKind, Register } from 'iced-x86';
import type { DecodedOperand } from '../../../../src/vmm/cpu/testing/contracts';

/** Lower-case register names indexed by iced's Register enum (ST0..ST7 -> st0..st7, matching the contract). */
const REG_NAME: string[] = [];
for (const [k, v] of Object.entries(Register)) if (typeof v === 'number') REG_NAME[v] = k.toLowerCase();
const MNEMONIC_NAME: string[] = [];
for (const [k, v] of Object.entries(Mnemonic)) if (typeof v === 'number') MNEMONIC_NAME[v] = k.toLowerCase();

const REG16 = new Set([Register.BX, Register.BP, Register.SI, Register.DI]);

export function regName(r: Register): string | undefined {
  return r === Register.None ? undefined : REG_NAME[r];
}

export function mnemonicName(m: Mnemonic): string {
  return MNEMONIC_NAME[m] ?? String(m);
}

/**
 * iced-x86's operands in the contract's vocabulary (contracts.ts DecodedOperand). iced lists operands as the
 * SDM's instruction column does, including the implicit ones it spells out (shift by 1, string operands as
 * [seg:esi]/[es:edi], XLAT as [ebx+al], FXCH/FCOM as st0, sti); see README.md, "Decoder comparison".
 */
export function icedOperands(ins: Instruction): DecodedOperand[] {
  const out: DecodedOperand[] = [];
  const n = ins.opCount;
  for (let k = 0; k < n; k++) {
    const kind = ins.opKind(k);
    switch (kind) {
      case OpKind.Register: out.push({ kind: 'reg', reg: REG_NAME[ins.opRegister(k)] }); break;
      case OpKind.NearBranch16: out.push({ kind: 'rel', target: ins.nearBranch16 }); break;
      case OpKind.NearBranch32: out.push({ kind: 'rel', target: ins.nearBranch32 >>> 0 }); break;
      case OpKind.FarBranch16: out.push({ kind: 'farptr', selector: ins.farBranchSelector, offset: ins.farBranch16 }); break;
      case OpKind.FarBranch32: out.push({ kind: 'farptr', selector: ins.farBranchSelector, offset: ins.farBranch32 >>> 0 }); break;
      case OpKind.Immediate8: out.push({ kind: 'imm', imm: ins.immediate8 }); break;
      case OpKind.Immediate8_2nd: out.push({ kind: 'imm', imm: ins.immediate8_2nd }); break;
      case OpKind.Immediate16: out.push({ kind: 'imm', imm: ins.immediate16 }); break;
      case OpKind.Immediate32: out.push({ kind: 'imm', imm: ins.immediate32 >>> 0 }); break;
      case OpKind.Immediate8to16: out.push({ kind: 'imm', imm: ins.immediate8to16 & 0xffff }); break;
      case OpKind.Immediate8to32: out.push({ kind: 'imm', imm: ins.immediate8to32 >>> 0 }); break;
      case OpKind.MemorySegSI: case OpKind.MemorySegESI:
        out.push({ kind: 'mem', seg: REG_NAME[ins.memorySegment], base: kind === OpKind.MemorySegSI ? 'si' : 'esi',
          size: MemorySizeExt.size(ins.memorySize) });
        break;
      case OpKind.MemoryESDI: case OpKind.MemoryESEDI:
        out.push({ kind: 'mem', seg: 'es', base: kind === OpKind.MemoryESDI ? 'di' : 'edi', size: MemorySizeExt.size(ins.memorySize) });
        break;
      case OpKind.Memory: {
        const base = ins.memoryBase;
        const index = ins.memoryIndex;
        const a16 = REG16.has(base) || REG16.has(index) || (base === Register.None && index === Register.None && ins.memoryDisplSize === 2);
        const disp = Number(ins.memoryDisplacement & (a16 ? 0xffffn : 0xffffffffn));
        const op: DecodedOperand = { kind: 'mem', seg: REG_NAME[ins.memorySegment], disp, size: MemorySizeExt.size(ins.memorySize) };
        if (base !== Register.None) op.base = REG_NAME[base];
        if (index !== Register.None) {
          op.index = REG_NAME[index];
          op.scale = ins.memoryIndexScale;
        }
        out.push(op);
        break;
      }
      default:
        out.push({ kind: 'imm', imm: -1 }); // a kind an i686 decoder never produces (64-bit forms): always differs
    }
  }
  return out;
}

/** Differences between iced's operands and the CPU's (empty if they agree), comparing only meaningful fields. */
export function operandDiffs(exp: DecodedOperand[], act: DecodedOperand[], mnemonic = '', hintNop = false): string[] {
  const d: string[] = [];
  // Conventions where the SDM itself allows both spellings (README.md, "Decoder comparison"):
  if (hintNop) {
    // hint NOPs: only a memory r/m operand (its address form decides the length); nothing is accessed, so neither
    // its size nor a register operand is architectural (iced names F3 0F 1E register forms RDSSPD r32/ENDBR32).
    exp = exp.slice(0, 1).filter((o) => o.kind === 'mem').map((o) => ({ ...o, size: undefined }));
    act = act.slice(0, 1).filter((o) => o.kind === 'mem').map((o) => ({ ...o, size: undefined }));
  }
  if (mnemonic === 'xlatb' && act.length === 0) exp = []; // "XLATB" (no operand) or "XLAT m8"
  if (mnemonic === 'bswap' || mnemonic === 'arpl') {
    // BSWAP r16 is undefined and ARPL is only defined for r16: the register may carry either name.
    exp = exp.map((o) => (o.reg && o.reg.length === 2 ? { ...o, reg: 'e' + o.reg } : o));
    act = act.map((o) => (o.reg && o.reg.length === 2 ? { ...o, reg: 'e' + o.reg.toLowerCase() } : o));
  }
  if (mnemonic.startsWith('f') && Math.abs(exp.length - act.length) === 1) {
    // x87 register forms: "FCOM ST(i)" vs "FCOM ST(0), ST(i)" - an implicit ST(0) may be listed or not.
    const strip = (ops: DecodedOperand[]): DecodedOperand[] => {
      const i = ops.findIndex((o) => o.kind === 'reg' && o.reg === 'st0');
      return i < 0 ? ops : [...ops.slice(0, i), ...ops.slice(i + 1)];
    };
    if (exp.length > act.length) exp = strip(exp);
    else act = strip(act);
  }
  if (exp.length !== act.length) return [`operand count: iced ${exp.length}, cpu ${act.length}`];
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i];
    const a = act[i];
    const f = (field: string, x: unknown, y: unknown): void => {
      if (x !== y) d.push(`op${i}.${field}: iced ${fmt(x)}, cpu ${fmt(y)}`);
    };
    f('kind', e.kind, a.kind);
    if (e.kind !== a.kind) continue;
    switch (e.kind) {
      case 'reg': f('reg', e.reg, a.reg?.toLowerCase()); break;
      case 'imm': f('imm', e.imm, a.imm === undefined ? undefined : a.imm >>> 0); break;
      case 'rel': f('target', e.target, a.target === undefined ? undefined : a.target >>> 0); break;
      case 'farptr': f('selector', e.selector, a.selector); f('offset', e.offset, a.offset === undefined ? undefined : a.offset >>> 0); break;
      case 'mem': {
        f('seg', e.seg, a.seg?.toLowerCase());
        f('base', e.base, a.base?.toLowerCase() || undefined);
        f('index', e.index, a.index?.toLowerCase() || undefined);
        if (e.index) f('scale', e.scale, a.scale);
        if (e.disp !== undefined) {
          // The CPU may give the displacement signed or unsigned; compare it wrapped to the address size.
          const ad = a.disp === undefined ? 0 : isA16(e) ? a.disp & 0xffff : a.disp >>> 0;
          f('disp', e.disp, ad);
        }
        if (e.size !== undefined) f('size', e.size, a.size ?? 0);
        break;
      }
    }
  }
  return d;
}

function isA16(o: DecodedOperand): boolean {
  const r16 = ['bx', 'bp', 'si', 'di'];
  return r16.includes(o.base ?? '') || r16.includes(o.index ?? '');
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? '0x' + (v >>> 0).toString(16) : String(v);
}
