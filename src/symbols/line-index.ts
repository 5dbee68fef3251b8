import { LineTable, normalizePath } from './dwarf-line';

/** All line tables of one file, indexed for address -> line and line -> addresses. Link-time addresses. */

export interface LineEntry {
  start: number;
  end: number;
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
  prologueEnd: boolean;
  /** Which line table (compilation unit) the row came from. */
  table: number;
  /** Start of the row's sequence (a contiguous block of code, usually one function or one CU). */
  sequenceStart: number;
  /**
   * Followed, at the same address, by a row of another file. gdb keeps one table per source file and ends the
   * old file's run there, which drops this row for breakpoints; we copy that so breakpoints land where gdb's do.
   */
  shadowed: boolean;
}

export class LineIndex {
  /** Non-empty address ranges, sorted by start. */
  readonly entries: LineEntry[] = [];
  /** Every row, including those sharing an address with the next (breakpoints may land on any of them). */
  readonly rows: LineEntry[] = [];
  private readonly fileSet = new Set<string>();

  constructor(tables: LineTable[], keepSequence: (start: number) => boolean = () => true) {
    tables.forEach((t, ti) => {
      let seq: LineEntry[] = [];
      let seqStart = -1;
      let lastFile: string | undefined;
      let lastAddress = -1;
      // gdb's per-file tables: a switch to another file (or the end of the sequence) at the same address ends
      // the old file's run there, dropping its rows at that address. Mirrored so breakpoints match gdb's.
      const endRun = (file: string | undefined, address: number): void => {
        for (let k = seq.length - 1; k >= 0 && seq[k].start === address; k--) if (seq[k].file === file) seq[k].shadowed = true;
      };
      for (let i = 0; i < t.rows.length; i++) {
        const r = t.rows[i];
        if (seqStart < 0) seqStart = r.address;
        if (r.endSequence) {
          endRun(lastFile, r.address);
          if (keepSequence(seqStart)) {
            this.rows.push(...seq);
            // Several rows at one address: the last one describes the code there.
            for (const e of seq) if (e.end > e.start) this.entries.push(e);
          }
          seq = [];
          seqStart = -1;
          lastFile = undefined;
          continue;
        }
        const next = t.rows[i + 1];
        if (!next || next.address < r.address) continue;
        const file = t.files[r.file] ?? `<file ${r.file}>`;
        this.fileSet.add(file);
        const entry: LineEntry = {
          start: r.address, end: next.address, file, line: r.line, column: r.column, isStmt: r.isStmt,
          prologueEnd: r.prologueEnd, table: ti, sequenceStart: seqStart, shadowed: false,
        };
        if (lastFile !== undefined && file !== lastFile) {
          // A non-statement row switching files at the same address is ignored by gdb altogether.
          if (r.address === lastAddress && !r.isStmt) entry.shadowed = true;
          else endRun(lastFile, r.address);
        }
        seq.push(entry);
        if (!entry.shadowed) {
          lastFile = file;
          lastAddress = r.address;
        }
      }
    });
    this.entries.sort((a, b) => a.start - b.start || a.end - b.end);
    this.rows.sort((a, b) => a.start - b.start);
  }

  lookup(addr: number): LineEntry | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.entries[i];
  }

  private indexOf(addr: number): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].start <= addr) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // Overlapping sequences are rare (discarded COMDAT code); look back a little for one that covers addr.
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const e = this.entries[i];
      if (addr >= e.start && addr < e.end) return i;
    }
    return -1;
  }

  files(): string[] {
    return [...this.fileSet].sort();
  }

  /**
   * gdb's view of the line containing addr: consecutive rows of one sequence on the same file and line merged.
   * Returns [start, end) of that merged run.
   */
  lineRun(addr: number): [number, number] | undefined {
    const i = this.indexOf(addr);
    if (i < 0) return undefined;
    const e = this.entries[i];
    let lo = i;
    let hi = i;
    const same = (o: LineEntry): boolean => o.line === e.line && o.file === e.file && o.sequenceStart === e.sequenceStart;
    while (lo > 0 && same(this.entries[lo - 1]) && this.entries[lo - 1].end === this.entries[lo].start) lo--;
    while (hi + 1 < this.entries.length && same(this.entries[hi + 1]) && this.entries[hi + 1].start === this.entries[hi].end) hi++;
    return [this.entries[lo].start, this.entries[hi].end];
  }

  /** Entries within [low, high), in address order. */
  entriesIn(low: number, high: number): LineEntry[] {
    return this.entries.filter((e) => e.start >= low && e.start < high);
  }

  /**
   * The files of this index that a user-supplied path names: exact match, else the ones sharing the longest
   * path suffix (at least the base name), since build and editor paths rarely agree on the prefix.
   */
  matchFiles(path: string): Set<string> {
    const want = splitPath(path);
    let best = 0;
    let out = new Set<string>();
    for (const f of this.fileSet) {
      const score = suffixScore(want, splitPath(f));
      if (score > best) {
        best = score;
        out = new Set([f]);
      } else if (score === best && score > 0) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * Statement addresses for a line, or for the next line below it that has code (per gdb). Returns the line
   * actually used and every candidate address; callers pick one per function or inlined block.
   */
  findLine(files: Set<string>, line: number): { line: number; entries: LineEntry[] } | undefined {
    let exact: LineEntry[] = [];
    let nextLine = Infinity;
    for (const e of this.rows) {
      if (!e.isStmt || e.shadowed || e.line === 0 || !files.has(e.file)) continue;
      if (e.line === line) exact.push(e);
      else if (e.line > line && e.line < nextLine) nextLine = e.line;
    }
    if (exact.length === 0 && nextLine !== Infinity) {
      exact = this.rows.filter((e) => e.isStmt && !e.shadowed && e.line === nextLine && files.has(e.file));
      line = nextLine;
    }
    return exact.length ? { line, entries: exact } : undefined;
  }
}

function splitPath(p: string): string[] {
  return normalizePath(p).split('/').filter((s) => s.length > 0);
}

function suffixScore(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}
