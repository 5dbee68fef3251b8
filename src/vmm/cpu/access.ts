import type { Cpu } from './cpu';
import { Seg } from './constants';
import { raise } from './fault';
import { Access, Perm, WalkResult, walk } from './paging';
import { debugAccess } from './debug-access';

/**
 * Guest memory access. Fast path: one lookup in the active shadow root (`c.tlb`, see memory/shadow/) by
 * linear page number gives the machine byte offset of the page with permission bits in its low 12 bits (see
 * Perm); `c.rdBit`/`c.wrBit` say which bit the current privilege needs, so one AND checks presence,
 * permission and dirty state together. Anything else (hidden faults, MMIO, page-crossing, watched pages,
 * traced page tables, alignment checking) goes to the slow path.
 *
 * Machine offsets must stay below 2 GiB so entries fit an Int32.
 */

/** Puts the vCPU on the shadow root for its CR0/CR3/CR4 (CR3 writes, paging-mode changes, reset). */
export function switchRoot(c: Cpu): void {
  c.smmu.activate(c, c.cr[0], c.cr[3], c.cr[4]);
}

/** p2m changes (phys.generation) empty every root once per VM and drop each vCPU's fetch window. */
export function checkPhysGen(c: Cpu): void {
  const g = c.phys.generation;
  if (c.smmu.physGen !== g) c.smmu.flushAll();
  c.physGen = g;
  c.fSpan = -1;
}

/** INVLPG. */
export function invalidatePage(c: Cpu, lin: number): void {
  c.smmu.invlpg(c, lin, c.cr[0] < 0 && (c.cr[4] & 0x10) !== 0);
}

/**
 * Translates for an access, faulting as hardware does, and fills the shadow entry (a hidden fault); returns
 * the machine byte offset, or -1 for a device (then c.xPhys). c.xPhys is the guest-physical address either way.
 */
export function translate(c: Cpu, lin: number, access: number, user: boolean): number {
  let phys = lin >>> 0;
  let perms: number = Perm.All;
  let w: WalkResult | null = null;
  if (c.cr[0] < 0) {
    w = c.walkRes;
    if (!walk(c.phys, c.cr[0], c.cr[3], c.cr[4], lin, access, user, true, w)) {
      c.smmu.stats.guestFaults++;
      c.cr[2] = lin;
      c.pfFetch = access === Access.Fetch;
      raise(c, 14, w.errorCode);
    }
    phys = w.phys;
    perms = w.perms;
  }
  c.xPhys = phys;
  const page = c.phys.frameOffset(phys >>> 12);
  if (page < 0) return -1;
  c.smmu.fill(c.root!, lin, phys, page, perms, w);
  return page + (lin & 0xfff);
}

function slowRead(c: Cpu, lin: number, size: number, user: boolean): number {
  if (c.acCheck && user && (lin & (size - 1)) !== 0) raise(c, 17, 0);
  if ((lin & 0xfff) + size > 0x1000) {
    let v = 0;
    for (let i = 0; i < size; i++) v |= slowRead(c, (lin + i) | 0, 1, user) << (i << 3);
    return size === 2 ? v & 0xffff : v;
  }
  const mo = translate(c, lin, Access.Read, user);
  let v: number;
  if (mo >= 0) v = size === 1 ? c.u8[mo] : size === 2 ? c.dv.getUint16(mo, true) : c.dv.getInt32(mo, true);
  else {
    // A device register: its side effects may change interrupt lines, so look at them before the next instruction.
    c.attn = true;
    if (size === 1) v = c.phys.read8(c.xPhys);
    else if (size === 2) v = c.phys.read16(c.xPhys);
    else v = c.phys.read32(c.xPhys);
  }
  if (c.watched[lin >>> 12] !== 0) debugAccess(c, lin, size, 1, v);
  return v;
}

function slowWrite(c: Cpu, lin: number, size: number, v: number, user: boolean): void {
  if (c.acCheck && user && (lin & (size - 1)) !== 0) raise(c, 17, 0);
  if ((lin & 0xfff) + size > 0x1000) {
    // Probe both pages first so a fault on the second leaves memory untouched. The second probe is at that
    // page's first byte: CR2 gets the first address that faults, as on silicon.
    translate(c, lin, Access.Write, user);
    translate(c, ((lin | 0xfff) + 1) | 0, Access.Write, user);
    for (let i = 0; i < size; i++) slowWrite(c, (lin + i) | 0, 1, v >>> (i << 3), user);
    return;
  }
  const mo = translate(c, lin, Access.Write, user);
  if (mo >= 0) {
    if (size === 1) c.u8[mo] = v;
    else if (size === 2) c.dv.setUint16(mo, v, true);
    else c.dv.setInt32(mo, v, true);
    // A traced page table (or another protected frame): the shadows derived from it must follow.
    const gpa = c.xPhys;
    if (c.smmu.trace.protect[gpa >>> 12] !== 0) c.smmu.guestWrote(c, gpa, size);
  } else {
    c.attn = true;
    if (size === 1) c.phys.write8(c.xPhys, v & 0xff);
    else if (size === 2) c.phys.write16(c.xPhys, v & 0xffff);
    else c.phys.write32(c.xPhys, v);
  }
  if (c.watched[lin >>> 12] !== 0) debugAccess(c, lin, size, 2, v);
}

// ---- linear accesses at the current privilege ----

export function rl8(c: Cpu, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if (e & c.rdBit) return c.u8[(e & -4096) | (lin & 0xfff)];
  return slowRead(c, lin, 1, c.cpl === 3);
}

export function rl16(c: Cpu, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if (e & c.rdBit && (lin & 0xfff) !== 0xfff) return c.dv.getUint16((e & -4096) | (lin & 0xfff), true);
  return slowRead(c, lin, 2, c.cpl === 3);
}

export function rl32(c: Cpu, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if (e & c.rdBit && (lin & 0xfff) <= 0xffc) return c.dv.getInt32((e & -4096) | (lin & 0xfff), true);
  return slowRead(c, lin, 4, c.cpl === 3);
}

export function wl8(c: Cpu, lin: number, v: number): void {
  const e = c.tlb[lin >>> 12];
  if (e & c.wrBit) c.u8[(e & -4096) | (lin & 0xfff)] = v;
  else slowWrite(c, lin, 1, v, c.cpl === 3);
}

export function wl16(c: Cpu, lin: number, v: number): void {
  const e = c.tlb[lin >>> 12];
  if (e & c.wrBit && (lin & 0xfff) !== 0xfff) c.dv.setUint16((e & -4096) | (lin & 0xfff), v, true);
  else slowWrite(c, lin, 2, v, c.cpl === 3);
}

export function wl32(c: Cpu, lin: number, v: number): void {
  const e = c.tlb[lin >>> 12];
  if (e & c.wrBit && (lin & 0xfff) <= 0xffc) c.dv.setInt32((e & -4096) | (lin & 0xfff), v, true);
  else slowWrite(c, lin, 4, v, c.cpl === 3);
}

/** Checks that a linear range is writable at the current privilege (all-or-nothing multi-part stores). */
export function probeWrite(c: Cpu, lin: number, length: number): void {
  const user = c.cpl === 3;
  const last = (lin + length - 1) | 0;
  for (let p = lin & ~0xfff; ; p = (p + 0x1000) | 0) {
    translate(c, p === (lin & ~0xfff) ? lin : p, Access.Write, user);
    if (p === (last & ~0xfff)) break;
  }
}

// ---- supervisor ("system") accesses: descriptor tables, TSS, IDT; always CPL 0 semantics ----

export function sysRead8(c: Cpu, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if (e & Perm.SupRead && c.watched[lin >>> 12] === 0) return c.u8[(e & -4096) | (lin & 0xfff)];
  return slowRead(c, lin, 1, false);
}

export function sysRead16(c: Cpu, lin: number): number {
  return sysRead8(c, lin) | (sysRead8(c, (lin + 1) | 0) << 8);
}

export function sysRead32(c: Cpu, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if (e & Perm.SupRead && (lin & 0xfff) <= 0xffc) return c.dv.getInt32((e & -4096) | (lin & 0xfff), true);
  return slowRead(c, lin, 4, false);
}

export function sysWrite8(c: Cpu, lin: number, v: number): void {
  slowWrite(c, lin, 1, v, false);
}

export function sysWrite16(c: Cpu, lin: number, v: number): void {
  slowWrite(c, lin, 2, v, false);
}

export function sysWrite32(c: Cpu, lin: number, v: number): void {
  slowWrite(c, lin, 4, v, false);
}

// ---- segment-relative accesses: limit and type checks, then linear ----
//
// c.flatR / c.flatW have bit s set while segment s has base 0 and admits every offset for reads / writes
// (see refreshSeg): then the offset is the linear address and only the top of the 4 GiB range (a multi-byte
// access past 0xffffffff) still needs the checked path.

export function segFault(c: Cpu, s: number): never {
  return raise(c, s === Seg.SS ? 12 : 13, 0);
}

export function rd8(c: Cpu, s: number, off: number): number {
  if ((c.flatR >> s) & 1) return rl8(c, off | 0);
  const o = off >>> 0;
  if (o < c.rLo[s] || o > c.rHi[s]) segFault(c, s);
  return rl8(c, (c.segBase[s] + o) | 0);
}

export function rd16(c: Cpu, s: number, off: number): number {
  const o = off >>> 0;
  if ((c.flatR >> s) & 1 && o < 0xffffffff) return rl16(c, off | 0);
  if (o < c.rLo[s] || o + 1 > c.rHi[s]) segFault(c, s);
  return rl16(c, (c.segBase[s] + o) | 0);
}

export function rd32(c: Cpu, s: number, off: number): number {
  const o = off >>> 0;
  if ((c.flatR >> s) & 1 && o <= 0xfffffffc) return rl32(c, off | 0);
  if (o < c.rLo[s] || o + 3 > c.rHi[s]) segFault(c, s);
  return rl32(c, (c.segBase[s] + o) | 0);
}

export function wr8(c: Cpu, s: number, off: number, v: number): void {
  if ((c.flatW >> s) & 1) return wl8(c, off | 0, v);
  const o = off >>> 0;
  if (o < c.wLo[s] || o > c.wHi[s]) segFault(c, s);
  wl8(c, (c.segBase[s] + o) | 0, v);
}

export function wr16(c: Cpu, s: number, off: number, v: number): void {
  const o = off >>> 0;
  if ((c.flatW >> s) & 1 && o < 0xffffffff) return wl16(c, off | 0, v);
  if (o < c.wLo[s] || o + 1 > c.wHi[s]) segFault(c, s);
  wl16(c, (c.segBase[s] + o) | 0, v);
}

export function wr32(c: Cpu, s: number, off: number, v: number): void {
  const o = off >>> 0;
  if ((c.flatW >> s) & 1 && o <= 0xfffffffc) return wl32(c, off | 0, v);
  if (o < c.wLo[s] || o + 3 > c.wHi[s]) segFault(c, s);
  wl32(c, (c.segBase[s] + o) | 0, v);
}

/** Limit/type check of a whole range without touching memory (for multi-part accesses). */
export function checkSegRange(c: Cpu, s: number, off: number, length: number, write: boolean): number {
  const o = off >>> 0;
  const lo = write ? c.wLo[s] : c.rLo[s];
  const hi = write ? c.wHi[s] : c.rHi[s];
  if (o < lo || o + length - 1 > hi) segFault(c, s);
  return (c.segBase[s] + o) | 0;
}
