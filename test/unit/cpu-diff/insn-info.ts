import { Decoder, DecoderOptions, InstructionInfoFactory, MemorySize, Mnemonic, OpAccess, Register, UsedMemory } from 'iced-x86';
import { GenCase } from './generators/stream';
import { CODE_BASE } from './layout';

/** What iced-x86 (not our decoder) says about one instruction of a case: enough for known-divergences.ts. */
export interface InsnInfo {
  off: number;
  mnemonic: Mnemonic;
  lock: boolean;
  /** Bytes of the instruction (prefixes included). */
  bytes: Uint8Array;
  /**
   * One per memory operand: its segment, access and size, and its linear address from the case's *initial*
   * registers (exact: the generators address memory only through pinned registers, which no instruction writes;
   * undefined when a base or index is not a 32-bit GPR). Segment bases are 0 in the flat user harness.
   */
  mem: { seg: Register; access: OpAccess; size: MemorySize; addr: number | undefined }[];
}

let factory: InstructionInfoFactory | undefined;

/** The instruction of `c` starting at linear address `eip`, or undefined when EIP is not an instruction start. */
export function insnAt(c: GenCase, eip: number): InsnInfo | undefined {
  const off = eip - CODE_BASE;
  if (!c.instrs.some((i) => i.off === off)) return undefined;
  return decodeAt(c, off);
}

/** The instructions of `c` that completed before the reference stopped at `eip` (all of them when it left the code). */
export function completedBefore(c: GenCase, eip: number): InsnInfo[] {
  const off = eip - CODE_BASE;
  const inCode = off >= 0 && off <= c.code.length;
  return c.instrs.filter((i) => !inCode || i.off + i.len <= off).map((i) => decodeAt(c, i.off));
}

function decodeAt(c: GenCase, off: number): InsnInfo {
  factory ??= new InstructionInfoFactory();
  const dec = new Decoder(32, c.code.subarray(off), DecoderOptions.None);
  try {
    const ins = dec.decode();
    const info = factory.info(ins);
    const used = info.usedMemory() as UsedMemory[];
    const out: InsnInfo = {
      off, mnemonic: ins.mnemonic, lock: ins.hasLockPrefix, bytes: c.code.subarray(off, off + (c.instrs.find((i) => i.off === off)?.len ?? ins.length)),
      mem: used.map((m) => ({
        seg: m.segment, access: m.access, size: m.memorySize, addr: initialAddress(c, m.base, m.index, m.scale, m.displacement),
      })),
    };
    for (const m of used) m.free();
    info.free();
    ins.free();
    return out;
  } finally {
    dec.free();
  }
}

function initialAddress(c: GenCase, base: Register, index: Register, scale: number, disp: bigint): number | undefined {
  const reg = (r: Register): number | undefined =>
    r === Register.None ? 0 : r >= Register.EAX && r <= Register.EDI ? c.regs[r - Register.EAX] : undefined;
  const b = reg(base);
  const i = reg(index);
  if (b === undefined || i === undefined) return undefined;
  return (b + i * scale + Number(BigInt.asUintN(32, disp))) >>> 0;
}

export function writesMemory(a: OpAccess): boolean {
  return a === OpAccess.Write || a === OpAccess.CondWrite || a === OpAccess.ReadWrite || a === OpAccess.ReadCondWrite;
}

export function readsAndWritesMemory(a: OpAccess): boolean {
  return a === OpAccess.ReadWrite || a === OpAccess.ReadCondWrite;
}

/** Whether the instruction carries a LOCK (F0) among its legacy prefixes (iced reports none on invalid forms). */
export function hasLockByte(i: InsnInfo): boolean {
  for (const b of i.bytes) {
    if (b === 0xf0) return true;
    if (![0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf2, 0xf3].includes(b)) return false;
  }
  return false;
}
