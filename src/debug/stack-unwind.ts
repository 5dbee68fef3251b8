import type { CpuState } from '../vmm/monitor/protocol';
import type { DebugSymbols } from './debug-symbols';

/**
 * Walks a vCPU's stack for the Call Stack view. Frame-pointer chains (what `gcc -O0` and kernels built with
 * frame pointers leave), with the function-entry cases handled from the symbols: at a function's first
 * instruction the return address is at [esp], after `push ebp` at [esp+4].
 */
export interface Frame {
  pc: number;
  /** ESP while this frame is the innermost one: a return to the caller leaves ESP above it. */
  cfa: number;
  kind: 'normal' | 'interrupt';
  label?: string;
}

type Reader = (linear: number, length: number) => Promise<Uint8Array | undefined>;

async function read32(read: Reader, addr: number): Promise<number | undefined> {
  const b = await read(addr >>> 0, 4);
  return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
}

export async function unwindStack(s: CpuState, max: number, symbols: DebugSymbols | undefined, read: Reader): Promise<Frame[]> {
  const codeBase = s.seg.cs.base;
  const stackBase = s.seg.ss.base;
  const pc0 = (codeBase + s.eip) >>> 0;
  const frames: Frame[] = [{ pc: pc0, cfa: s.gpr.esp >>> 0, kind: 'normal' }];
  if (s.mode === 'real' || s.mode === 'v86' || !symbols) return frames;

  let ebp = s.gpr.ebp >>> 0;
  const fn = symbols.functionAt(pc0);
  if (fn && (pc0 === fn.low || pc0 === fn.low + 1)) {
    // Prologue not run yet: the caller's frame pointer is still in EBP.
    const slot = pc0 === fn.low ? s.gpr.esp : s.gpr.esp + 4;
    const ret = await read32(read, stackBase + slot);
    if (ret === undefined || !symbols.functionAt(ret)) return frames;
    frames.push({ pc: (codeBase + ret) >>> 0, cfa: (slot + 4) >>> 0, kind: 'normal' });
  }
  const seen = new Set<number>();
  while (frames.length < max && ebp !== 0 && !seen.has(ebp)) {
    seen.add(ebp);
    const savedEbp = await read32(read, stackBase + ebp);
    const ret = await read32(read, stackBase + ebp + 4);
    if (savedEbp === undefined || ret === undefined || ret === 0) break;
    // A return address outside every known function means the chain left the kernel's own frames.
    if (!symbols.functionAt(ret)) break;
    frames.push({ pc: (codeBase + ret) >>> 0, cfa: (ebp + 8) >>> 0, kind: 'normal' });
    if (savedEbp <= ebp) break;
    ebp = savedEbp;
  }
  return frames;
}
