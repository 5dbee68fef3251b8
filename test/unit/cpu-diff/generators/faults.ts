import { AC, DATA_BASE, OF, PAGE, WILD_RANGES } from '../layout';
import { FX } from '../flag-effects';
import { genAluInstr } from './alu';
import { emitRm, pickSize } from './common';
import { memOperand } from './operands';
import { StreamBuilder, imm, le16, le32 } from './stream';

/** A random address inside the ranges that are certainly unmapped in the oracle (never the harness). */
export function wildAddress(b: StreamBuilder): number {
  const [lo, hi] = b.rng.pick(WILD_RANGES);
  return (lo + b.rng.int(hi - lo - 16)) >>> 0;
}

/** A data-region page other than the stack's top page, as an address. */
function dataPage(b: StreamBuilder): number {
  return DATA_BASE + PAGE * b.rng.range(1, 14);
}

/** #PF: reads/writes/RMW of unmapped and read-only data pages (incl. split accesses) and of wild addresses. */
function pageFault(b: StreamBuilder): void {
  const rng = b.rng;
  const os = pickSize(rng);
  const page = dataPage(b);
  let target: number;
  const kind = rng.int(3);
  if (kind === 2) {
    target = wildAddress(b);
  } else {
    // One protected page per case, so a split access has exactly one faulting page (which of two faulting
    // pages a split access reports first is not architectural).
    (kind === 0 ? b.unmappedPages : b.readonlyPages).push(page);
    // Inside the page, or straddling its start from the page below (split access: CR2 = first faulting byte).
    target = rng.chance(0.3) && os.size > 1 ? page - rng.range(1, os.size - 1) : page + rng.int(PAGE - os.size);
    if (rng.chance(0.2)) b.randomize(page - 16, 16);
  }
  const m = memOperand(b, { size: os.size, target, allowSeg: true });
  const w = os.size === 1 ? 0 : 1;
  switch (rng.int(4)) {
    case 0: emitRm(b, [0x8a | w], m, b.freeReg(), [], FX.none, 0, [], os.prefix); break; // load
    case 1: emitRm(b, [0x88 | w], m, rng.int(8), [], FX.none, 0, [], os.prefix); break; // store
    case 2: emitRm(b, [0x00 | w], m, rng.int(8), [], FX.arith, 0, [], os.prefix); break; // add [m], r (RMW)
    default: emitRm(b, [0xc6 | w], m, 0, imm(rng.u32(), os.size), FX.none, 0, [], os.prefix); break;
  }
}

/** Instruction fetch from the NX data region or from an unmapped address (#PF 0x15 / 0x14), via JMP/CALL reg. */
function fetchFault(b: StreamBuilder): void {
  const r = b.freshReg();
  if (r < 0) return;
  b.pin(r, b.rng.chance(0.5) ? DATA_BASE + b.rng.int(0xf000) : wildAddress(b));
  b.emit([0xff, (b.rng.chance(0.5) ? 0xe0 : 0xd0) | r]);
}

/** Privileged or IOPL-sensitive instructions at CPL 3: #GP(0). */
const PRIVILEGED: number[][] = [
  [0xf4], [0xfa], [0xfb], [0xe4, 0x60], [0xe5, 0x40], [0xec], [0xed], [0xe6, 0x80], [0xe7, 0x70], [0xee], [0xef],
  [0x6c], [0x6d], [0x6e], [0x6f], [0x0f, 0x06], [0x0f, 0x08], [0x0f, 0x09], [0x0f, 0x30], [0x0f, 0x32],
  [0x0f, 0x20, 0xc0], [0x0f, 0x20, 0xd3], [0x0f, 0x20, 0xda], [0x0f, 0x20, 0xe1], [0x0f, 0x22, 0xd8], [0x0f, 0x22, 0xc0],
  [0x0f, 0x21, 0xc0], [0x0f, 0x21, 0xf8], [0x0f, 0x23, 0xc8], [0x0f, 0x00, 0xd0], [0x0f, 0x00, 0xd8],
  [0x0f, 0x01, 0xf0], [0x66, 0xed],
];

/** Memory forms that fault as privileged: LGDT/LIDT m, INVLPG m, LMSW m16. */
const PRIV_MEM_REG = [[0x0f, 0x01, 2], [0x0f, 0x01, 3], [0x0f, 0x01, 7], [0x0f, 0x01, 6]];

/** Opcodes that are #UD on every IA-32 processor this oracle can be (and on i686). */
const UNDEFINED: number[][] = [
  [0x0f, 0x0b], [0x0f, 0xb9, 0xc0], [0x0f, 0xff, 0xc0], [0x8d, 0xc0], [0x8d, 0xdb], [0xfe, 0xd0], [0xfe, 0x38],
  [0xff, 0xf8], [0xff, 0x38], [0x0f, 0xc7, 0xc8], [0x0f, 0xc7, 0xcb], [0xf0, 0x90], [0xf0, 0x89, 0x03],
  [0xf0, 0x01, 0xc0], [0xf0, 0x3b, 0x03], [0xf0, 0x0f, 0xc7, 0xc8], [0x0f, 0x04], [0x0f, 0x0a], [0x0f, 0x0c],
  [0x0f, 0x24, 0xc0], [0x0f, 0x26, 0xc0], [0x0f, 0xa6], [0x0f, 0xa7],
];

/** BOUND r, m with the index inside or outside the (signed, inclusive) bounds. */
function bound(b: StreamBuilder): void {
  const rng = b.rng;
  const os = pickSize(rng, false);
  const bits = os.size * 8;
  const sx = (v: number): number => (bits === 16 ? (v << 16) >> 16 : v | 0);
  let lo = sx(rng.interesting());
  let hi = sx(rng.interesting());
  if (lo > hi) [lo, hi] = [hi, lo];
  const m = memOperand(b, { size: os.size * 2, allowSeg: true });
  b.poke(m.ea!, [...imm(lo, os.size), ...imm(hi, os.size)]);
  const r = b.freshReg();
  if (r < 0) return;
  const pick = rng.weighted<number>([[2, lo], [2, hi], [1, lo - 1], [1, hi + 1], [3, sx(rng.interesting())]]);
  b.pin(r, os.size === 2 ? ((b.regs[r] & 0xffff0000) | (pick & 0xffff)) >>> 0 : pick >>> 0);
  emitRm(b, [0x62], m, r, [], FX.none, 0, [], os.prefix);
}

/**
 * One faulting (or trapping) instruction, possibly after a few harmless ALU instructions: #PF (data pages,
 * splits, wild, fetch), #GP (privileged, INT n through a DPL-0 gate, FS/GS null segment, CS write), #UD, #BR,
 * #BP/#OF (traps: EIP after), #AC (AC=1 and a misaligned access), #DB (TF set by POPF: trap after the next one).
 */
export function genFaults(b: StreamBuilder): void {
  const rng = b.rng;
  const pre = rng.int(3);
  for (let i = 0; i < pre; i++) genAluInstr(b, false);
  switch (rng.int(13)) {
    case 0: case 1: case 2: pageFault(b); break;
    case 3: fetchFault(b); break;
    case 4: b.emit(rng.pick(PRIVILEGED)); break;
    case 5: {
      const [p, q, reg] = rng.pick(PRIV_MEM_REG);
      emitRm(b, [p, q], memOperand(b, { size: 6 }), reg, [], FX.none);
      break;
    }
    case 6: { // INT n: vectors 3 and 4 have DPL-3 gates (#BP, #OF traps); the rest #GP(n*8+2). 0x80 is excluded.
      const n = rng.weighted<number>([[1, 3], [1, 4], [4, rng.int(0x80)], [3, 0x81 + rng.int(0x7f)]]);
      b.emit(rng.chance(0.1) && n === 3 ? [0xcc] : [0xcd, n]);
      break;
    }
    case 7: b.emit(rng.pick(UNDEFINED)); break;
    case 8: bound(b); break;
    case 9: { // INTO with OF either way
      if (rng.chance(0.5)) b.eflags |= OF;
      else b.eflags &= ~OF;
      b.emit([0xce], FX.none, OF);
      break;
    }
    case 10: { // FS/GS are null: any access through them is #GP(0)
      const os = pickSize(rng);
      const m = memOperand(b, { size: os.size });
      emitRm(b, [0x8a | (os.size === 1 ? 0 : 1)], m, b.freeReg(), [], FX.none, 0, [rng.chance(0.5) ? 0x64 : 0x65], os.prefix);
      break;
    }
    case 11: { // AC=1: misaligned data access -> #AC(0); aligned ones run normally
      b.eflags |= AC;
      const os = pickSize(rng, false);
      const m = memOperand(b, { size: os.size, align: 1 });
      emitRm(b, [0x8b], m, b.freeReg(), [], FX.none, 0, [], os.prefix);
      break;
    }
    default: { // push imm32 with TF; popf; next instruction; #DB (trap) after it
      b.emit([0x68, ...le32(0x100 | (rng.u32() & 0x8d5))]);
      b.emit([0x9d], FX.popf);
      // nop / cmp eax, ebx / test eax, eax / cmp ax, imm16: nothing written that may be pinned
      const k = rng.int(4);
      b.emit([[0x90], [0x39, 0xd8], [0x85, 0xc0], [0x66, 0x3d, ...le16(rng.u32())]][k], [FX.none, FX.arith, FX.logic, FX.arith][k]);
      genAluInstr(b, false);
    }
  }
}
