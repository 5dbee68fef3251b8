import { DATA_BASE, DATA_END } from '../layout';
import { EBP, ESP, StreamBuilder, le16, le32 } from './stream';

/**
 * A ModRM operand ready to be encoded with any `reg` field. `prefix` holds the address-size and segment
 * override bytes it needs (to be placed before the opcode, after any other prefixes).
 */
export interface RmOperand {
  prefix: number[];
  enc(reg: number): number[];
  isMem: boolean;
  /** For memory operands addressed in 32-bit mode: the effective (= linear, flat segments) address. */
  ea?: number;
  /** Register number for register operands. */
  reg?: number;
  /** The access is certain to fault (16-bit addressing lands in the unmapped first 64 KiB; CS-override write). */
  faults: boolean;
}

export function regOperand(r: number): RmOperand {
  return { prefix: [], enc: (reg) => [0xc0 | ((reg & 7) << 3) | (r & 7)], isMem: false, reg: r, faults: false };
}

export interface MemOptions {
  /** Access size in bytes: the target is chosen so the access stays inside the data region. */
  size: number;
  /** The instruction writes the operand (a CS override then faults with #GP(0)). */
  write?: boolean;
  /** Allow the 0x67 prefix (16-bit addressing: always a #PF below 64 KiB, so only as the last instruction). */
  allow16?: boolean;
  /** Allow segment-override prefixes (DS/ES/SS, and CS for reads or, rarely, as a faulting write). */
  allowSeg?: boolean;
  /** Allow ESP as a base (only while ESP is known, i.e. not in streams that push/pop before the access). */
  allowEsp?: boolean;
  /** Fixed target address (else random in the data region). */
  target?: number;
  /** Alignment of a random target (default: aligned to size 70% of the time). */
  align?: number;
}

const S8 = (v: number): boolean => v >= -128 && v <= 127;

/** Chooses a random data-region address for an access of `size` bytes. */
export function dataTarget(b: StreamBuilder, size: number, align?: number): number {
  const a = align ?? (b.rng.chance(0.7) ? Math.min(size, 8) : 1);
  const hi = DATA_END - size - 0x200 - DATA_BASE; // keep clear of the top of the stack area
  let off = b.rng.range(0, hi);
  off -= off % a;
  return DATA_BASE + off;
}

/**
 * Encodes a memory operand that addresses `target` using the stream's pointer registers (making one when there
 * are none), with a random choice among every 32-bit ModRM/SIB form: absolute disp32, [base], [base+disp8/32],
 * SIB with and without index/base, all scales, ESP base.
 */
export function memOperand(b: StreamBuilder, o: MemOptions): RmOperand {
  const rng = b.rng;
  const prefix: number[] = [];
  let faults = false;
  if (o.allowSeg && rng.chance(0.25)) {
    const seg = rng.weighted<number>([[3, 0x3e], [3, 0x26], [3, 0x36], [o.write ? 0.3 : 2, 0x2e]]);
    prefix.push(seg);
    if (seg === 0x2e && o.write) faults = true; // a write through CS (read/execute code segment): #GP(0)
  }
  if (o.allow16 && rng.chance(0.15)) return { ...mem16(b), prefix: [...prefix, 0x67], faults: true };

  const target = o.target ?? dataTarget(b, o.size, o.align);
  const ptrs = b.pointers();
  if ((ptrs.length === 0 || rng.chance(0.15)) && b.freshRegs().length > 1) {
    const p = b.pointer();
    if (p >= 0) ptrs.push(p);
  }
  const form = rng.int(ptrs.length ? 7 : 1);
  switch (form) {
    case 0: // [disp32]
      return { prefix, isMem: true, ea: target, faults, enc: (reg) => [0x05 | (reg << 3), ...le32(target)] };
    case 1:
    case 2: { // [base + disp8] or [base + disp32] (or [base] when the displacement is 0 and base != EBP)
      const base = rng.pick(ptrs);
      const ea = form === 1 ? clampData((b.regs[base] + rng.range(-128, 127)) >>> 0, o.size, b.regs[base]) : target;
      const disp = (ea - b.regs[base]) | 0;
      if (base === ESP) return sibForm(prefix, faults, ea, ESP, 4, 1, disp, false);
      if (disp === 0 && base !== EBP && rng.chance(0.5)) {
        return { prefix, isMem: true, ea, faults, enc: (reg) => [(reg << 3) | base] };
      }
      if (S8(disp)) return { prefix, isMem: true, ea, faults, enc: (reg) => [0x40 | (reg << 3) | base, disp & 0xff] };
      return { prefix, isMem: true, ea, faults, enc: (reg) => [0x80 | (reg << 3) | base, ...le32(disp)] };
    }
    default: { // SIB
      const useBase = rng.chance(0.85);
      const bases = o.allowEsp !== false ? [...ptrs, ESP] : ptrs;
      const base = useBase ? rng.pick(bases) : -1;
      const idxCands = ptrs.filter((r) => r !== ESP);
      const useIndex = idxCands.length > 0 && rng.chance(0.75);
      const index = useIndex ? rng.pick(idxCands) : 4;
      const scale = rng.pick([1, 2, 4, 8]);
      const bv = base >= 0 ? b.regs[base] : 0;
      const iv = useIndex ? b.regs[index] : 0;
      const disp = (target - bv - Math.imul(iv, scale)) | 0;
      return sibForm(prefix, faults, target, base, index, scale, disp, !useBase);
    }
  }
}

function clampData(ea: number, size: number, fallback: number): number {
  return ea >= DATA_BASE && ea + size <= DATA_END ? ea : fallback;
}

function sibForm(prefix: number[], faults: boolean, ea: number, base: number, index: number, scale: number,
  disp: number, noBase: boolean): RmOperand {
  const ss = [1, 2, 4, 8].indexOf(scale) << 6;
  if (noBase) {
    // mod=00, base=101: [index*scale + disp32]
    return { prefix, isMem: true, ea, faults, enc: (reg) => [0x04 | (reg << 3), ss | (index << 3) | 5, ...le32(disp)] };
  }
  const sib = ss | (index << 3) | base;
  if (disp === 0 && base !== EBP) return { prefix, isMem: true, ea, faults, enc: (reg) => [0x04 | (reg << 3), sib] };
  if (S8(disp)) return { prefix, isMem: true, ea, faults, enc: (reg) => [0x44 | (reg << 3), sib, disp & 0xff] };
  return { prefix, isMem: true, ea, faults, enc: (reg) => [0x84 | (reg << 3), sib, ...le32(disp)] };
}

/** A random 16-bit ModRM memory form (valid only behind 0x67). Its address is below 64 KiB: always #PF. */
function mem16(b: StreamBuilder): RmOperand {
  const rng = b.rng;
  const mod = rng.int(3);
  const rm = rng.int(8);
  const disp = mod === 1 ? [rng.u32() & 0xff] : mod === 2 || (mod === 0 && rm === 6) ? le16(rng.u32()) : [];
  return { prefix: [], isMem: true, faults: true, enc: (reg) => [(mod << 6) | (reg << 3) | rm, ...disp] };
}

/** A register or memory r/m operand (memory with probability pMem). */
export function rmOperand(b: StreamBuilder, size: number, write: boolean, pMem: number, o: Partial<MemOptions> = {})
  : RmOperand {
  if (b.rng.chance(pMem)) return memOperand(b, { size, write, allowSeg: true, ...o });
  const r = write ? (size === 1 ? b.freeReg8() : b.freeReg()) : b.rng.int(8);
  return regOperand(r);
}
