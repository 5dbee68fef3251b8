/**
 * The Monitor panel's front end: renders the monitor's statistics snapshot (plain JSON from the extension).
 * No framework: a table per VM, rebuilt per snapshot, with VS Code's theme variables for colours.
 */
import css from './monitor.css';
import { el } from '../shared/dom';

interface VmStats {
  name: string;
  instructions: number;
  exits: Record<string, number>;
  devices: Record<string, number>;
}

interface Snapshot {
  type: 'snapshot';
  stats: { vms: VmStats[] } | null;
}

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; setState(s: unknown): void; getState(): unknown };

const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const style = document.createElement('style');
style.textContent = css;
document.head.appendChild(style);
const app = document.getElementById('app')!;

function table(title: string, rows: [string, number][]): HTMLElement {
  const section = el('section');
  section.appendChild(el('h3', undefined, title));
  const t = el('table');
  const total = rows.reduce((s, [, n]) => s + n, 0) || 1;
  for (const [name, n] of rows.sort((a, b) => b[1] - a[1])) {
    const tr = el('tr');
    tr.appendChild(el('td', 'name', name));
    tr.appendChild(el('td', 'count', n.toLocaleString('en-US')));
    const bar = el('td', 'bar');
    const fill = el('div', 'fill');
    fill.style.width = `${Math.max(1, Math.round((100 * n) / total))}%`;
    bar.appendChild(fill);
    tr.appendChild(bar);
    t.appendChild(tr);
  }
  if (!rows.length) section.appendChild(el('p', 'empty', 'none yet'));
  else section.appendChild(t);
  return section;
}

export function render(s: Snapshot): void {
  app.replaceChildren();
  if (!s.stats) {
    app.appendChild(el('p', 'empty', 'No Ringside debug session is active. Press F5 on a kernel to start one.'));
    return;
  }
  for (const vm of s.stats.vms) {
    const card = el('div', 'vm');
    card.dataset.vm = vm.name;
    card.appendChild(el('h2', undefined, vm.name));
    card.appendChild(el('p', 'instructions', `${vm.instructions.toLocaleString('en-US')} instructions retired`));
    const exits = Object.entries(vm.exits).filter(([, n]) => n > 0);
    card.appendChild(table(`Monitor exits (${exits.reduce((a, [, n]) => a + n, 0).toLocaleString('en-US')})`, exits));
    card.appendChild(table('Device accesses', Object.entries(vm.devices).filter(([, n]) => n > 0)));
    app.appendChild(card);
  }
  vscode?.setState(s);
}

window.addEventListener('message', (e: MessageEvent<Snapshot>) => {
  if (e.data?.type === 'snapshot') render(e.data);
});
const saved = vscode?.getState() as Snapshot | undefined;
if (saved) render(saved);
vscode?.postMessage({ type: 'ready' });
