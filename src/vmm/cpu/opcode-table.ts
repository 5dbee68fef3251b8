import type { Handler } from './handler';
import { F } from './constants';

/**
 * The opcode table: the single source of truth about every instruction this CPU knows. The interpreter's
 * dispatch arrays (dispatch.ts), the decoder behind the disassembler and the differential tests
 * (decoder.ts), and later the translator are all derived from it.
 *
 * Operand forms (Intel opcode-map notation, lightly extended):
 *   Eb Ew Ed Ev      ModRM r/m operand (byte, word, dword, operand size)
 *   Gb Gw Gd Gv      ModRM reg operand
 *   M Mb Mw Md Mp Ma Ms Mq   memory-only r/m (none, 1, 2, 4, far pointer, BOUND pair, 6-byte table, 8 bytes)
 *   Rd Cd Dd         r/m register / control register / debug register of MOV CRn/DRn (mod is ignored)
 *   Sw               segment register in ModRM reg
 *   Ib Iw Iz Ibs     immediate byte, word, operand-size (16/32), byte sign-extended to operand size
 *   Jb Jz            relative branch target
 *   Ap               far pointer immediate (offset then selector)
 *   Ob Ov            moffs (address-size offset, no ModRM)
 *   Xb Xv Yb Yv      string source DS:eSI / destination ES:eDI
 *   Zb Zv Zd         register encoded in the low three opcode bits
 *   AL CL DX eAX 1 ES CS SS DS FS GS   fixed operands
 *   X87              an x87 escape (D8-DF): ModRM decides the rest
 * A mnemonic "a|b" names the 16-bit and 32-bit operand-size forms.
 */

export interface OpcodeEntry {
  /** 0x000-0x0ff one-byte map, 0x100-0x1ff the 0F map. */
  readonly op: number;
  /** ModRM.reg for group members, -1 otherwise. */
  readonly reg: number;
  /**
   * The whole ModRM byte (mod = 11) for an instruction that owns one register encoding of a group member whose
   * other encodings are another entry (VMCALL is 0F 01 C1, where SGDT's memory form is 0F 01 /0); -1 otherwise.
   */
  readonly modrm: number;
  readonly mnemonic: string;
  readonly operands: string;
  /** EFLAGS bits the instruction reads / writes (arithmetic flags include undefined results). */
  readonly flagsRead: number;
  readonly flagsWritten: number;
  readonly exec16: Handler;
  readonly exec32: Handler;
  /** LOCK is allowed (with a memory destination). */
  readonly lock: boolean;
  /** A prefix byte: the decoder continues with the next byte. */
  readonly prefix: boolean;
}

export interface EntryOptions {
  r?: string;
  w?: string;
  lock?: boolean;
  prefix?: boolean;
}

const FLAG_LETTERS: Record<string, number> = {
  o: F.OF, s: F.SF, z: F.ZF, a: F.AF, p: F.PF, c: F.CF, d: F.DF, i: F.IF, t: F.TF, n: F.NT, v: F.VM, r: F.RF,
};

export function flagMask(s: string | undefined): number {
  let m = 0;
  if (s === undefined) return 0;
  if (s === '*') return F.VALID;
  for (const ch of s) m |= FLAG_LETTERS[ch] ?? 0;
  return m;
}

export class TableBuilder {
  readonly entries: OpcodeEntry[] = [];

  private add(op: number, reg: number, mnemonic: string, operands: string, exec: Handler | [Handler, Handler], o: EntryOptions, modrm = -1): void {
    const [exec16, exec32] = Array.isArray(exec) ? exec : [exec, exec];
    this.entries.push({
      op, reg, modrm, mnemonic, operands, exec16, exec32,
      flagsRead: flagMask(o.r), flagsWritten: flagMask(o.w), lock: o.lock ?? false, prefix: o.prefix ?? false,
    });
  }

  def(op: number, mnemonic: string, operands: string, exec: Handler | [Handler, Handler], o: EntryOptions = {}): void {
    this.add(op, -1, mnemonic, operands, exec, o);
  }

  grp(op: number, reg: number, mnemonic: string, operands: string, exec: Handler | [Handler, Handler], o: EntryOptions = {}): void {
    this.add(op, reg, mnemonic, operands, exec, o);
  }

  /** An instruction encoded by one whole register-form ModRM byte (mod = 11) inside a group. */
  exact(op: number, modrm: number, mnemonic: string, operands: string, exec: Handler | [Handler, Handler], o: EntryOptions = {}): void {
    if (modrm < 0xc0 || modrm > 0xff) throw new Error(`opcode table: ${mnemonic} needs a register-form ModRM, not ${modrm}`);
    this.add(op, (modrm >> 3) & 7, mnemonic, operands, exec, o, modrm);
  }
}

/** Condition-code mnemonic suffixes in encoding order, and the flags each reads. */
export const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
export const CC_FLAGS = ['o', 'o', 'c', 'c', 'z', 'z', 'cz', 'cz', 's', 's', 'p', 'p', 'so', 'so', 'zso', 'zso'];

/** Operand forms that need a ModRM byte. */
export function formNeedsModrm(operands: string): boolean {
  // Fixed register operands (ES, CS, SS, DS, GS, DX...) are all capitals; ModRM forms are a capital plus a
  // lower-case size letter (Eb, Gv, Sw, Mp...) or a bare M.
  return operands.split(',').some((f) => /^[EGMRCDS]([a-z]|$)/.test(f) || f === 'X87');
}
