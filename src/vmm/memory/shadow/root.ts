import { FILL_LIST, FREE_KEY, PDE_NONE } from './constants';

/**
 * One shadow root: a flat table indexed by linear page number whose entries are exactly what the CPU's fast
 * path reads (machine page offset | Perm bits, 0 = no entry), so a hit is one array load. Filled entries are
 * listed so clearing touches only them; past FILL_LIST distinct pages the list is abandoned and a clear
 * rewrites the whole 4 MiB table (about 1 ms).
 */
export class ShadowRoot {
  key = FREE_KEY;
  readonly entries = new Int32Array(1 << 20);
  readonly list = new Int32Array(FILL_LIST);
  count = 0;
  overflow = false;
  /** Per PDE slot: the page-table gfn its entries were shadowed from, PDE_LARGE, or PDE_NONE. */
  readonly pdeSrc = new Int32Array(1024).fill(PDE_NONE);
  /** Bit i: vCPU i has this root active (never evicted while non-zero). */
  cpuMask = 0;
  lastUse = 0;

  constructor(readonly slot: number) {}

  /** Stores an entry, listing the page if it was empty. */
  set(p: number, e: number): void {
    if (this.entries[p] === 0) this.record(p);
    this.entries[p] = e;
  }

  private record(p: number): void {
    if (this.overflow) return;
    if (this.count === FILL_LIST) {
      this.compact();
      if (this.count > (FILL_LIST * 3) >>> 2) {
        this.overflow = true;
        return;
      }
    }
    this.list[this.count++] = p;
  }

  /**
   * Entries cleared one by one (INVLPG, traced writes) leave their pages listed, and a refill lists them
   * again: drop the empty ones and the duplicates (bit 11, free in an entry, marks pages already kept).
   */
  private compact(): void {
    const t = this.entries;
    const l = this.list;
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const p = l[i];
      const e = t[p];
      if (e === 0 || e & 0x800) continue;
      t[p] = e | 0x800;
      l[n++] = p;
    }
    for (let i = 0; i < n; i++) t[l[i]] &= ~0x800;
    this.count = n;
  }

  /** Live entries (for the statistics). */
  filled(): number {
    const t = this.entries;
    let n = 0;
    if (this.overflow) {
      for (let p = 0; p < t.length; p++) if (t[p] !== 0) n++;
      return n;
    }
    this.compact();
    return this.count;
  }

  /** Calls fn(page, entry) for every live entry. */
  forEach(fn: (p: number, e: number) => void): void {
    const t = this.entries;
    if (this.overflow) {
      for (let p = 0; p < t.length; p++) if (t[p] !== 0) fn(p, t[p]);
      return;
    }
    this.compact();
    for (let i = 0; i < this.count; i++) fn(this.list[i], t[this.list[i]]);
  }

  /** Empties the table (trace links are the MMU's business). */
  clearEntries(): void {
    if (this.overflow) this.entries.fill(0);
    else for (let i = 0; i < this.count; i++) this.entries[this.list[i]] = 0;
    this.count = 0;
    this.overflow = false;
  }
}
