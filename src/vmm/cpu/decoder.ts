import type { DecodedInstruction, DecodedOperand } from './testing/contracts';
import { BY_GROUP, BY_MODRM, BY_OP, OPINFO, OpInfo, LOCKABLE } from './dispatch';
import type { OpcodeEntry } from './opcode-table';
import { x87Form } from './x87-table';

/**
 * A stand-alone decoder derived from the opcode table: the operand forms of each entry say what follows
 * the opcode, so the length and operands come out of the same table the interpreter executes. Used by the
 * disassembler views and the differential tests; the interpreter itself decodes as it executes.
 */

const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const SEG_PREFIX: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };

export interface DecodeResult extends DecodedInstruction {
  entry: OpcodeEntry | null;
  /** Effective operand/address size in bits. */
  osz: 16 | 32;
  asz: 16 | 32;
  rep: number;
  lock: boolean;
}

const INVALID = (): DecodeResult => ({ length: 0, mnemonic: '(bad)', operands: [], entry: null, osz: 32, asz: 32, rep: 0, lock: false });

class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, start: number) {
    this.pos = start;
  }
  u8(): number {
    if (this.pos >= this.b.length) throw new RangeError('truncated');
    return this.b[this.pos++];
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
}

/** Opcodes whose Ew operand holds a selector or machine status word: MOV Sreg, group 0F 00, LMSW/SMSW, LAR, LSL. */
const SELECTOR_OPS = new Set([0x8e, 0x100, 0x101, 0x102, 0x103]);

export function decode(bytes: Uint8Array, offset: number, bits: 16 | 32, eip: number): DecodeResult {
  try {
    return decodeUnsafe(bytes, offset, bits, eip);
  } catch (e) {
    if (e instanceof RangeError) return INVALID();
    throw e;
  }
}

function decodeUnsafe(bytes: Uint8Array, offset: number, bits: 16 | 32, eip: number): DecodeResult {
  const r = new Reader(bytes, offset);
  let osz32 = bits === 32;
  let asz32 = bits === 32;
  let seg = -1;
  let rep = 0;
  let lock = false;
  let op: number;
  for (;;) {
    if (r.pos - offset >= 15) return INVALID();
    const b = r.u8();
    if (b in SEG_PREFIX) seg = SEG_PREFIX[b];
    else if (b === 0x66) osz32 = bits !== 32;
    else if (b === 0x67) asz32 = bits !== 32;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2 || b === 0xf3) rep = b;
    else {
      op = b === 0x0f ? 0x100 | r.u8() : b;
      break;
    }
  }
  const info = OPINFO[op];
  let modrm = -1;
  let entry: OpcodeEntry | undefined;
  if (info & OpInfo.Modrm) {
    modrm = r.u8();
    entry = info & OpInfo.Group ? BY_MODRM.get((op << 8) | modrm) ?? BY_GROUP[(op << 3) | ((modrm >> 3) & 7)] : BY_OP[op];
  } else entry = BY_OP[op];
  if (!entry || entry.prefix) return INVALID();
  // Whole-ModRM entries (VMCALL) are #UD with a 66, F2 or F3 prefix: those prefixes select other instructions.
  if (entry.modrm >= 0 && (rep !== 0 || osz32 !== (bits === 32))) return INVALID();
  if (lock && (modrm < 0 || modrm >= 0xc0 || LOCKABLE[(op << 3) | ((modrm >> 3) & 7)] === 0)) return INVALID();
  const osz = osz32 ? 4 : 2;
  const ops: DecodedOperand[] = [];
  let relAt = -1;
  let rel = 0;
  const segName = (def: number): string => SEG[seg >= 0 ? seg : def];

  const memOperand = (size: number): DecodedOperand => {
    const mod = modrm >> 6;
    const rm = modrm & 7;
    const o: DecodedOperand = { kind: 'mem', size };
    let defSeg = 3;
    if (asz32) {
      if (rm === 4) {
        const sib = r.u8();
        const base = sib & 7;
        const index = (sib >> 3) & 7;
        if (base === 5 && mod === 0) o.disp = r.u32();
        else {
          o.base = R32[base];
          if (base === 4 || base === 5) defSeg = 2;
        }
        if (index !== 4) {
          o.index = R32[index];
          o.scale = 1 << (sib >> 6);
        }
      } else if (rm === 5 && mod === 0) o.disp = r.u32();
      else {
        o.base = R32[rm];
        if (rm === 5) defSeg = 2;
      }
      if (mod === 1) o.disp = ((((r.u8() << 24) >> 24) >>> 0) + (o.disp ?? 0)) >>> 0;
      else if (mod === 2) o.disp = r.u32();
    } else {
      const pairs: [string | undefined, string | undefined][] = [
        ['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si', undefined], ['di', undefined], ['bp', undefined], ['bx', undefined],
      ];
      if (rm === 6 && mod === 0) o.disp = r.u16();
      else {
        [o.base, o.index] = pairs[rm];
        if (o.index) o.scale = 1;
        if (rm === 2 || rm === 3 || rm === 6) defSeg = 2;
      }
      if (mod === 1) o.disp = (((r.u8() << 24) >> 24) & 0xffff) >>> 0;
      else if (mod === 2) o.disp = r.u16();
    }
    if (o.disp === undefined) o.disp = 0;
    o.seg = segName(defSeg);
    return o;
  };

  const regName = (n: number, size: number): string => (size === 1 ? R8[n] : size === 2 ? R16[n] : R32[n]);
  const rmOperand = (size: number): DecodedOperand =>
    modrm >= 0xc0 ? { kind: 'reg', reg: regName(modrm & 7, size) } : memOperand(size);
  const imm = (size: number, signExtTo = 0): DecodedOperand => {
    let v = size === 1 ? r.u8() : size === 2 ? r.u16() : r.u32();
    if (signExtTo) {
      v = (v << 24) >> 24;
      v = signExtTo === 2 ? v & 0xffff : v >>> 0;
    }
    return { kind: 'imm', imm: v >>> 0 };
  };

  let mnemonic = entry.mnemonic;
  if (mnemonic.includes('|')) mnemonic = mnemonic.split('|')[osz32 ? 1 : 0];
  if (op === 0xe3) mnemonic = asz32 ? 'jecxz' : 'jcxz';

  if (entry.operands === 'X87') {
    const f = x87Form(op, modrm);
    if (!f) return INVALID();
    mnemonic = f.mnemonic;
    // The environment and state images are smaller with a 16-bit operand size (SDM vol. 1, 8.1.10 and 8.1.11).
    let memSize = f.memSize;
    if (!osz32 && (mnemonic === 'fnsave' || mnemonic === 'frstor')) memSize = 94;
    if (!osz32 && (mnemonic === 'fnstenv' || mnemonic === 'fldenv')) memSize = 14;
    if (modrm < 0xc0) ops.push(memOperand(memSize));
    else for (const reg of f.regs) ops.push({ kind: 'reg', reg });
  } else if (entry.operands) {
    for (const form of entry.operands.split(',')) {
      const k = form[0];
      switch (form) {
        case 'AL': ops.push({ kind: 'reg', reg: 'al' }); continue;
        case 'CL': ops.push({ kind: 'reg', reg: 'cl' }); continue;
        case 'DX': ops.push({ kind: 'reg', reg: 'dx' }); continue;
        case 'eAX': ops.push({ kind: 'reg', reg: osz32 ? 'eax' : 'ax' }); continue;
        case '1': ops.push({ kind: 'imm', imm: 1 }); continue;
        case 'ES': case 'CS': case 'SS': case 'DS': case 'FS': case 'GS':
          ops.push({ kind: 'reg', reg: form.toLowerCase() });
          continue;
        case 'Ib': ops.push(imm(1)); continue;
        case 'Iw': ops.push(imm(2)); continue;
        case 'Iz': ops.push(imm(osz)); continue;
        case 'Ibs': ops.push(imm(1, osz)); continue;
        case 'Jb': rel = (r.u8() << 24) >> 24; relAt = ops.length; ops.push({ kind: 'rel' }); continue;
        case 'Jz': rel = osz32 ? r.u32() | 0 : (r.u16() << 16) >> 16; relAt = ops.length; ops.push({ kind: 'rel' }); continue;
        case 'Ap': {
          const off = osz32 ? r.u32() : r.u16();
          ops.push({ kind: 'farptr', offset: off, selector: r.u16() });
          continue;
        }
        case 'Ob': case 'Ov':
          ops.push({ kind: 'mem', seg: segName(3), disp: asz32 ? r.u32() : r.u16(), size: form === 'Ob' ? 1 : osz });
          continue;
        case 'Xb': case 'Xv':
          ops.push({ kind: 'mem', seg: segName(3), base: asz32 ? 'esi' : 'si', disp: 0, size: form === 'Xb' ? 1 : osz });
          continue;
        case 'Yb': case 'Yv':
          ops.push({ kind: 'mem', seg: 'es', base: asz32 ? 'edi' : 'di', disp: 0, size: form === 'Yb' ? 1 : osz });
          continue;
        case 'Zb': ops.push({ kind: 'reg', reg: R8[op & 7] }); continue;
        case 'Zv': ops.push({ kind: 'reg', reg: regName(op & 7, osz) }); continue;
        case 'Zd': ops.push({ kind: 'reg', reg: R32[op & 7] }); continue;
        case 'Sw': {
          const s = (modrm >> 3) & 7;
          if (s > 5 || (op === 0x8e && s === 1)) return INVALID();
          ops.push({ kind: 'reg', reg: SEG[s] });
          continue;
        }
        case 'Rd': ops.push({ kind: 'reg', reg: R32[modrm & 7] }); continue;
        case 'Cd': {
          const n = (modrm >> 3) & 7;
          if (n === 1 || n > 4) return INVALID();
          ops.push({ kind: 'reg', reg: 'cr' + n });
          continue;
        }
        case 'Dd': ops.push({ kind: 'reg', reg: 'dr' + ((modrm >> 3) & 7) }); continue;
        default:
          break;
      }
      const size = form.length > 1 ? form[1] : '';
      const sz = size === 'b' ? 1 : size === 'w' ? 2 : size === 'd' ? 4 : size === 'v' ? osz : 0;
      if (k === 'E') {
        // Selector-sized operands: a store is always 16 bits, but a register operand is named by the operand size.
        if (SELECTOR_OPS.has(op) && form === 'Ew' && modrm >= 0xc0) ops.push({ kind: 'reg', reg: regName(modrm & 7, osz) });
        else if (op === 0x8c && modrm < 0xc0) ops.push(memOperand(2));
        else ops.push(rmOperand(sz));
      }
      else if (k === 'G') ops.push({ kind: 'reg', reg: regName((modrm >> 3) & 7, sz) });
      else if (k === 'M') {
        if (modrm >= 0xc0) return INVALID();
        const msz = size === 'p' ? osz + 2 : size === 'a' ? osz * 2 : size === 's' ? 6 : size === 'q' ? 8 : sz;
        // INVLPG names a byte but reads nothing: report no access size.
        ops.push(memOperand(form === 'M' || mnemonic === 'invlpg' ? 0 : msz));
      } else throw new Error(`opcode table: unknown operand form ${form}`);
    }
  }
  const length = r.pos - offset;
  if (relAt >= 0) {
    const t = (eip + length + rel) >>> 0;
    ops[relAt].target = osz32 ? t : t & 0xffff;
  }
  return { length, mnemonic, operands: ops, entry, osz: osz32 ? 32 : 16, asz: asz32 ? 32 : 16, rep, lock };
}
