import type { Cpu } from './cpu';
import { AR, CR0, F, Seg } from './constants';
import { raise } from './fault';
import { sysRead8, sysRead32, sysWrite8 } from './access';
import { compressDescriptor, compressing } from './ring-compression';

/**
 * Segment registers with their hidden descriptor caches. Loads fill the cache from a descriptor (protected
 * mode) or from the selector alone (real/V86 mode: only the base changes in real mode, which is exactly
 * what makes "unreal mode" work). Every cache change recomputes the per-segment valid offset ranges the
 * accessors test (rLo..rHi for reads, wLo..wHi for writes), folding limit, expand-down, type and null
 * checks into two compares.
 */

export function isProtected(c: Cpu): boolean {
  return (c.cr[0] & CR0.PE) !== 0 && (c.flags & F.VM) === 0;
}

export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
}

export function descLimit(lo: number, hi: number): number {
  const raw = (hi & 0xf0000) | (lo & 0xffff);
  return hi & 0x800000 ? ((raw << 12) | 0xfff) | 0 : raw;
}

export function descAr(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}

export function refreshSeg(c: Cpu, s: number): void {
  const ar = c.segAr[s];
  const limit = c.segLimit[s] >>> 0;
  if (!isProtected(c)) {
    c.rLo[s] = 0;
    c.rHi[s] = limit;
    c.wLo[s] = 0;
    c.wHi[s] = limit;
  } else if (ar & AR.UNUSABLE || (ar & AR.P) === 0) {
    c.rLo[s] = 1;
    c.rHi[s] = 0;
    c.wLo[s] = 1;
    c.wHi[s] = 0;
  } else if (ar & AR.CODE) {
    c.rLo[s] = ar & AR.RW ? 0 : 1;
    c.rHi[s] = ar & AR.RW ? limit : 0;
    c.wLo[s] = 1;
    c.wHi[s] = 0;
  } else {
    let lo = 0;
    let hi = limit;
    if (ar & AR.DC) {
      lo = limit + 1;
      hi = ar & AR.D ? 0xffffffff : 0xffff;
    }
    c.rLo[s] = lo;
    c.rHi[s] = hi;
    c.wLo[s] = ar & AR.RW ? lo : 1;
    c.wHi[s] = ar & AR.RW ? hi : 0;
  }
  updateFlat(c, s);
  if (s === Seg.CS) {
    // Operand/address size defaults may change: the run loop resets the prefix state before the next instruction.
    c.pfx = 1;
    const big = isProtected(c) && (ar & AR.D) !== 0 ? 1 : 0;
    c.defOsz = big;
    c.defAsz = big;
    // The fetch window maps EIPs through the CS base and limit only; a reload with the same base and limit
    // (the common far transfer: INT, IRET, far CALL between flat segments) keeps it. setSegCache checks the base.
    if (c.csHi !== limit) {
      c.csHi = limit;
      c.fSpan = -1;
    }
  } else if (s === Seg.SS) {
    c.ss32 = isProtected(c) && (ar & AR.D) !== 0 ? 1 : 0;
  }
}

/** Keeps c.flatR/c.flatW (access.ts's unchecked path) in step with segment s's base and offset ranges. */
export function updateFlat(c: Cpu, s: number): void {
  const bit = 1 << s;
  const base0 = c.segBase[s] === 0;
  c.flatR = base0 && c.rLo[s] === 0 && c.rHi[s] === 0xffffffff ? c.flatR | bit : c.flatR & ~bit;
  c.flatW = base0 && c.wLo[s] === 0 && c.wHi[s] === 0xffffffff ? c.flatW | bit : c.flatW & ~bit;
}

export function refreshAllSegs(c: Cpu): void {
  for (let s = 0; s < 6; s++) refreshSeg(c, s);
  updatePriv(c);
}

/** Recomputes the TLB permission bits the fast path tests, and alignment checking. */
export function updatePriv(c: Cpu): void {
  const user = c.cpl === 3;
  c.acCheck = user && (c.cr[0] & CR0.AM) !== 0 && (c.flags & F.AC) !== 0;
  if (c.acCheck) {
    c.rdBit = 0;
    c.wrBit = 0;
  } else {
    c.rdBit = user ? 4 : 1;
    c.wrBit = user ? 8 : 2;
  }
  // Code fetches translate as user or supervisor (fetchSlow): only a change of that invalidates the window.
  const fu = user ? 1 : 0;
  if (c.fUser !== fu) {
    c.fUser = fu;
    c.fSpan = -1;
  }
}

export function setCpl(c: Cpu, cpl: number): void {
  if (c.cpl !== cpl) {
    c.cpl = cpl;
    updatePriv(c);
  }
}

export function setSegCache(c: Cpu, s: number, sel: number, base: number, limit: number, ar: number): void {
  if (s === Seg.CS && c.segBase[s] !== (base | 0)) c.fSpan = -1;
  c.segSel[s] = sel & 0xffff;
  c.segBase[s] = base | 0;
  c.segLimit[s] = limit | 0;
  c.segAr[s] = ar;
  if (s < 6) refreshSeg(c, s);
}

/** Real mode and V86: base = selector * 16. Real mode keeps the cached limit and rights. */
export function loadSegReal(c: Cpu, s: number, sel: number): void {
  sel &= 0xffff;
  if (c.flags & F.VM) {
    setSegCache(c, s, sel, sel << 4, 0xffff, s === Seg.CS ? 0xfb : 0xf3);
  } else {
    c.segSel[s] = sel;
    c.segBase[s] = sel << 4;
    if (s < 6) updateFlat(c, s);
    if (s === Seg.CS) c.fSpan = -1;
  }
}

/**
 * Reads the 8-byte descriptor for `sel` into c.descLo/c.descHi and returns its linear address.
 * #GP(sel) (or `vector`) if the selector is beyond its table or the LDT is unusable.
 */
export function readDescriptor(c: Cpu, sel: number, vector = 13): number {
  let base: number;
  let limit: number;
  if (sel & 4) {
    if (c.segAr[Seg.LDTR] & AR.UNUSABLE || (c.segSel[Seg.LDTR] & 0xfffc) === 0) raise(c, vector, sel & 0xfffc);
    base = c.segBase[Seg.LDTR];
    limit = c.segLimit[Seg.LDTR] >>> 0;
  } else {
    base = c.dtr[0];
    limit = c.dtr[1] >>> 0;
  }
  const off = sel & 0xfff8;
  if (off + 7 > limit) raise(c, vector, sel & 0xfffc);
  const addr = (base + off) | 0;
  c.descLo = sysRead32(c, addr);
  c.descHi = sysRead32(c, (addr + 4) | 0);
  if (c.direct !== null && compressing(c)) compressDescriptor(c);
  return addr;
}

export function setAccessedBit(c: Cpu, addr: number): void {
  if ((c.descHi & 0x100) === 0) {
    c.descHi |= 0x100;
    // Under ring compression descHi holds the shadow entry (DPL compressed): only the A bit goes to the guest's.
    if (c.direct !== null) sysWrite8(c, (addr + 5) | 0, sysRead8(c, (addr + 5) | 0) | 1);
    else sysWrite8(c, (addr + 5) | 0, (c.descHi >>> 8) & 0xff);
  }
}

/** MOV/POP/LDS... into a data segment register or SS, with all protected-mode checks. */
export function loadSeg(c: Cpu, s: number, sel: number): void {
  sel &= 0xffff;
  if (!isProtected(c)) {
    loadSegReal(c, s, sel);
    return;
  }
  const rpl = sel & 3;
  const cpl = c.cpl;
  if ((sel & 0xfffc) === 0) {
    if (s === Seg.SS) raise(c, 13, 0);
    setSegCache(c, s, sel, 0, 0, AR.UNUSABLE);
    return;
  }
  const addr = readDescriptor(c, sel);
  const hi = c.descHi;
  const ar = descAr(hi);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  if (s === Seg.SS) {
    if (rpl !== cpl || dpl !== cpl || (ar & (AR.S | AR.CODE | AR.RW)) !== (AR.S | AR.RW)) raise(c, 13, sel & 0xfffc);
    if ((ar & AR.P) === 0) raise(c, 12, sel & 0xfffc);
  } else {
    if ((ar & AR.S) === 0 || (ar & (AR.CODE | AR.RW)) === AR.CODE) raise(c, 13, sel & 0xfffc);
    const conformingCode = (ar & (AR.CODE | AR.DC)) === (AR.CODE | AR.DC);
    if (!conformingCode && (rpl > dpl || cpl > dpl)) raise(c, 13, sel & 0xfffc);
    if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  }
  setAccessedBit(c, addr);
  setSegCache(c, s, sel, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), descAr(c.descHi));
}

/** Loads CS from the descriptor in c.descLo/descHi with RPL forced to `cpl`, and makes `cpl` current. */
export function loadCsFromDesc(c: Cpu, sel: number, cpl: number): void {
  setSegCache(c, Seg.CS, (sel & 0xfffc) | cpl, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), descAr(c.descHi));
  setCpl(c, cpl);
}

/** After a privilege drop (RET/IRET to an outer ring): data segments the new CPL may not use become null. */
export function nullInvalidSegs(c: Cpu): void {
  for (const s of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
    const ar = c.segAr[s];
    if (ar & AR.UNUSABLE) continue;
    const dpl = (ar >>> AR.DPL_SHIFT) & 3;
    const conformingCode = (ar & (AR.CODE | AR.DC)) === (AR.CODE | AR.DC);
    if (!conformingCode && dpl < c.cpl) setSegCache(c, s, 0, 0, 0, AR.UNUSABLE);
  }
}
