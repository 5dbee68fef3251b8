import type { GuestPhysicalMemory } from '../memory/guest-physical';

/**
 * The guest page walk (two-level, 32-bit, no PAE): kept small, pure and separate; the shadow MMU
 * (memory/shadow/) fills its entries from it and audits them against it. It reads the guest's own tables through guest-physical memory and, when asked, sets
 * accessed/dirty bits exactly as a P6 does: A in every entry used by a successful translation, D in the
 * final entry on a write. A faulting access sets nothing.
 */

/** Access kinds (error-code compatible: bit 1 = write). */
export const enum Access {
  Read = 0,
  Write = 2,
  Fetch = 4,
}

/** Shadow-entry permission bits (memory/shadow/, the fast path's format), also returned by the walk. */
export const enum Perm {
  SupRead = 1,
  SupWrite = 2,
  UserRead = 4,
  UserWrite = 8,
  Global = 16,
  All = 15,
}

export class WalkResult {
  /** Physical address of the byte. */
  phys = 0;
  /** Perm bits for the TLB; write bits only if the dirty bit is already set (so the first write walks). */
  perms = 0;
  /** #PF error code when the walk fails (P, W/R, U/S). */
  errorCode = 0;
  /** Linear base and size of the mapping (4 KiB or 4 MiB page), for the page-table panel. */
  pageSize = 0;
  pde = 0;
  pte = 0;
}

/**
 * Page-table entries are read and written straight from machine memory (one DataView access) when the table
 * page is plain RAM; GuestPhysicalMemory's byte-wise accessors would make every TLB refill several times
 * slower. Anything else (MMIO, never-touched pages) goes through GuestPhysicalMemory.
 */
let dvBuffer: ArrayBufferLike | null = null;
let dv: DataView | null = null;

function view(phys: GuestPhysicalMemory): DataView {
  if (dvBuffer !== phys.machine.buffer || dv === null) {
    dvBuffer = phys.machine.buffer;
    dv = new DataView(phys.machine.buffer);
  }
  return dv;
}

function read32(phys: GuestPhysicalMemory, addr: number): number {
  const off = phys.peekFrameOffset(addr >>> 12);
  return off < 0 ? phys.read32(addr) : view(phys).getInt32(off + (addr & 0xfff), true);
}

function write32(phys: GuestPhysicalMemory, addr: number, v: number): void {
  const off = phys.peekFrameOffset(addr >>> 12);
  if (off < 0) phys.write32(addr, v);
  else view(phys).setInt32(off + (addr & 0xfff), v, true);
}

const PSE = 0x10;
const PGE = 0x80;
const WP = 0x10000;

/**
 * Translates `lin`. Returns false on a page fault (out.errorCode set). `setAD` false makes it a pure query
 * (the debugger's views): no bits set, and the permission check still reports what the access would do.
 */
export function walk(
  phys: GuestPhysicalMemory,
  cr0: number,
  cr3: number,
  cr4: number,
  lin: number,
  access: number,
  user: boolean,
  setAD: boolean,
  out: WalkResult,
): boolean {
  const write = (access & Access.Write) !== 0;
  const errBase = (write ? 2 : 0) | (user ? 4 : 0);
  const pdeAddr = ((cr3 & ~0xfff) + ((lin >>> 22) << 2)) >>> 0;
  const pde = read32(phys, pdeAddr);
  out.pde = pde;
  out.pte = 0;
  if ((pde & 1) === 0) {
    out.errorCode = errBase;
    return false;
  }
  const wp = (cr0 & WP) !== 0;
  if (pde & 0x80 && cr4 & PSE) {
    if (!allowed(pde, write, user, wp)) {
      out.errorCode = errBase | 1;
      return false;
    }
    let e = pde | 0x20;
    if (write) e |= 0x40;
    if (setAD && e !== pde) write32(phys, pdeAddr, e);
    out.phys = ((pde & 0xffc00000) | (lin & 0x3fffff)) >>> 0;
    out.perms = perms(pde, pde, setAD ? e : pde, wp, cr4);
    out.pageSize = 0x400000;
    return true;
  }
  const pteAddr = ((pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
  const pte = read32(phys, pteAddr);
  out.pte = pte;
  if ((pte & 1) === 0) {
    out.errorCode = errBase;
    return false;
  }
  const combined = pde & pte;
  if (!allowed(combined, write, user, wp)) {
    out.errorCode = errBase | 1;
    return false;
  }
  if (setAD) {
    if ((pde & 0x20) === 0) write32(phys, pdeAddr, pde | 0x20);
    const e = pte | 0x20 | (write ? 0x40 : 0);
    if (e !== pte) write32(phys, pteAddr, e);
    out.perms = perms(combined, pte, e, wp, cr4);
  } else {
    out.perms = perms(combined, pte, pte, wp, cr4);
  }
  out.phys = ((pte & ~0xfff) | (lin & 0xfff)) >>> 0;
  out.pageSize = 0x1000;
  return true;
}

function allowed(e: number, write: boolean, user: boolean, wp: boolean): boolean {
  if (user) {
    if ((e & 4) === 0) return false;
    return !write || (e & 2) !== 0;
  }
  return !write || !wp || (e & 2) !== 0;
}

function perms(combined: number, leaf: number, leafAfter: number, wp: boolean, cr4: number): number {
  let p = Perm.SupRead;
  const dirty = (leafAfter & 0x40) !== 0;
  if (dirty && ((combined & 2) !== 0 || !wp)) p |= Perm.SupWrite;
  if (combined & 4) {
    p |= Perm.UserRead;
    if (dirty && combined & 2) p |= Perm.UserWrite;
  }
  if (leaf & 0x100 && cr4 & PGE) p |= Perm.Global;
  return p;
}
