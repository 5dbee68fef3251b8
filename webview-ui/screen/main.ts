/**
 * The VGA text screen panel's front end: draws the snapshot the extension posts (src/extension/screen-panel.ts)
 * as a grid of cells in the 16 VGA colours with the hardware cursor, and while focused turns key presses into
 * set-1 scancodes for the guest's keyboard.
 */
import type { FromScreenWebview, ToScreenWebview } from '../../src/extension/screen-panel-messages';
import type { ScreenSnapshot } from '../../src/vmm/monitor/screen-snapshot';
import { CP437 } from '../../src/vmm/devices/vga-text';
import { adoptStyles } from '../shared/codicons';
import { scancodes } from './keymap';
import css from './screen.css';
import { el } from '../shared/dom';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; setState(s: unknown): void; getState(): unknown };

const host = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const post = (m: FromScreenWebview): void => host?.postMessage(m);
adoptStyles(css);

const app = document.getElementById('app')!;
const bar = el('div', 'bar');
const state = el('span', 'state');
const geometry = el('span', 'geometry');
const message = el('span', 'message');
const hint = el('span', 'focus-hint');
hint.append(el('i', 'codicon codicon-keyboard'), ' Click the screen to type into the guest');
bar.append(state, geometry, message, hint);
const screen = el('div', 'screen hidden');
screen.tabIndex = 0;
screen.setAttribute('role', 'img');
const empty = el('div', 'empty', 'No Ringside debug session. Start one (F5) to see the guest\u2019s screen.');
app.append(bar, screen, empty);

/** Cell spans kept between frames; a frame only touches the cells that changed. */
let cellEls: HTMLSpanElement[] = [];
let drawn: Int32Array = new Int32Array(0);
let cols = 0;
let rows = 0;
let cursorIndex = -1;

function layout(c: number, r: number): void {
  cols = c;
  rows = r;
  screen.replaceChildren();
  cellEls = [];
  for (let y = 0; y < r; y++) {
    const row = el('div', 'row');
    row.dataset.row = String(y);
    for (let x = 0; x < c; x++) {
      const s = el('span');
      s.dataset.col = String(x);
      row.append(s);
      cellEls.push(s);
    }
    screen.append(row);
  }
  drawn = new Int32Array(c * r).fill(-1);
  cursorIndex = -1;
}

/**
 * Attribute: foreground bits 0-3, background bits 4-6, bit 7 blink or bright background. Which one bit 7 means
 * is the guest's choice (attribute controller mode register bit 3), so the panel follows the snapshot's
 * `blink` rather than picking one: the BIOS default blinks, and kernels that want 16 backgrounds turn it off.
 */
function cellClass(attr: number, blink: boolean): string {
  const fg = attr & 0x0f;
  if (blink) return `f${fg} b${(attr >> 4) & 7}${attr & 0x80 ? ' blink' : ''}`;
  return `f${fg} b${attr >> 4}`;
}

function draw(s: ScreenSnapshot, running: boolean): void {
  empty.classList.add('hidden');
  screen.classList.remove('hidden');
  screen.classList.toggle('graphics', s.mode !== 'text');
  if (s.cols !== cols || s.rows !== rows) layout(s.cols, s.rows);
  // The blink bit's meaning is part of what is drawn: a change must redraw every cell.
  const salt = s.blink ? 0x10000 : 0;
  for (let i = 0; i < s.cells.length; i++) {
    const v = s.cells[i] | salt;
    if (drawn[i] === v) continue;
    drawn[i] = v;
    const span = cellEls[i];
    span.textContent = CP437[v & 0xff] === ' ' ? '\u00a0' : CP437[v & 0xff];
    span.className = cellClass((v >> 8) & 0xff, s.blink);
    if (i === cursorIndex) span.classList.add('cursor');
  }
  const next = s.cursor.visible && s.cursor.row >= 0 ? s.cursor.row * s.cols + s.cursor.col : -1;
  if (next !== cursorIndex) {
    if (cursorIndex >= 0) cellEls[cursorIndex]?.classList.remove('cursor');
    cursorIndex = next;
    if (next >= 0) cellEls[next]?.classList.add('cursor');
  }
  screen.dataset.cursor = next >= 0 ? `${s.cursor.row},${s.cursor.col}` : '';
  screen.setAttribute('aria-label', lines(s).join('\n'));
  state.className = running ? 'running' : 'stopped';
  state.textContent = running ? 'Running' : 'Stopped';
  geometry.textContent = `${s.cols}\u00d7${s.rows} ${s.mode}${s.cursor.visible ? ` \u00b7 cursor ${s.cursor.row + 1}:${s.cursor.col + 1}` : ''}`;
  message.textContent = '';
}

function lines(s: ScreenSnapshot): string[] {
  const out: string[] = [];
  for (let r = 0; r < s.rows; r++) {
    let line = '';
    for (let c = 0; c < s.cols; c++) line += CP437[s.cells[r * s.cols + c] & 0xff];
    out.push(line.trimEnd());
  }
  return out;
}

function key(e: KeyboardEvent, down: boolean): void {
  const codes = scancodes(e.code, down);
  if (!codes) return;
  // Everything the guest can receive goes to the guest, not to VS Code (Tab would move focus away).
  e.preventDefault();
  e.stopPropagation();
  if (codes.length) post({ type: 'keys', scancodes: codes });
}
screen.addEventListener('keydown', (e) => key(e, true));
screen.addEventListener('keyup', (e) => key(e, false));

window.addEventListener('message', (ev: MessageEvent<ToScreenWebview>) => {
  const m = ev.data;
  if (m.type === 'screen') draw(m.screen, m.running);
  else if (m.type === 'noSession') {
    screen.classList.add('hidden');
    empty.classList.remove('hidden');
  } else if (m.type === 'error') message.textContent = m.message;
  else if (m.type === 'running') {
    state.className = m.running ? 'running' : 'stopped';
    state.textContent = m.running ? 'Running' : 'Stopped';
  }
});

post({ type: 'ready' });
