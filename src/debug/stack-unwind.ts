import type { Registers } from '../symbols/cfi';
import type { SourceFrame, SymbolFile } from '../symbols/symbol-file';
import type { CpuState } from '../vmm/monitor/protocol';
import type { DebugSymbols } from './debug-symbols';
import { EntryPaths, type SyncReader } from './interrupt-frames';
import { vectorLabel } from './vector-names';

/**
 * Walks a vCPU's stack for the Call Stack view: CFI from the symbol files (`.debug_frame`/`.eh_frame`), the
 * frame-pointer chain where there is none, inlined calls as frames of their own, and interrupt entries crossed
 * by reading the CPU-pushed frame (interrupt-frames.ts), so user frames appear below the kernel's, in any ring.
 * Synchronous over a page cache (memory-cache.ts): the caller re-runs it until every page it read is present.
 */
export interface Frame {
  /** Linear address: the current instruction (innermost frame, interrupted code) or a return address. */
  pc: number;
  /** Registers as unwound for this frame, DWARF numbering (eax=0 ... eip=8); undefined = not recoverable. */
  regs: Registers;
  /** True when pc is a return address: source lookups use pc-1 so the call's line is shown. */
  caller: boolean;
  kind: 'normal' | 'inlined' | 'interrupt';
  /** Ring the frame's code runs in. */
  ring: number;
  name: string;
  /** For labels ("[interrupt 32 from ring 3]") and frames without symbols. */
  label?: string;
  source?: SourceFrame;
  file?: SymbolFile;
}

export const REG_ESP = 4;
export const REG_EIP = 8;

export function registersOf(s: CpuState): Registers {
  const g = s.gpr;
  return [g.eax, g.ecx, g.edx, g.ebx, g.esp, g.ebp, g.esi, g.edi, (s.seg.cs.base + s.eip) >>> 0, s.eflags];
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/**
 * Entry paths are traced once per IDT: the key is the IDT's place and contents, so a kernel that rewrites its
 * gates gets new paths; one that rewrites the stubs' code in place would not (none we know of does).
 */
let cachedPaths: { key: string; paths: EntryPaths } | undefined;

function entryPaths(read: SyncReader, base: number, limit: number, sysenterEip: number): EntryPaths | undefined {
  const idt = read(base, limit + 1);
  if (!idt) return undefined;
  const key = `${base}:${limit}:${sysenterEip}:${Buffer.from(idt).toString('base64')}`;
  if (cachedPaths?.key !== key) {
    const paths = new EntryPaths(read, base, limit, sysenterEip);
    // Traced while pages were still missing: not worth keeping.
    if (!paths.complete) return paths;
    cachedPaths = { key, paths };
  }
  return cachedPaths.paths;
}

export function unwindStack(s: CpuState, max: number, symbols: DebugSymbols | undefined, read: SyncReader): Frame[] {
  let regs = registersOf(s);
  let ring = s.cpl;
  const first: Frame = { pc: regs[REG_EIP]!, regs, caller: false, kind: 'normal', ring, name: hex(regs[REG_EIP]!) };
  if (s.mode === 'real' || s.mode === 'v86' || !symbols) {
    first.name = symbols?.describeAddress(first.pc) ?? first.name;
    return [first];
  }
  const table = symbols.table;
  const paths = s.idtr.limit > 0 ? entryPaths(read, s.idtr.base, s.idtr.limit, s.sysenter?.eip ?? 0) : undefined;
  const frames: Frame[] = [];
  let caller = false;
  const seen = new Set<string>();
  while (frames.length < max) {
    const pc = regs[REG_EIP]!;
    const file = table.fileFor(pc);
    const sources = file?.framesAt(pc, caller) ?? [];
    if (sources.length) {
      for (const src of sources) frames.push({ pc, regs, caller, kind: src.inlined ? 'inlined' : 'normal', ring, name: src.name, source: src, file });
    } else {
      frames.push({ pc, regs, caller, kind: 'normal', ring, name: symbols.describeAddress(pc) ?? hex(pc), file });
    }
    const key = `${pc}:${regs[REG_ESP]}`;
    if (seen.has(key)) break;
    seen.add(key);

    const intr = paths?.frameAt(pc, regs, ring, read);
    if (intr) {
      frames.push({ pc: intr.regs[REG_EIP]!, regs: intr.regs, caller: false, kind: 'interrupt', ring: intr.ring, name: vectorLabel(intr.vector, intr.ring), label: vectorLabel(intr.vector, intr.ring) });
      regs = intr.regs;
      ring = intr.ring;
      caller = false;
      continue;
    }
    // Code without symbols (a stripped program, data executed by mistake) ends the walk: its stack is unknown.
    if (!file) break;
    const up = table.unwind(regs, read, caller);
    if (!up || up.regs[REG_EIP] === undefined || up.regs[REG_EIP] === 0) break;
    // The stack grows down: a caller's frame is never below its callee's (a loop would be corruption).
    if (up.regs[REG_ESP] !== undefined && regs[REG_ESP] !== undefined && up.regs[REG_ESP]! < regs[REG_ESP]!) break;
    regs = up.regs;
    caller = true;
    if (!table.functionAt(regs[REG_EIP]!) && !paths?.onPath(regs[REG_EIP]!)) {
      // A return address outside every known function: show it, go no further.
      frames.push({ pc: regs[REG_EIP]!, regs, caller, kind: 'normal', ring, name: hex(regs[REG_EIP]!) });
      break;
    }
  }
  return frames.slice(0, max);
}
