import type { GuestPhysicalMemory } from '../guest-physical';
import type { WalkResult } from '../../cpu/paging';
import { FREE_KEY, PDE_LARGE, PDE_NONE, PHYS_KEY, Protect, ROOT_CACHE_SIZE, WRITE_BITS, envAuditEvery, keyPdGfn, rootKey } from './constants';
import { ShadowRoot } from './root';
import { TraceMap } from './trace';
import { ShadowStats, newStats } from './counters';
import { auditRoots } from './audit';

/** What the MMU needs of a vCPU: which root it runs on, and its fetch window to drop. */
export interface ShadowCpu {
  readonly index: number;
  root: ShadowRoot | null;
  tlb: Int32Array;
  fSpan: number;
}

/**
 * A VM's shadow MMU: the cache of shadow roots its vCPUs share, the write tracing that keeps them coherent
 * with the guest's page tables, and the VM-wide set of watched linear pages. The CPU's fast path reads a
 * root's entries directly (`c.tlb` is the active root's table); everything here runs on misses, CR3 writes,
 * INVLPG and writes to traced frames.
 */
export class ShadowMmu {
  readonly stats: ShadowStats = newStats();
  readonly trace = new TraceMap();
  /** Cached roots; a root's index is its slot (the reverse map names roots by slot). */
  readonly roots: ShadowRoot[] = [];
  /** Per linear page: how many vCPUs watch it (debugger watchpoints, DR0-3 data breakpoints). */
  readonly watched = new Uint8Array(1 << 20);
  /** Run the audit every this many events (CR3 writes, INVLPG, traced writes); 0 = never. */
  auditEvery = envAuditEvery();
  /** The last audit's findings (empty when it passed). */
  auditReport: string[] = [];
  /** Hook for the translator: a write hit a frame marked Protect.Code. */
  onCodeWrite: ((gpa: number, size: number) => void) | null = null;
  /** Hook for memory reclamation: a write hit a frame marked Protect.Cow. */
  onCowWrite: ((gpa: number, size: number) => void) | null = null;
  /** phys.generation the roots were filled under. */
  physGen: number;
  private auditTick = 0;
  private clock = 0;

  constructor(readonly phys: GuestPhysicalMemory) {
    this.physGen = phys.generation;
    // Writers other than the CPU (DMA-like devices, firmware, hypercalls) reach the shadows too.
    phys.ramWriteListener = (gpa, length) => this.physWritten(gpa, length);
  }

  // ---- roots ----

  /** Puts the vCPU on the root for its paging state (CR3 writes, mode changes, reset). */
  activate(c: ShadowCpu, cr0: number, cr3: number, cr4: number): void {
    const key = rootKey(cr0, cr3, cr4);
    const old = c.root;
    let r: ShadowRoot | null = old !== null && old.key === key ? old : null;
    if (r === null) for (const x of this.roots) if (x.key === key) r = x;
    if (r !== null) this.stats.rootsReused++;
    else r = this.build(key);
    const bit = 1 << (c.index & 31);
    if (old !== null) old.cpuMask &= ~bit;
    r.cpuMask |= bit;
    r.lastUse = ++this.clock;
    c.root = r;
    c.tlb = r.entries;
    c.fSpan = -1;
  }

  private build(key: number): ShadowRoot {
    this.stats.rootsBuilt++;
    let r: ShadowRoot | null = null;
    for (const x of this.roots) if (x.key === FREE_KEY) r = x;
    if (r === null && this.roots.length < ROOT_CACHE_SIZE) {
      r = new ShadowRoot(this.roots.length);
      this.roots.push(r);
    }
    if (r === null) {
      for (const x of this.roots) if (x.cpuMask === 0 && (r === null || x.lastUse < r.lastUse)) r = x;
      if (r !== null) this.evict(r);
    }
    // More vCPUs on distinct address spaces than the cache holds: grow past it rather than evict a live root.
    if (r === null) {
      r = new ShadowRoot(this.roots.length);
      this.roots.push(r);
    }
    r.key = key;
    if (key !== PHYS_KEY && this.trace.addRef(keyPdGfn(key))) this.downgrade(keyPdGfn(key));
    return r;
  }

  private evict(r: ShadowRoot): void {
    this.stats.evictions++;
    this.clearRoot(r);
    if (r.key !== PHYS_KEY) this.trace.dropRef(keyPdGfn(r.key));
    r.key = FREE_KEY;
  }

  /** Empties a root and drops its page-table links (its page directory stays traced while it is cached). */
  private clearRoot(r: ShadowRoot): void {
    r.clearEntries();
    const src = r.pdeSrc;
    for (let i = 0; i < 1024; i++) {
      if (src[i] >= 0) this.trace.unlinkPt(src[i], r.slot, i);
      src[i] = PDE_NONE;
    }
  }

  /** Empties every root (p2m changes, the debugger rewriting control registers). */
  flushAll(): void {
    this.stats.flushes++;
    for (const r of this.roots) this.clearRoot(r);
    this.physGen = this.phys.generation;
  }

  // ---- hidden faults ----

  /**
   * Fills the entry for `lin` after a successful translation to `gpa` at machine offset `page` (w: the
   * guest walk, null in physical mode). Watched pages never get an entry; protected frames get no write bits.
   */
  fill(r: ShadowRoot, lin: number, gpa: number, page: number, perms: number, w: WalkResult | null): void {
    const p = lin >>> 12;
    if (this.watched[p] !== 0) return;
    const g = gpa >>> 12;
    if (w !== null) {
      const pdi = lin >>> 22;
      const src = w.pageSize === 0x1000 ? w.pde >>> 12 : PDE_LARGE;
      const cur = r.pdeSrc[pdi];
      if (cur !== src) {
        // The PDE slot was shadowed from another table without a traced write telling us: start it afresh.
        if (cur !== PDE_NONE) this.clearPde(r, pdi);
        r.pdeSrc[pdi] = src;
        if (src >= 0 && this.trace.linkPt(src, r.slot, pdi)) this.downgrade(src);
      }
    }
    const t = this.trace;
    if (t.protect[g] !== 0) perms &= ~WRITE_BITS;
    else if (perms & WRITE_BITS) t.writable[g] = 1;
    const e = page | perms;
    if (r.entries[p] === e) return;
    r.set(p, e);
    this.stats.hiddenFaults++;
  }

  /**
   * A frame just became traced: remove write permission from every shadow entry that maps it (the kernel's
   * direct map, a recursive mapping...). The machine frame identifies the entries.
   */
  private downgrade(gfn: number): void {
    const mo = this.phys.peekFrameOffset(gfn);
    if (mo < 0) return;
    this.stats.aliasScans++;
    for (const r of this.roots) {
      if (r.key === FREE_KEY) continue;
      const t = r.entries;
      if (r.overflow) {
        for (let p = 0; p < t.length; p++) if ((t[p] & -4096) === mo && t[p] & WRITE_BITS) this.downgradeEntry(t, p);
      } else {
        const l = r.list;
        for (let i = 0; i < r.count; i++) {
          const p = l[i];
          if ((t[p] & -4096) === mo && t[p] & WRITE_BITS) this.downgradeEntry(t, p);
        }
      }
    }
  }

  private downgradeEntry(t: Int32Array, p: number): void {
    t[p] &= ~WRITE_BITS;
    this.stats.aliasDowngrades++;
  }

  // ---- invalidation ----

  /** INVLPG: drops the page, and the whole 4 MiB range when PSE may have mapped it with a large page. */
  invlpg(c: ShadowCpu, lin: number, pse: boolean): void {
    this.stats.invlpg++;
    const r = c.root;
    if (r !== null) {
      r.entries[lin >>> 12] = 0;
      if (pse) r.entries.fill(0, (lin >>> 22) << 10, ((lin >>> 22) + 1) << 10);
    }
    c.fSpan = -1;
    this.event();
  }

  /** Drops one linear page from every root (a page became watched). */
  dropLinear(p: number): void {
    for (const r of this.roots) r.entries[p] = 0;
  }

  /** Clears a root's 4 MiB range of PDE slot `pdi` and forgets the table it came from. */
  private clearPde(r: ShadowRoot, pdi: number): void {
    const src = r.pdeSrc[pdi];
    if (src === PDE_NONE) return;
    r.entries.fill(0, pdi << 10, (pdi + 1) << 10);
    if (src >= 0) this.trace.unlinkPt(src, r.slot, pdi);
    r.pdeSrc[pdi] = PDE_NONE;
  }

  /**
   * A guest write (of `size` bytes, within one frame) hit a protected frame: the CPU's slow path performed
   * it; now keep the shadows coherent. The writing vCPU's fetch window goes too (its code page may be remapped).
   */
  guestWrote(c: ShadowCpu, gpa: number, size: number): void {
    const g = gpa >>> 12;
    const prot = this.trace.protect[g];
    if (prot & Protect.Traced) {
      this.stats.tracedWrites++;
      this.invalidate(g, gpa & 0xfff, size);
      c.fSpan = -1;
      this.event();
    }
    if (prot & Protect.Code && this.onCodeWrite !== null) this.onCodeWrite(gpa, size);
    if (prot & Protect.Cow && this.onCowWrite !== null) this.onCowWrite(gpa, size);
  }

  /**
   * Guest-physical memory changed behind the CPU (the debugger's memory writes, device DMA, batched
   * page-table hypercalls): invalidate whatever was derived from the traced frames in the range.
   */
  physWritten(gpa: number, length: number): void {
    let a = gpa >>> 0;
    const end = a + length;
    while (a < end) {
      const inPage = Math.min(end - a, 0x1000 - (a & 0xfff));
      const g = a >>> 12;
      if (g < 0x100000 && this.trace.protect[g] & Protect.Traced) {
        this.stats.physWrites++;
        this.invalidate(g, a & 0xfff, inPage);
      }
      a += inPage;
    }
  }

  /** Invalidates the shadow entries derived from bytes [off, off + len) of traced frame g. */
  private invalidate(g: number, off: number, len: number): void {
    const first = off >>> 2;
    const last = (off + len - 1) >>> 2;
    // As a page table: one linear page per (root, PDE slot) using it and per entry written.
    const users = this.trace.ptUsers.get(g);
    if (users !== undefined) {
      for (const u of users) {
        const t = this.roots[u >>> 10].entries;
        const base = (u & 1023) << 10;
        for (let i = first; i <= last; i++) t[base | i] = 0;
      }
    }
    // As a page directory: the 4 MiB range of each PDE written, and its link to the old table.
    for (const r of this.roots) {
      if (r.key < 0 || keyPdGfn(r.key) !== g) continue;
      for (let i = first; i <= last; i++) this.clearPde(r, i);
    }
  }

  // ---- audit ----

  /** Counts an event; runs the audit every `auditEvery` events. */
  event(): void {
    if (this.auditEvery === 0) return;
    if (++this.auditTick < this.auditEvery) return;
    this.auditTick = 0;
    this.audit();
  }

  /** Checks every entry of every cached root against a fresh guest walk; throws with a report on a mismatch. */
  audit(): void {
    const errors = auditRoots(this);
    this.auditReport = errors;
    if (errors.length > 0) {
      throw new Error(`shadow audit failed: ${errors.length} mismatch(es)\n  ${errors.slice(0, 20).join('\n  ')}`);
    }
  }
}
