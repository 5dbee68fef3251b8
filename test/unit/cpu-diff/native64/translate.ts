import { Code, Decoder, DecoderOptions, Encoder, Instruction, InstructionInfoFactory, Mnemonic, OpAccess, OpKind, Register } from 'iced-x86';
import { GenCase } from '../generators/stream';
import { CODE_BASE } from '../layout';

/**
 * Translates a generated 32-bit stream into 64-bit code that means the same on the host CPU (oracle64.c), or
 * says why it cannot. iced-x86 decodes each instruction (bitness 32) and re-encodes it (bitness 64): memory
 * operands with 32-bit registers get the 0x67 form (32-bit effective addresses, wrapping as in 32-bit mode),
 * disp32-only operands the SIB absolute form (never RIP-relative), moffs the 0x67 moffs32 form. Branches are
 * laid out here (fixed sizes, then patched), so every 64-bit instruction start maps back to its 32-bit EIP.
 *
 * Exclusions are explicit (EXCLUSION_REASONS): a case is excluded as soon as any instruction that could run
 * would mean something else in 64-bit mode. Nothing is guessed: an instruction the encoder refuses and that is
 * not in a known raw-copy class excludes the case with the encoder's message.
 */

export const GUEST_BASE = 0x100000000;

export interface Translation {
  ok: true;
  code64: Uint8Array;
  /** 64-bit offset of each translated instruction start (and the end) -> 32-bit offset. */
  back: Map<number, number>;
}

export interface Exclusion {
  ok: false;
  /** One of EXCLUSION_REASONS' keys, plus a detail (the mnemonic or encoder message). */
  reason: ExclusionKind;
  detail: string;
}

export const EXCLUSION_REASONS = {
  stack: 'stack width: PUSH/POP/CALL/RET/ENTER/LEAVE/PUSHF/POPF/PUSHA/POPA move 8 bytes per slot in 64-bit mode',
  'invalid-in-64': '#UD or another instruction in 64-bit mode: BCD (DAA DAS AAA AAS AAM AAD), INTO, BOUND, ARPL (MOVSXD), ' +
    'LDS/LES (VEX), SALC, the 0x82 alias, far transfers',
  segment: 'segment registers: the 32-bit oracle has CS=0x23 DS=ES=SS=0x2b FS=GS=0 (null: #GP); 64-bit mode has other ' +
    'selectors, FS/GS bases and ignores CS/DS/ES/SS overrides (a write through CS is #GP(0) only in 32-bit mode)',
  a16: '0x67 in 32-bit code: 16-bit addressing and CX-counted LOOP/JECXZ/strings have no 64-bit-mode form',
  o16branch: '0x66 on a branch: IP truncated to 16 bits in 32-bit mode; ignored (Intel) or honoured (AMD) in 64-bit mode',
  'indirect-mem': 'JMP m32 reads 8 bytes (m64) in 64-bit mode',
  syscall: 'INT 0x80/SYSCALL/SYSENTER: the kernel, not the CPU, answers',
  'branch-target': 'a branch to a place that is not an instruction start or the end of the stream',
  'unencodable': 'iced-x86 cannot encode the instruction in 64-bit mode (message in the detail)',
  'too-long': 'the 64-bit form is longer than 15 bytes (#GP), the 32-bit one is not',
  'loop-range': 'LOOP/JECXZ target out of rel8 range after re-encoding',
  'invalid-raw': 'an invalid 32-bit encoding whose bytes decode as a valid 64-bit instruction',
} as const;
export type ExclusionKind = keyof typeof EXCLUSION_REASONS;

const STACK = new Set<Mnemonic>([Mnemonic.Push, Mnemonic.Pop, Mnemonic.Pushf, Mnemonic.Pushfd, Mnemonic.Popf,
  Mnemonic.Popfd, Mnemonic.Pusha, Mnemonic.Pushad, Mnemonic.Popa, Mnemonic.Popad, Mnemonic.Call, Mnemonic.Ret,
  Mnemonic.Retf, Mnemonic.Enter, Mnemonic.Leave, Mnemonic.Iret, Mnemonic.Iretd]);
/**
 * 16-bit PUSH/POP/PUSHF/POPF (0x66) move 2 bytes in 64-bit mode as in 32-bit mode: the same instruction, run as
 * is (RSP = zero-extended ESP, far from wrapping). The 32-bit-operand forms would move 8.
 */
const STACK16 = new Set<Code>([Code.Push_r16, Code.Pop_r16, Code.Push_imm16, Code.Pushw_imm8, Code.Push_rm16,
  Code.Pop_rm16, Code.Pushfw, Code.Popfw]);
const INVALID64 = new Set<Mnemonic>([Mnemonic.Daa, Mnemonic.Das, Mnemonic.Aaa, Mnemonic.Aas, Mnemonic.Aam, Mnemonic.Aad,
  Mnemonic.Into, Mnemonic.Bound, Mnemonic.Arpl, Mnemonic.Lds, Mnemonic.Les, Mnemonic.Salc, Mnemonic.Jmpe]);
const SEGLOAD = new Set<Mnemonic>([Mnemonic.Lss, Mnemonic.Lfs, Mnemonic.Lgs]);
/** #GP(0) at CPL 3 in both modes: where the 64-bit encoder refuses the 32-bit form (MOV CRn/DRn), raw bytes. */
const PRIVILEGED = new Set<Mnemonic>([Mnemonic.Mov, Mnemonic.Hlt, Mnemonic.Cli, Mnemonic.Sti, Mnemonic.In, Mnemonic.Out,
  Mnemonic.Clts, Mnemonic.Invd, Mnemonic.Wbinvd, Mnemonic.Rdmsr, Mnemonic.Wrmsr, Mnemonic.Lldt, Mnemonic.Ltr,
  Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Lmsw, Mnemonic.Invlpg]);
const SEGREGS = new Set<Register>([Register.ES, Register.CS, Register.SS, Register.DS, Register.FS, Register.GS]);
const CRDR = (r: Register): boolean => (r >= Register.CR0 && r <= Register.CR15) || (r >= Register.DR0 && r <= Register.DR15);

const INCDEC: Partial<Record<number, Code>> = {
  [Code.Inc_r32]: Code.Inc_rm32, [Code.Dec_r32]: Code.Dec_rm32, [Code.Inc_r16]: Code.Inc_rm16, [Code.Dec_r16]: Code.Dec_rm16,
};

type Branch = { kind: 'jcc' | 'jmp' | 'loop'; op: number; target: number };
type Item = { off32: number; bytes: Uint8Array | null; branch?: Branch };

let factory: InstructionInfoFactory | undefined;
let encoder: Encoder | undefined;

const ex = (reason: ExclusionKind, detail: string): Exclusion => ({ ok: false, reason, detail });

function decodeOne(bits: 32 | 64, bytes: Uint8Array, ip: number): Instruction {
  const d = new Decoder(bits, bytes, DecoderOptions.None);
  d.ip = BigInt(ip);
  const i = d.decode();
  d.free();
  return i;
}

function prefixBytes(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of bytes) {
    if (![0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(b)) break;
    out.push(b);
  }
  return out;
}

/** One instruction: its 64-bit bytes, a branch to lay out, or why the case is excluded. */
function translateOne(c: GenCase, off: number, len: number, ud: boolean): Item | Exclusion {
  const raw = c.code.subarray(off, off + len);
  const i = decodeOne(32, raw, CODE_BASE + off);
  try {
    if (i.isInvalid || i.length !== len || ud) {
      // Meant as #UD (LOCK on a register, FF /7 ...): the same bytes must be invalid in 64-bit mode too.
      const j = decodeOne(64, raw, 0);
      const bad = j.isInvalid;
      j.free();
      return bad ? { off32: off, bytes: raw.slice() } : ex('invalid-raw', Buffer.from(raw).toString('hex'));
    }
    const m = i.mnemonic;
    const name = Mnemonic[m];
    const pre = prefixBytes(raw);
    if ((STACK.has(m) || i.stackPointerIncrement !== 0) && !STACK16.has(i.code)) return ex('stack', name);
    if (INVALID64.has(m) || Code[i.code].endsWith('_82') || i.code === Code.Jmp_ptr1616 || i.code === Code.Jmp_ptr1632 || i.code === Code.Jmp_m1632 ||
      i.code === Code.Jmp_m1616) return ex('invalid-in-64', name);
    if (m === Mnemonic.Int && i.immediate8 === 0x80 || m === Mnemonic.Syscall || m === Mnemonic.Sysenter) return ex('syscall', name);
    if (SEGLOAD.has(m)) return ex('segment', name);
    for (let k = 0; k < i.opCount; k++) {
      if (i.opKind(k) !== OpKind.Register || !SEGREGS.has(i.opRegister(k))) continue;
      // MOV r/m, Sreg reads the selector: oracle64 runs the guest with DS=ES=SS=0x2b and FS=GS=0 as the 32-bit
      // oracle has them; only CS differs (0x33 in 64-bit mode, 0x23 in 32-bit mode). Loads are excluded.
      if (m === Mnemonic.Mov && k === 1 && i.opRegister(k) !== Register.CS) continue;
      return ex('segment', `${name} with ${Register[i.opRegister(k)]}`);
    }
    if (pre.includes(0x67)) return ex('a16', name);
    if (hasMemory(i)) {
      const seg = i.segmentPrefix;
      if (seg === Register.FS || seg === Register.GS) return ex('segment', `${name} through ${Register[seg]}`);
      if (seg === Register.CS && writesThroughCs(i)) return ex('segment', `${name} writes through CS`);
    }
    // Branches: laid out by translate() with fixed-size forms.
    const cname = Code[i.code];
    if (/_rel(8|16|32)_(16|32)/.test(cname)) {
      if (/_16$|_rel16_/.test(cname) || pre.includes(0x66)) return ex('o16branch', name);
      const target = i.nearBranch32 - CODE_BASE;
      if (m === Mnemonic.Jmp) return { off32: off, bytes: null, branch: { kind: 'jmp', op: 0xe9, target } };
      if (m === Mnemonic.Loop || m === Mnemonic.Loope || m === Mnemonic.Loopne || m === Mnemonic.Jecxz) {
        const op = { [Mnemonic.Loopne]: 0xe0, [Mnemonic.Loope]: 0xe1, [Mnemonic.Loop]: 0xe2, [Mnemonic.Jecxz]: 0xe3 }[m as number]!;
        return { off32: off, bytes: null, branch: { kind: 'loop', op, target } };
      }
      const cc = raw[pre.length] === 0x0f ? raw[pre.length + 1] & 15 : raw[pre.length] & 15;
      return { off32: off, bytes: null, branch: { kind: 'jcc', op: 0x80 | cc, target } };
    }
    if (m === Mnemonic.Jmp) {
      // JMP r32 -> JMP r64 of the same (zero-extended) register: the same target.
      if (i.op0Kind === OpKind.Register) return { off32: off, bytes: Uint8Array.from([0xff, 0xe0 | (i.op0Register - Register.EAX)]) };
      return ex('indirect-mem', name);
    }
    const conv = INCDEC[i.code];
    if (conv !== undefined) i.code = conv;
    encoder ??= new Encoder(64);
    try {
      encoder.encode(i, BigInt(GUEST_BASE));
    } catch (e) {
      // A failed encode leaves its partial bytes in the encoder's buffer: start afresh.
      encoder.free();
      encoder = undefined;
      const msg = String((e as Error).message ?? e);
      if (PRIVILEGED.has(m) && (m !== Mnemonic.Mov || [0, 1].some((k) => i.opKind(k) === OpKind.Register && CRDR(i.opRegister(k))))) {
        // #GP(0) at CPL 3 whatever the operand width: the raw bytes, if they decode to the same instruction.
        const j = decodeOne(64, raw, 0);
        const same = !j.isInvalid && j.mnemonic === m && j.length === len;
        j.free();
        if (same) return { off32: off, bytes: raw.slice() };
      }
      return ex('unencodable', `${name}: ${msg.split('\n')[0]}`);
    }
    const out = encoder.takeBuffer();
    if (out.length > 15) return ex('too-long', name);
    return { off32: off, bytes: out };
  } finally {
    i.free();
  }
}

function hasMemory(i: Instruction): boolean {
  for (let k = 0; k < i.opCount; k++) {
    const kind = i.opKind(k);
    if (kind === OpKind.Memory || (kind >= OpKind.MemorySegSI && kind <= OpKind.MemoryESRDI)) return true;
  }
  return false;
}

/** A write through a CS override (#GP(0) in 32-bit mode, allowed in 64-bit mode); MOVS/STOS write through ES. */
function writesThroughCs(i: Instruction): boolean {
  factory ??= new InstructionInfoFactory();
  const info = factory.info(i);
  const used = info.usedMemory() as { segment: Register; access: OpAccess; free(): void }[];
  const w = used.some((u) => u.segment === Register.CS && (u.access === OpAccess.Write || u.access === OpAccess.CondWrite ||
    u.access === OpAccess.ReadWrite || u.access === OpAccess.ReadCondWrite));
  for (const u of used) u.free();
  info.free();
  return w;
}

const BRANCH_LEN = { jcc: 6, jmp: 5, loop: 3 } as const;

/** The whole stream, or the first reason it cannot run as 64-bit code. */
export function translate(c: GenCase): Translation | Exclusion {
  const items: Item[] = [];
  let at = 0;
  for (const ins of c.instrs) {
    if (ins.len === 0) continue;
    if (ins.off !== at) throw new Error(`case ${c.seed}: instruction at ${ins.off}, expected ${at}`);
    const it = translateOne(c, ins.off, ins.len, !!ins.ud);
    if (!('off32' in it)) return it;
    items.push(it);
    at = ins.off + ins.len;
  }
  if (at !== c.code.length) throw new Error(`case ${c.seed}: instructions end at ${at}, code at ${c.code.length}`);
  // Layout: fixed sizes, so offsets are known before the branches are patched.
  const start64 = new Map<number, number>();
  let pos = 0;
  for (const it of items) {
    start64.set(it.off32, pos);
    pos += it.bytes ? it.bytes.length : BRANCH_LEN[it.branch!.kind];
  }
  start64.set(c.code.length, pos);
  const code = new Uint8Array(pos);
  const back = new Map<number, number>();
  for (const [o32, o64] of start64) back.set(o64, o32);
  for (const it of items) {
    const p = start64.get(it.off32)!;
    if (it.bytes) {
      code.set(it.bytes, p);
      continue;
    }
    const b = it.branch!;
    const t = start64.get(b.target);
    if (t === undefined) return ex('branch-target', `${b.kind} to +${b.target}`);
    const rel = t - (p + BRANCH_LEN[b.kind]);
    if (b.kind === 'loop') {
      if (rel < -128 || rel > 127) return ex('loop-range', String(rel));
      code.set([0x67, b.op, rel & 0xff], p);
    } else {
      const head = b.kind === 'jcc' ? [0x0f, b.op] : [b.op];
      code.set([...head, rel & 0xff, (rel >>> 8) & 0xff, (rel >>> 16) & 0xff, (rel >>> 24) & 0xff], p);
    }
  }
  return { ok: true, code64: code, back };
}

/** The 32-bit EIP the host's 64-bit RIP stands for, or undefined when RIP is inside a translated instruction. */
export function eipFor(t: Translation, rip: number): number | undefined {
  if (rip < 0x100000000) return rip; // left the code: a jump to a data/wild address, the same in both modes
  const o32 = t.back.get(rip - GUEST_BASE);
  return o32 === undefined ? undefined : (CODE_BASE + o32) >>> 0;
}
