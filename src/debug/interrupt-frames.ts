import { Decoder, DecoderOptions, FlowControl, Mnemonic, OpKind, Register } from 'iced-x86';
import type { Registers } from '../symbols/cfi';

/**
 * Interrupt and trap frames in a stack trace. Kernel entry stubs (`vector32: push $0; push $32; jmp alltraps`,
 * then `alltraps: push %ds ... pushal; call trap`) have no CFI and do not keep a frame pointer, so neither
 * unwinder can cross them. Instead we read the IDT, trace each handler's straight-line code from its entry
 * (following jumps and stepping over calls) and record, at every instruction, how far ESP is below its value
 * at entry and which stack slots hold pushed immediates and registers. A frame whose pc is on such a path is
 * inside an interrupt entry: the CPU-pushed frame (EIP, CS, EFLAGS, and ESP, SS when the ring changed) sits
 * right above the entry ESP (above the error code for vectors that have one), and the slots give back the
 * interrupted code's registers. Pushed immediates (the vector number) must match memory, which tells apart
 * the vectors that share `alltraps`. Nothing here knows this kernel: any stub made of pushes and jumps works.
 */

/** Where a path step's stack slot came from: an immediate (to verify) or a register (to restore). */
interface Slot {
  /** Bytes below the entry ESP. */
  depth: number;
  imm?: number;
  /** DWARF register number. */
  reg?: number;
}

interface PathStep {
  ip: number;
  /** Bytes pushed since entry, before this instruction runs. */
  delta: number;
  slots: Slot[];
}

/** The pseudo-vector of the SYSENTER door in entry paths and frames. */
export const SYSENTER = -1;

export interface InterruptFrame {
  /** IDT vector, or SYSENTER. */
  vector: number;
  /** Ring of the interrupted code (CS & 3). */
  ring: number;
  errorCode?: number;
  /** The interrupted code's registers (DWARF numbering), eip = where it resumes. */
  regs: Registers;
  /** Where the CPU-pushed frame starts (EIP slot). */
  frameAddress: number;
}

export type SyncReader = (address: number, size: number) => Uint8Array | undefined;

const MAX_PATH = 96;
const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17, 21]);
const DWARF_OF: Partial<Record<Register, number>> = {
  [Register.EAX]: 0, [Register.ECX]: 1, [Register.EDX]: 2, [Register.EBX]: 3,
  [Register.ESP]: 4, [Register.EBP]: 5, [Register.ESI]: 6, [Register.EDI]: 7,
};
/** PUSHAD's order: EAX first (deepest... highest address), EDI last. */
const PUSHAD_ORDER = [0, 1, 2, 3, 4, 5, 6, 7];

export const hasErrorCode = (vector: number): boolean => ERROR_CODE_VECTORS.has(vector);

function read32(read: SyncReader, addr: number): number | undefined {
  const b = read(addr >>> 0, 4);
  return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
}

/** Handler offsets of the present 32-bit interrupt and trap gates of an IDT. */
export function idtHandlers(read: SyncReader, base: number, limit: number): { vector: number; handler: number }[] {
  const count = Math.min(256, Math.floor((limit + 1) / 8));
  const bytes = read(base, count * 8);
  if (!bytes) return [];
  const out: { vector: number; handler: number }[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let v = 0; v < count; v++) {
    const lo = dv.getUint32(v * 8, true);
    const hi = dv.getUint32(v * 8 + 4, true);
    const type = (hi >>> 8) & 0x1f;
    if (!(hi & 0x8000) || (type !== 14 && type !== 15)) continue;
    out.push({ vector: v, handler: ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 });
  }
  return out;
}

/** Traces a handler's straight-line code; stops at returns, indirect or conditional branches and anything that sets ESP. */
export function tracePath(read: SyncReader, entry: number): PathStep[] {
  const steps: PathStep[] = [];
  let ip = entry >>> 0;
  let delta = 0;
  let slots: Slot[] = [];
  const seen = new Set<number>();
  while (steps.length < MAX_PATH && !seen.has(ip)) {
    seen.add(ip);
    const bytes = read(ip, 16);
    if (!bytes) break;
    const decoder = new Decoder(32, bytes, DecoderOptions.None);
    decoder.ip = BigInt(ip);
    const insn = decoder.decode();
    try {
      if (insn.isInvalid) break;
      steps.push({ ip, delta, slots });
      const flow = insn.flowControl;
      if (flow === FlowControl.UnconditionalBranch && insn.op0Kind === OpKind.NearBranch32) {
        ip = insn.nearBranch32 >>> 0;
        continue;
      }
      // A call returns with the stack as it was (cdecl); the trace goes on after it.
      if (flow !== FlowControl.Next && flow !== FlowControl.Call) break;
      const next = stackEffect(insn, delta, slots);
      if (!next) break;
      ({ delta, slots } = next);
      ip = insn.nextIP32 >>> 0;
    } finally {
      insn.free();
      decoder.free();
    }
  }
  return steps;
}

type Insn = ReturnType<Decoder['decode']>;

function stackEffect(insn: Insn, delta: number, slots: Slot[]): { delta: number; slots: Slot[] } | undefined {
  const m = insn.mnemonic;
  if (insn.flowControl === FlowControl.Call) return { delta, slots };
  if (m === Mnemonic.Push) {
    const size = -insn.stackPointerIncrement;
    const d = delta + size;
    const kind = insn.op0Kind;
    if (kind === OpKind.Register && DWARF_OF[insn.op0Register] !== undefined && size === 4) {
      return { delta: d, slots: [...slots, { depth: d, reg: DWARF_OF[insn.op0Register] }] };
    }
    if (kind === OpKind.Immediate8to32 || kind === OpKind.Immediate32 || kind === OpKind.Immediate8 || kind === OpKind.Immediate16) {
      return { delta: d, slots: [...slots, { depth: d, imm: Number(BigInt.asUintN(32, insn.immediate(0))) }] };
    }
    return { delta: d, slots };
  }
  if (m === Mnemonic.Pushad) {
    const added = PUSHAD_ORDER.map((reg, i) => ({ depth: delta + 4 * (i + 1), reg })).filter((s) => s.reg !== 4);
    return { delta: delta + 32, slots: [...slots, ...added] };
  }
  if (insn.isStackInstruction) {
    // Pops and the like: registers restored from popped slots live in the registers again.
    const d = delta - insn.stackPointerIncrement;
    return { delta: d, slots: slots.filter((s) => s.imm !== undefined || s.depth <= d) };
  }
  if (insn.op0Kind === OpKind.Register && insn.op0Register === Register.ESP) {
    const imm = insn.op1Kind === OpKind.Immediate8to32 || insn.op1Kind === OpKind.Immediate32 ? Number(BigInt.asIntN(32, insn.immediate(1))) : undefined;
    if (imm === undefined) return undefined;
    if (m === Mnemonic.Add) return { delta: delta - imm, slots: slots.filter((s) => s.imm !== undefined || s.depth <= delta - imm) };
    if (m === Mnemonic.Sub) return { delta: delta + imm, slots };
    return undefined;
  }
  return { delta, slots };
}

/** Entry paths of every IDT vector, computed once per stop. */
export class EntryPaths {
  private readonly byIp = new Map<number, { vector: number; step: PathStep }[]>();
  /** False if some code could not be read (not mapped, or not fetched yet by the page cache). */
  readonly complete: boolean = true;

  /** `sysenterEip`: the SYSENTER door's entry (IA32_SYSENTER_EIP), traced like a vector when non-zero. */
  constructor(read: SyncReader, idtBase: number, idtLimit: number, sysenterEip = 0) {
    const traced = new Map<number, PathStep[]>();
    let complete = true;
    const reader: SyncReader = (a, n) => {
      const b = read(a, n);
      if (!b) complete = false;
      return b;
    };
    const doors = idtHandlers(reader, idtBase, idtLimit);
    if (sysenterEip) doors.push({ vector: SYSENTER, handler: sysenterEip >>> 0 });
    for (const { vector, handler } of doors) {
      let path = traced.get(handler);
      if (!path) traced.set(handler, (path = tracePath(reader, handler)));
      for (const step of path) {
        let list = this.byIp.get(step.ip);
        if (!list) this.byIp.set(step.ip, (list = []));
        list.push({ vector, step });
      }
    }
    this.complete = complete;
  }

  onPath(pc: number): boolean {
    return this.byIp.has(pc >>> 0);
  }

  /**
   * The interrupted context, if `pc` (with registers `regs`, in ring `cpl`) is on an entry path. Among the
   * vectors whose path passes here, the one whose pushed immediates are found in memory wins.
   */
  frameAt(pc: number, regs: Registers, cpl: number, read: SyncReader): InterruptFrame | undefined {
    const candidates = this.byIp.get(pc >>> 0);
    const esp = regs[4];
    if (!candidates || esp === undefined) return undefined;
    let best: { score: number; frame: InterruptFrame } | undefined;
    for (const { vector, step } of candidates) {
      const entryEsp = (esp + step.delta) >>> 0;
      if (vector === SYSENTER) {
        const frame = sysenterFrame(step, entryEsp, regs, read);
        if (frame && !best) best = { score: 0, frame };
        continue;
      }
      let score = 0;
      let ok = true;
      for (const s of step.slots) {
        if (s.imm === undefined) continue;
        const v = read32(read, entryEsp - s.depth);
        if (v !== s.imm) ok = false;
        else score++;
      }
      if (!ok) continue;
      const err = hasErrorCode(vector);
      const frameAddress = (entryEsp + (err ? 4 : 0)) >>> 0;
      const hw = read(frameAddress, 12);
      if (!hw) continue;
      const dv = new DataView(hw.buffer, hw.byteOffset, 12);
      const eip = dv.getUint32(0, true);
      const cs = dv.getUint32(4, true) & 0xffff;
      const eflags = dv.getUint32(8, true);
      if ((cs & 0xfffc) === 0 || (eflags & 2) === 0) continue;
      const ring = cs & 3;
      const out: Registers = regs.slice();
      for (const s of step.slots) {
        if (s.reg === undefined) continue;
        out[s.reg] = read32(read, entryEsp - s.depth);
      }
      out[4] = ring !== cpl ? read32(read, frameAddress + 12) : (frameAddress + 12) >>> 0;
      out[8] = eip;
      out[9] = eflags;
      const frame: InterruptFrame = { vector, ring, regs: out, frameAddress, errorCode: err ? read32(read, entryEsp) : undefined };
      if (!best || score > best.score) best = { score, frame };
    }
    return best?.frame;
  }
}

/**
 * SYSENTER saves nothing: SYSEXIT will load EIP from EDX and ESP from ECX, so the user side passes them there
 * (the convention of this kernel's user stubs; the kernel must keep them to return). The interrupted context is
 * therefore EDX and ECX as they were at the door: their first saved copies on the entry path, or the live
 * registers before anything was pushed.
 */
function sysenterFrame(step: PathStep, entryEsp: number, regs: Registers, read: SyncReader): InterruptFrame | undefined {
  const saved = (reg: number): number | undefined => {
    const slot = step.slots.filter((s) => s.reg === reg).sort((a, b) => a.depth - b.depth)[0];
    return slot ? read32(read, entryEsp - slot.depth) : regs[reg];
  };
  const eip = saved(2);
  const esp = saved(1);
  if (eip === undefined || esp === undefined) return undefined;
  const out: Registers = regs.slice();
  for (const s of step.slots) if (s.reg !== undefined && s.reg !== 4) out[s.reg] = read32(read, entryEsp - s.depth);
  out[4] = esp;
  out[8] = eip;
  out[9] = undefined;
  return { vector: SYSENTER, ring: 3, regs: out, frameAddress: entryEsp };
}
