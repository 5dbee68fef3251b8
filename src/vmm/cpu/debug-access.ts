import type { Cpu } from './cpu';
import { StopReason } from './cpu-host';

/**
 * Data watchpoints (the debugger's, unlimited, any size) and DR0-DR3 data breakpoints (the guest's). Both
 * work by keeping their linear pages out of the shadow page tables (c.watched), so only accesses to those pages pay for
 * the check; everything else runs at full speed.
 */

export const enum WatchKind {
  Read = 1,
  Write = 2,
  Access = 3,
}

export interface Watchpoint {
  id: number;
  start: number;
  /** Length in bytes (>= 1). */
  length: number;
  kind: WatchKind;
}

export interface WatchHit {
  id: number;
  address: number;
  size: number;
  /** 1 = read, 2 = write. */
  kind: number;
  value: number;
  /** EIP of the accessing instruction. */
  eip: number;
}

interface DrData {
  n: number;
  start: number;
  length: number;
  /** 2 = write only, 3 = read or write. */
  kind: number;
}

/** Called by the slow path for accesses to slow pages. `kind` 1 = read, 2 = write. */
export function debugAccess(c: Cpu, lin: number, size: number, kind: number, value: number): void {
  const a = lin >>> 0;
  for (const w of c.watches) {
    if ((w.kind & kind) === 0) continue;
    const ws = w.start >>> 0;
    if (a < ws + w.length && a + size > ws) {
      if (c.watchHit === null) {
        c.watchHit = { id: w.id, address: a, size, kind, value: size === 4 ? value >>> 0 : value, eip: c.instrStart >>> 0 };
        c.stopReq = StopReason.Watchpoint;
        c.attn = true;
      }
    }
  }
  for (const d of c.drData) {
    if ((d.kind & kind) === 0) continue;
    const ds = d.start >>> 0;
    if (a < ds + d.length && a + size > ds) {
      c.pendingDr6 |= 1 << d.n;
      c.attn = true;
    }
  }
}

/**
 * Recomputes which linear pages this vCPU watches, after watchpoints or DR7 changed. The set the shadows
 * honour is VM-wide (roots are shared): a count per page over the vCPUs; each vCPU's slow path then checks
 * only its own watchpoints and DR0-3.
 */
export function rebuildSlowPages(c: Cpu): void {
  const watched = c.watched;
  for (const p of c.slowPageList) watched[p]--;
  c.slowPageList.length = 0;
  const mine = new Set<number>();
  const mark = (start: number, length: number): void => {
    const first = start >>> 12;
    const last = ((start >>> 0) + Math.max(length, 1) - 1) >>> 12;
    for (let p = first; p <= last && p < 0x100000; p++) mine.add(p);
  };
  for (const w of c.watches) mark(w.start, w.length);
  c.drData = [];
  const dr7 = c.dr[7];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >>> (n * 2)) & 3) === 0) continue;
    const rw = (dr7 >>> (16 + n * 4)) & 3;
    if (rw !== 1 && rw !== 3) continue; // execute (0) is checked at instruction boundaries; I/O (2) needs DE
    const len = [1, 2, 8, 4][(dr7 >>> (18 + n * 4)) & 3];
    const start = c.dr[n] & ~(len - 1);
    c.drData.push({ n, start, length: len, kind: rw === 1 ? 2 : 3 });
    mark(start, len);
  }
  for (const p of mine) {
    if (watched[p]++ === 0) c.smmu.dropLinear(p);
    c.slowPageList.push(p);
  }
  c.fSpan = -1;
}

export type { DrData };

/** Any DR0-DR3 enabled as an instruction breakpoint (checked at every boundary while true). */
export function drExecEnabled(dr7: number): boolean {
  for (let n = 0; n < 4; n++) {
    if ((dr7 >>> (n * 2)) & 3 && ((dr7 >>> (16 + n * 4)) & 3) === 0) return true;
  }
  return false;
}

/** DR0-DR3 with R/W = 10 are I/O breakpoints when CR4.DE is set. */
export function ioBreakpointsEnabled(c: Cpu): boolean {
  if ((c.cr[4] & 0x8) === 0) return false;
  for (let n = 0; n < 4; n++) if ((c.dr[7] >>> (n * 2)) & 3 && ((c.dr[7] >>> (16 + n * 4)) & 3) === 2) return true;
  return false;
}
