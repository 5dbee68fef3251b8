import { Protect } from './constants';

/**
 * Which guest frames are traced and who depends on them. A frame is traced while any cached root was built
 * from it: as the root's page directory, or as the page table behind one of a root's PDE slots. Reference
 * counts per gfn decide the Traced bit in `protect`; the reverse map says, for a page-table frame, which
 * (root slot, PDE index) pairs shadow it, so a PTE write invalidates exactly one linear page per pair.
 */
export class TraceMap {
  /** Per gfn: references from cached roots (PD use plus PT links). */
  readonly refs = new Int32Array(1 << 20);
  /** Per gfn: Protect bits. Non-zero keeps every shadow entry of the frame read-only. */
  readonly protect = new Uint8Array(1 << 20);
  /**
   * Per gfn: some shadow entry may map the frame writable (set on a writable fill). A frame becoming traced
   * needs its writable aliases downgraded; this bit says whether the scan is needed at all.
   */
  readonly writable = new Uint8Array(1 << 20);
  /** Page-table gfn -> list of (root slot << 10 | PDE index). */
  readonly ptUsers = new Map<number, number[]>();

  /** Adds a reference; returns true if the frame just became traced and may have writable aliases. */
  addRef(gfn: number): boolean {
    if (this.refs[gfn]++ !== 0) return false;
    this.protect[gfn] |= Protect.Traced;
    if (this.writable[gfn] === 0) return false;
    this.writable[gfn] = 0;
    return true;
  }

  dropRef(gfn: number): void {
    if (--this.refs[gfn] === 0) this.protect[gfn] &= ~Protect.Traced;
  }

  /** Links a PDE slot of a root to the page table it is shadowed from; true if aliases need a downgrade. */
  linkPt(gfn: number, slot: number, pdi: number): boolean {
    const u = this.ptUsers.get(gfn);
    if (u === undefined) this.ptUsers.set(gfn, [(slot << 10) | pdi]);
    else u.push((slot << 10) | pdi);
    return this.addRef(gfn);
  }

  unlinkPt(gfn: number, slot: number, pdi: number): void {
    const u = this.ptUsers.get(gfn);
    if (u === undefined) return;
    const i = u.indexOf((slot << 10) | pdi);
    if (i < 0) return;
    u[i] = u[u.length - 1];
    u.pop();
    if (u.length === 0) this.ptUsers.delete(gfn);
    this.dropRef(gfn);
  }

  /** Frames traced now (for the statistics). */
  tracedFrames(): number {
    let n = 0;
    for (let g = 0; g < this.refs.length; g++) if (this.refs[g] !== 0) n++;
    return n;
  }
}
