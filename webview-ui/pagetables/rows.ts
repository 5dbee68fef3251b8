/**
 * The table's rows over the snapshot's folded runs, without one object per row: a row is either a run (folded)
 * or one page of an expanded run. Only expanded runs are listed (sorted), so mapping a row to its run and page
 * costs one pass over the expanded runs, however many pages the space holds.
 */
import type { RunColumns } from '../../src/extension/page-table-panel-messages';

export const PAGE = 4096;

export class RowModel {
  /** Run indices expanded into their pages, ascending. */
  private expanded: number[] = [];
  private rows = 0;
  /** Out-parameters of locate(): no allocation per visible row while scrolling. */
  run = 0;
  page = 0;

  constructor(readonly runs: RunColumns) {
    this.rows = runs.lin.length;
  }

  get rowCount(): number {
    return this.rows;
  }

  get runCount(): number {
    return this.runs.lin.length;
  }

  isExpanded(run: number): boolean {
    return this.indexOf(run) >= 0;
  }

  expandedRuns(): readonly number[] {
    return this.expanded;
  }

  /** Expands or folds a run of more than one page; returns whether it is expanded now. */
  toggle(run: number): boolean {
    const count = this.runs.count[run];
    if (count <= 1) return false;
    const at = this.indexOf(run);
    if (at >= 0) {
      this.expanded.splice(at, 1);
      this.rows -= count - 1;
      return false;
    }
    let i = 0;
    while (i < this.expanded.length && this.expanded[i] < run) i++;
    this.expanded.splice(i, 0, run);
    this.rows += count - 1;
    return true;
  }

  /** Sets `run` and `page` for a row index. */
  locate(row: number): void {
    const count = this.runs.count;
    let extra = 0;
    for (let i = 0; i < this.expanded.length; i++) {
      const e = this.expanded[i];
      const start = e + extra;
      if (row < start) break;
      const span = count[e];
      if (row < start + span) {
        this.run = e;
        this.page = row - start;
        return;
      }
      extra += span - 1;
    }
    this.run = row - extra;
    this.page = 0;
  }

  /** Row index of a run's first row (its folded row, or its first page when expanded). */
  rowOf(run: number, page = 0): number {
    let extra = 0;
    for (let i = 0; i < this.expanded.length && this.expanded[i] < run; i++) extra += this.runs.count[this.expanded[i]] - 1;
    return run + extra + (this.isExpanded(run) ? page : 0);
  }

  /** The run whose pages cover a linear address, or -1 (the runs are sorted by linear address). */
  findRun(address: number): number {
    const lin = this.runs.lin;
    const a = address >>> 0;
    let lo = 0;
    let hi = lin.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (lin[mid] >>> 0 <= a) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best < 0) return -1;
    const end = (lin[best] >>> 0) + this.runs.count[best] * PAGE;
    return a < end ? best : -1;
  }

  /** Linear address of a row's first page. */
  linearOf(row: number): number {
    this.locate(row);
    return ((this.runs.lin[this.run] >>> 0) + this.page * PAGE) >>> 0;
  }

  private indexOf(run: number): number {
    const e = this.expanded;
    let lo = 0;
    let hi = e.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid] === run) return mid;
      if (e[mid] < run) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
