/**
 * Engine breakpoints (the debugger's, never guest-visible) indexed by linear page, so that instruction fetch can
 * keep them off the hot path: the CPU's fetch window never covers a breakpoint byte, so the only place that has
 * to look for a breakpoint is the window refill (Cpu.fetchSlow), which runs once per page entered, not once per
 * instruction. Pages without breakpoints cost nothing at all.
 */

/** Thrown by the fetch path when a breakpoint is hit on an instruction's first byte; run() stops on it. */
export const BREAK = { engineBreakpoint: true } as const;

export class BreakpointPages {
  /** Every breakpoint, by linear address (unsigned). */
  readonly all = new Set<number>();
  /** Breakpoints per 4 KiB linear page (Uint16: a page can hold 4096). */
  readonly perPage = new Uint16Array(1 << 20);
  /** Sorted page offsets of the breakpoints in each page that has any. */
  private readonly offsets = new Map<number, number[]>();

  get size(): number {
    return this.all.size;
  }

  add(a: number): boolean {
    if (this.all.has(a)) return false;
    this.all.add(a);
    const page = a >>> 12;
    this.perPage[page]++;
    const list = this.offsets.get(page);
    const off = a & 0xfff;
    if (list === undefined) this.offsets.set(page, [off]);
    else {
      list.push(off);
      list.sort((x, y) => x - y);
    }
    return true;
  }

  remove(a: number): boolean {
    if (!this.all.delete(a)) return false;
    const page = a >>> 12;
    this.perPage[page]--;
    const list = this.offsets.get(page)!;
    list.splice(list.indexOf(a & 0xfff), 1);
    if (list.length === 0) this.offsets.delete(page);
    return true;
  }

  /**
   * The widest run of page offsets around `off` with no breakpoint in it, as (first << 16) | last; -1 when
   * `off` itself holds a breakpoint (no window may cover it).
   */
  clearRun(page: number, off: number): number {
    const list = this.offsets.get(page);
    if (list === undefined) return 0xfff;
    let first = 0;
    let last = 0xfff;
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      if (o === off) return -1;
      if (o < off) first = o + 1;
      else {
        last = o - 1;
        break;
      }
    }
    return (first << 16) | last;
  }
}
