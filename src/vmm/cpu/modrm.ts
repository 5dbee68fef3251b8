import type { Cpu } from './cpu';
import { Seg } from './constants';
import { checkSegRange, probeWrite, rd16, rd32, rd8, rl16, rl32, rl8, wr16, wr32, wr8 } from './access';

/**
 * ModRM/SIB effective addresses and register-or-memory operands. The EA is left in c.eaSeg/c.eaOff so a
 * read-modify-write instruction decodes it once.
 */

export function decodeEA(c: Cpu): void {
  if (c.asz) ea32(c);
  else ea16(c);
}

function ea16(c: Cpu): void {
  const m = c.modrm;
  const mod = m >> 6;
  const rm = m & 7;
  const r = c.reg;
  let off: number;
  let seg = Seg.DS;
  switch (rm) {
    case 0: off = r[3] + r[6]; break;
    case 1: off = r[3] + r[7]; break;
    case 2: off = r[5] + r[6]; seg = Seg.SS; break;
    case 3: off = r[5] + r[7]; seg = Seg.SS; break;
    case 4: off = r[6]; break;
    case 5: off = r[7]; break;
    case 6:
      if (mod === 0) off = c.fetch16();
      else { off = r[5]; seg = Seg.SS; }
      break;
    default: off = r[3]; break;
  }
  if (mod === 1) off += (c.fetch8() << 24) >> 24;
  else if (mod === 2) off += c.fetch16();
  c.eaOff = off & 0xffff;
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : seg;
}

function ea32(c: Cpu): void {
  const m = c.modrm;
  const mod = m >> 6;
  const rm = m & 7;
  const r = c.reg;
  let off: number;
  let seg = Seg.DS;
  if (rm === 4) {
    const sib = c.fetch8();
    const base = sib & 7;
    const index = (sib >> 3) & 7;
    if (base === 5 && mod === 0) off = c.fetch32();
    else {
      off = r[base];
      if (base === 4 || base === 5) seg = Seg.SS;
    }
    if (index !== 4) off += r[index] << (sib >> 6);
  } else if (rm === 5 && mod === 0) {
    off = c.fetch32();
  } else {
    off = r[rm];
    if (rm === 5) seg = Seg.SS;
  }
  if (mod === 1) off += (c.fetch8() << 24) >> 24;
  else if (mod === 2) off += c.fetch32();
  c.eaOff = off | 0;
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : seg;
}

// ---- registers by encoding ----

export function getR8(c: Cpu, r: number): number {
  return r < 4 ? c.reg[r] & 0xff : (c.reg[r - 4] >> 8) & 0xff;
}

export function setR8(c: Cpu, r: number, v: number): void {
  if (r < 4) c.reg[r] = (c.reg[r] & ~0xff) | (v & 0xff);
  else c.reg[r - 4] = (c.reg[r - 4] & ~0xff00) | ((v & 0xff) << 8);
}

export function getR16(c: Cpu, r: number): number {
  return c.reg[r] & 0xffff;
}

export function setR16(c: Cpu, r: number, v: number): void {
  c.reg[r] = (c.reg[r] & ~0xffff) | (v & 0xffff);
}

/** Register of the current operand size (16 or 32). */
export function getRv(c: Cpu, r: number): number {
  return c.osz ? c.reg[r] : c.reg[r] & 0xffff;
}

export function setRv(c: Cpu, r: number, v: number): void {
  if (c.osz) c.reg[r] = v;
  else c.reg[r] = (c.reg[r] & ~0xffff) | (v & 0xffff);
}

// ---- E operands (register or memory per ModRM) ----

export function readEb(c: Cpu): number {
  const m = c.modrm;
  if (m >= 0xc0) return getR8(c, m & 7);
  decodeEA(c);
  return rd8(c, c.eaSeg, c.eaOff);
}

export function readEw(c: Cpu): number {
  const m = c.modrm;
  if (m >= 0xc0) return c.reg[m & 7] & 0xffff;
  decodeEA(c);
  return rd16(c, c.eaSeg, c.eaOff);
}

export function readEd(c: Cpu): number {
  const m = c.modrm;
  if (m >= 0xc0) return c.reg[m & 7];
  decodeEA(c);
  return rd32(c, c.eaSeg, c.eaOff);
}

export function readEv(c: Cpu): number {
  return c.osz ? readEd(c) : readEw(c);
}

// ---- destinations of read-modify-write instructions (ADD [m],r; INC [m]; XCHG; XADD; BTS; shifts...) ----
//
// The processor reads such a destination with write intent (SDM Vol. 3A 4.7: the W/R bit of a #PF error code
// is the access's intent; a locked RMW never reads without writing), so a not-present or read-only page faults
// with W=1 before anything is read, and a read-only segment faults on the read. Linux relies on it: an RMW
// on an untouched anonymous page gets a writable page at once, never the shared zero page. The fast path is
// the same single TLB lookup as a write's.

function rmwLin(c: Cpu, size: number): number {
  const s = c.eaSeg;
  const lin = (c.flatW >> s) & 1 && c.eaOff >>> 0 <= 0x100000000 - size ? c.eaOff | 0 : checkSegRange(c, s, c.eaOff, size, true);
  if ((c.tlb[lin >>> 12] & c.wrBit) === 0 || (lin & 0xfff) > 0x1000 - size) probeWrite(c, lin, size);
  return lin;
}

/** Reads the already decoded memory operand (c.eaSeg:c.eaOff) with write intent. */
export function rmwRd8(c: Cpu): number {
  return rl8(c, rmwLin(c, 1));
}

export function rmwRd16(c: Cpu): number {
  return rl16(c, rmwLin(c, 2));
}

export function rmwRd32(c: Cpu): number {
  return rl32(c, rmwLin(c, 4));
}

export function readEbRmw(c: Cpu): number {
  const m = c.modrm;
  if (m >= 0xc0) return getR8(c, m & 7);
  decodeEA(c);
  return rl8(c, rmwLin(c, 1));
}

export function readEwRmw(c: Cpu): number {
  const m = c.modrm;
  if (m >= 0xc0) return c.reg[m & 7] & 0xffff;
  decodeEA(c);
  return rl16(c, rmwLin(c, 2));
}

export function readEdRmw(c: Cpu): number {
  const m = c.modrm;
  if (m >= 0xc0) return c.reg[m & 7];
  decodeEA(c);
  return rl32(c, rmwLin(c, 4));
}

export function readEvRmw(c: Cpu): number {
  return c.osz ? readEdRmw(c) : readEwRmw(c);
}

/** Writes back to the operand a previous readE* decoded. */
export function writeBackEb(c: Cpu, v: number): void {
  const m = c.modrm;
  if (m >= 0xc0) setR8(c, m & 7, v);
  else wr8(c, c.eaSeg, c.eaOff, v);
}

export function writeBackEw(c: Cpu, v: number): void {
  const m = c.modrm;
  if (m >= 0xc0) setR16(c, m & 7, v);
  else wr16(c, c.eaSeg, c.eaOff, v);
}

export function writeBackEd(c: Cpu, v: number): void {
  const m = c.modrm;
  if (m >= 0xc0) c.reg[m & 7] = v;
  else wr32(c, c.eaSeg, c.eaOff, v);
}

export function writeBackEv(c: Cpu, v: number): void {
  if (c.osz) writeBackEd(c, v);
  else writeBackEw(c, v);
}

/** Decodes and writes (no prior read). */
export function writeEb(c: Cpu, v: number): void {
  if (c.modrm < 0xc0) decodeEA(c);
  writeBackEb(c, v);
}

export function writeEw(c: Cpu, v: number): void {
  if (c.modrm < 0xc0) decodeEA(c);
  writeBackEw(c, v);
}

export function writeEv(c: Cpu, v: number): void {
  if (c.modrm < 0xc0) decodeEA(c);
  if (c.osz) writeBackEd(c, v);
  else writeBackEw(c, v);
}
