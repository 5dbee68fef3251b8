/**
 * The entries table: virtual scrolling over RowModel with a fixed row height. Only a pool of row elements as
 * tall as the viewport exists; scrolling rewrites their text. A sticky layer keeps the pool in view while the
 * scroller's spacer gives the scroll bar its length; beyond MAX_HEIGHT pixels (Chromium caps element heights
 * near 2^25 px) scroll positions map proportionally to rows instead of one pixel per pixel.
 */
import type { PanelSnapshot } from '../../src/extension/page-table-panel-messages';
import { GUEST_FLAGS, hex8, shadowText, sizeText, stateLook } from './format';
import { PAGE, RowModel } from './rows';

export const ROW_HEIGHT = 22;
const MAX_HEIGHT = 8_000_000;

interface PoolRow {
  el: HTMLDivElement;
  toggle: HTMLSpanElement;
  lin: HTMLSpanElement;
  linCount: HTMLSpanElement;
  pde: HTMLSpanElement[];
  pte: HTMLSpanElement[];
  gpa: HTMLSpanElement;
  machine: HTMLSpanElement;
  shadow: HTMLSpanElement;
  stateIcon: HTMLSpanElement;
  stateKind: HTMLSpanElement;
  stateReason: HTMLSpanElement;
  /** Row index shown, and the model generation it was drawn from (-1: needs drawing). */
  row: number;
  gen: number;
}

export interface TableEvents {
  openMemory(address: number, space: 'linear' | 'physical'): void;
  topChanged(address: number): void;
  /** Linear addresses of the expanded runs' first pages. */
  expandedChanged(starts: number[]): void;
}

/** Rewrites a text node in place, and only when the text changed: fewer nodes and layouts per scrolled frame. */
function setText(el: HTMLElement, text: string): void {
  const n = el.firstChild;
  if (n && n.nodeType === Node.TEXT_NODE && !n.nextSibling) {
    if (n.nodeValue !== text) n.nodeValue = text;
  } else if (text || n) {
    el.textContent = text;
  }
}

function span(cls: string, parent: HTMLElement, text?: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  if (text !== undefined) s.textContent = text;
  parent.appendChild(s);
  return s;
}

export class EntriesTable {
  readonly root: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly rowsBox: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private pool: PoolRow[] = [];
  private snap?: PanelSnapshot;
  private model?: RowModel;
  private gen = 0;
  private selected = -1;
  private viewHeight = 0;
  private topRow = 0;
  /** Fractional top row; kept when the scroll event is only the echo of our own scrollTop assignment. */
  private topRowExact = 0;
  private assignedScrollTop = -1;

  constructor(private readonly events: TableEvents) {
    this.root = document.createElement('div');
    this.root.className = 'entries';
    const head = document.createElement('div');
    head.className = 'row head';
    head.setAttribute('role', 'row');
    for (const [cls, text] of [
      ['toggle', ''], ['lin', 'Linear'], ['flags pde', 'Guest PDE'], ['flags pte', 'Guest PTE'], ['gpa', 'Guest-physical'],
      ['machine', 'Machine'], ['shadow', 'Shadow'], ['state', 'State'],
    ]) span(`c ${cls}`, head, text).setAttribute('role', 'columnheader');
    this.root.appendChild(head);
    this.scroller = document.createElement('div');
    this.scroller.className = 'scroller';
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'grid');
    this.layer = document.createElement('div');
    this.layer.className = 'layer';
    this.rowsBox = document.createElement('div');
    this.rowsBox.className = 'rows';
    this.layer.appendChild(this.rowsBox);
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.scroller.append(this.layer, this.spacer);
    this.root.appendChild(this.scroller);

    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.rowsBox.addEventListener('click', (e) => this.onClick(e));
    this.rowsBox.addEventListener('mouseover', (e) => this.onHover(e));
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.resize()).observe(this.scroller);
    this.warmUp();
  }

  /**
   * One unseen row with typical text, laid out at load: the first snapshot then finds the fonts resolved and
   * the glyphs shaped, which in the browser test took most of the first render.
   */
  private warmUp(): void {
    const w = this.makeRow();
    w.el.hidden = false;
    w.el.classList.add('warmup');
    w.el.setAttribute('aria-hidden', 'true');
    w.lin.textContent = '0123456789–abcdef';
    w.linCount.textContent = '1,024 pages · 4 MiB KiB GiB 1/';
    for (const f of [...w.pde, ...w.pte]) f.className = 'f on';
    w.gpa.textContent = '—';
    w.machine.textContent = 'fedcba98';
    w.shadow.textContent = 'S:rw U:r- G none';
    w.stateIcon.className = 'codicon codicon-pass';
    w.stateKind.textContent = 'absent mapped traced write-protected slow path';
    w.stateReason.textContent = 'guest maps nothing not faulted in same rights as the guest page-table page code page watched mmio';
    this.warm = w.el;
  }

  private warm?: HTMLElement;

  get rowCount(): number {
    return this.model?.rowCount ?? 0;
  }

  /**
   * New data: keeps expanded runs that still start at the same address, and the top address in view (or, for
   * a webview that was just restored, those it saved).
   */
  setSnapshot(snap: PanelSnapshot, restore?: { top?: number; expanded?: number[] }): void {
    const old = this.model;
    const keepTop = restore?.top ?? (old ? this.topAddress() : undefined);
    const reopen = restore?.expanded ?? (old ? this.expandedStarts() : []);
    this.snap = snap;
    this.model = new RowModel(snap.runs);
    this.warm?.remove();
    this.warm = undefined;
    for (const a of reopen) {
      const r = this.model.findRun(a);
      if (r >= 0 && this.model.runs.lin[r] >>> 0 === a && !this.model.isExpanded(r)) this.model.toggle(r);
    }
    this.selected = -1;
    this.gen++;
    this.layout();
    if (keepTop !== undefined) this.scrollToAddress(keepTop, false);
    else this.draw();
  }

  clear(): void {
    this.snap = undefined;
    this.model = undefined;
    this.gen++;
    this.layout();
    this.draw();
  }

  /** Scrolls to the page holding `address`, expanding its run; false if no run covers it. */
  jumpTo(address: number): boolean {
    const m = this.model;
    if (!m) return false;
    const run = m.findRun(address);
    if (run < 0) return false;
    const page = Math.floor(((address >>> 0) - (m.runs.lin[run] >>> 0)) / PAGE);
    if (page > 0 && !m.isExpanded(run)) {
      m.toggle(run);
      this.gen++;
      this.layout();
      this.events.expandedChanged(this.expandedStarts());
    }
    this.selected = m.rowOf(run, page);
    this.scrollToRow(this.selected - Math.floor(this.visibleRows() / 3));
    this.draw();
    this.scroller.focus({ preventScroll: true });
    return true;
  }

  expandedStarts(): number[] {
    const m = this.model;
    return m ? m.expandedRuns().map((r) => m.runs.lin[r] >>> 0) : [];
  }

  toggleRun(run: number): void {
    const m = this.model;
    if (!m) return;
    const top = this.topRow;
    const anchor = m.rowOf(run);
    m.toggle(run);
    this.gen++;
    this.events.expandedChanged(this.expandedStarts());
    this.selected = m.rowOf(run);
    this.layout();
    // Keep the toggled run where it was on screen.
    this.scrollToRow(top <= anchor ? top : m.rowOf(run));
    this.draw();
  }

  topAddress(): number | undefined {
    return this.model && this.model.rowCount ? this.model.linearOf(this.topRow) : undefined;
  }

  private scrollToAddress(address: number, select: boolean): void {
    const m = this.model;
    if (!m) return;
    const run = m.findRun(address);
    if (run < 0) return this.draw();
    const page = m.isExpanded(run) ? Math.floor(((address >>> 0) - (m.runs.lin[run] >>> 0)) / PAGE) : 0;
    const row = m.rowOf(run, page);
    if (select) this.selected = row;
    this.scrollToRow(row);
    this.draw();
  }

  private visibleRows(): number {
    return Math.max(1, Math.floor(this.viewHeight / ROW_HEIGHT));
  }

  private virtualHeight(): number {
    return Math.min(this.rowCount * ROW_HEIGHT, MAX_HEIGHT);
  }

  private scaled(): boolean {
    return this.rowCount * ROW_HEIGHT > MAX_HEIGHT;
  }

  private maxTopRow(): number {
    return Math.max(0, this.rowCount - this.viewHeight / ROW_HEIGHT);
  }

  /** Exact (fractional) top row for the scroller's position. */
  private rowAtScroll(): number {
    const st = this.scroller.scrollTop;
    if (!this.scaled()) return st / ROW_HEIGHT;
    const maxScroll = Math.max(1, this.virtualHeight() - this.viewHeight);
    return Math.min(1, st / maxScroll) * this.maxTopRow();
  }

  private scrollToRow(row: number): void {
    const r = Math.max(0, Math.min(row, this.maxTopRow()));
    const st = this.scaled() ? (r / Math.max(1, this.maxTopRow())) * (this.virtualHeight() - this.viewHeight) : r * ROW_HEIGHT;
    this.scroller.scrollTop = st;
    this.assignedScrollTop = this.scroller.scrollTop;
    this.topRowExact = r;
  }

  private layout(): void {
    const vh = this.viewHeight;
    this.layer.style.height = `${vh}px`;
    this.spacer.style.height = `${Math.max(0, this.virtualHeight() - vh)}px`;
    const want = Math.ceil(vh / ROW_HEIGHT) + 2;
    while (this.pool.length < want) this.pool.push(this.makeRow());
    while (this.pool.length > want) this.pool.pop()!.el.remove();
  }

  private resize(): void {
    const h = this.scroller.clientHeight;
    if (h === this.viewHeight) return;
    const top = this.topAddress();
    this.viewHeight = h;
    this.layout();
    if (top !== undefined) this.scrollToAddress(top, false);
    else this.draw();
  }

  private onScroll(): void {
    if (Math.abs(this.scroller.scrollTop - this.assignedScrollTop) < 1) return;
    this.assignedScrollTop = -1;
    this.topRowExact = this.rowAtScroll();
    this.draw();
    const top = this.topAddress();
    if (top !== undefined) this.events.topChanged(top);
  }

  private draw(): void {
    const m = this.model;
    const exact = Math.max(0, Math.min(this.topRowExact, this.maxTopRow()));
    const first = Math.floor(exact);
    this.topRow = first;
    this.rowsBox.style.transform = `translateY(${-(exact - first) * ROW_HEIGHT}px)`;
    for (let i = 0; i < this.pool.length; i++) {
      const p = this.pool[i];
      const row = first + i;
      if (!m || row >= m.rowCount) {
        if (p.row !== -1) {
          p.el.hidden = true;
          p.row = -1;
        }
        continue;
      }
      if (p.row !== row || p.gen !== this.gen) this.fill(p, m, row);
      const sel = row === this.selected;
      if (p.el.classList.contains('selected') !== sel) p.el.classList.toggle('selected', sel);
    }
  }

  private fill(p: PoolRow, m: RowModel, row: number): void {
    const s = this.snap!;
    const runs = m.runs;
    m.locate(row);
    const run = m.run;
    const page = m.page;
    const count = runs.count[run];
    const expanded = count > 1 && m.isExpanded(run);
    const folded = count > 1 && !expanded;
    const lin = ((runs.lin[run] >>> 0) + page * PAGE) >>> 0;
    p.row = row;
    p.gen = this.gen;
    p.el.hidden = false;
    p.el.dataset.row = String(row);
    p.el.dataset.run = String(run);
    p.el.dataset.lin = hex8(lin);
    p.el.classList.toggle('page', expanded && page > 0);
    p.el.classList.toggle('run-head', expanded && page === 0);
    p.toggle.className = count > 1 ? `c toggle codicon codicon-chevron-${expanded ? 'down' : 'right'}` : 'c toggle';
    p.toggle.title = count > 1 ? (expanded ? 'Fold these pages' : `Expand into ${count} pages`) : '';
    if (folded) {
      setText(p.lin, `${hex8(lin)}–${hex8(lin + count * PAGE - 1)}`);
      setText(p.linCount, `${count.toLocaleString('en-US')} pages · ${sizeText(count)}`);
    } else {
      setText(p.lin, hex8(lin));
      setText(p.linCount, expanded && page === 0 ? `1/${count.toLocaleString('en-US')}` : '');
    }
    const large = runs.large[run] === 1;
    const entry = runs.guestEntry[run] >>> 0;
    const pde = !s.paging ? -1 : large ? entry : s.pageDirectory.length === 1024 ? s.pageDirectory[lin >>> 22] >>> 0 : -1;
    const pte = !s.paging || large || pde < 0 || !(pde & 1) ? -1 : entry;
    setFlags(p.pde, pde, large ? 'large' : 'pde');
    setFlags(p.pte, pte, 'pte');
    const gpa = runs.gpa[run];
    const machine = runs.machine[run];
    setText(p.gpa, gpa === -1 ? '—' : hex8((gpa >>> 0) + page * PAGE));
    p.gpa.classList.toggle('link', gpa !== -1);
    setText(p.machine, machine === -1 ? '—' : hex8((machine >>> 0) + page * PAGE));
    setText(p.shadow, shadowText(runs.shadow[run]));
    const look = stateLook(runs.state[run]);
    p.stateIcon.className = `codicon codicon-${look.icon}`;
    setText(p.stateKind, look.kind);
    setText(p.stateReason, look.reason);
    p.el.dataset.state = look.kind;
  }

  private makeRow(): PoolRow {
    const el = document.createElement('div');
    el.className = 'row';
    el.setAttribute('role', 'row');
    el.hidden = true;
    const toggle = span('c toggle', el);
    const linCell = span('c lin', el);
    const lin = span('addr link', linCell);
    const linCount = span('count', linCell);
    const pdeCell = span('c flags pde', el);
    const pteCell = span('c flags pte', el);
    const pde = GUEST_FLAGS.map((f) => span('f', pdeCell, f.letter));
    const pte = GUEST_FLAGS.map((f) => span('f', pteCell, f.letter));
    const gpa = span('c gpa', el);
    const machine = span('c machine', el);
    const shadow = span('c shadow', el);
    const state = span('c state', el);
    const stateIcon = span('codicon', state);
    const stateKind = span('kind', state);
    const stateReason = span('reason', state);
    this.rowsBox.appendChild(el);
    return { el, toggle, lin, linCount, pde, pte, gpa, machine, shadow, stateIcon, stateKind, stateReason, row: -1, gen: -1 };
  }

  private poolRowOf(target: EventTarget | null): PoolRow | undefined {
    const el = (target as HTMLElement | null)?.closest?.('.row');
    return el ? this.pool.find((p) => p.el === el && p.row >= 0) : undefined;
  }

  private onClick(e: MouseEvent): void {
    const p = this.poolRowOf(e.target);
    const m = this.model;
    if (!p || !m) return;
    const t = e.target as HTMLElement;
    m.locate(p.row);
    const run = m.run;
    const page = m.page;
    if (t.closest('.toggle')) {
      if (m.runs.count[run] > 1) this.toggleRun(run);
      return;
    }
    this.selected = p.row;
    this.draw();
    if (t.closest('.addr')) {
      this.events.openMemory(((m.runs.lin[run] >>> 0) + page * PAGE) >>> 0, 'linear');
    } else if (t.closest('.gpa') && m.runs.gpa[run] !== -1) {
      this.events.openMemory(((m.runs.gpa[run] >>> 0) + page * PAGE) >>> 0, 'physical');
    }
  }

  /** Tooltips are computed on hover, not per drawn row, to keep scrolling cheap. */
  private onHover(e: MouseEvent): void {
    const p = this.poolRowOf(e.target);
    const m = this.model;
    const s = this.snap;
    if (!p || !m || !s) return;
    const cell = (e.target as HTMLElement).closest('.c') as HTMLElement | null;
    if (!cell) return;
    m.locate(p.row);
    const lin = ((m.runs.lin[m.run] >>> 0) + m.page * PAGE) >>> 0;
    if (cell.classList.contains('pde') && s.paging) {
      const i = lin >>> 22;
      const pde = m.runs.large[m.run] ? m.runs.guestEntry[m.run] >>> 0 : (s.pageDirectory[i] ?? 0) >>> 0;
      const to = m.runs.large[m.run] ? `4 MiB page at ${hex8(pde & 0xffc00000)}` : `page table at ${hex8(pde & 0xfffff000)}`;
      cell.title = `PDE[${i}] = ${hex8(pde)}${pde & 1 ? ` → ${to}` : ' (not present)'}`;
    } else if (cell.classList.contains('pte') && s.paging && !m.runs.large[m.run]) {
      cell.title = `PTE[${(lin >>> 12) & 0x3ff}] = ${hex8(m.runs.guestEntry[m.run])}`;
    } else if (cell.classList.contains('lin')) {
      cell.title = 'Open in the hex editor (linear address)';
    } else if (cell.classList.contains('gpa') && m.runs.gpa[m.run] !== -1) {
      cell.title = 'Open in the hex editor (guest-physical address)';
    }
  }

  private onKey(e: KeyboardEvent): void {
    const m = this.model;
    if (!m || !m.rowCount) return;
    let sel = this.selected < 0 ? this.topRow : this.selected;
    const page = this.visibleRows();
    if (e.key === 'ArrowDown') sel++;
    else if (e.key === 'ArrowUp') sel--;
    else if (e.key === 'PageDown') sel += page;
    else if (e.key === 'PageUp') sel -= page;
    else if (e.key === 'Home') sel = 0;
    else if (e.key === 'End') sel = m.rowCount - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      m.locate(sel);
      if (m.runs.count[m.run] > 1) this.toggleRun(m.run);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    this.selected = Math.max(0, Math.min(m.rowCount - 1, sel));
    if (this.selected < this.topRow || this.selected >= this.topRow + page) {
      this.scrollToRow(this.selected < this.topRow ? this.selected : this.selected - page + 1);
    }
    this.draw();
  }
}

/**
 * Which letters mean something depends on the entry: D and G are ignored in a PDE that points to a page table,
 * and bit 7 of a PTE is PAT, not PS (Intel SDM Vol. 3A, tables 4-5 and 4-6).
 */
function setFlags(spans: HTMLSpanElement[], entry: number, kind: 'pde' | 'large' | 'pte'): void {
  for (let i = 0; i < spans.length; i++) {
    const bit = GUEST_FLAGS[i].bit;
    const na = entry < 0 || (kind === 'pde' && (bit === 0x040 || bit === 0x100)) || (kind === 'pte' && bit === 0x080);
    const cls = na ? 'f na' : entry & bit ? 'f on' : 'f';
    if (spans[i].className !== cls) spans[i].className = cls;
  }
}
