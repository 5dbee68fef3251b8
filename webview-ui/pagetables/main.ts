/**
 * The shadow page-table panel's front end: one VM's address space (CR3), the guest's PDE/PTE flags beside the
 * monitor's shadow entries, from the snapshot the extension posts (src/extension/page-table-panel.ts). The
 * snapshot's folded runs stay in their columnar arrays; the table draws only the rows in view.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { FromWebview, PanelSnapshot, PanelViewState, ToWebview, VmChoice } from '../../src/extension/page-table-panel-messages';
import type { ShadowCounters } from '../../src/vmm/monitor/page-table-snapshot';
import { adoptStyles } from '../shared/codicons';
import { hex8, parseAddress } from './format';
import css from './pagetables.css';
import { el } from '../shared/dom';
import { EntriesTable } from './table';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; setState(s: unknown): void; getState(): unknown };

const host = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const post = (m: FromWebview): void => host?.postMessage(m);
let view: PanelViewState = (host?.getState() as PanelViewState | undefined) ?? {};
let saveTimer: number | undefined;
function saveView(patch: Partial<PanelViewState>): void {
  view = { ...view, ...patch };
  // Scrolling changes `top` every frame; setState serialises, so write it at most a few times a second.
  if (saveTimer === undefined) saveTimer = window.setTimeout(() => ((saveTimer = undefined), host?.setState(view)), 250);
}

adoptStyles(css);

const app = document.getElementById('app')!;
const bar = el('div', 'bar');
const vmSelect = el('vscode-single-select');
vmSelect.id = 'vm';
vmSelect.setAttribute('aria-label', 'VM and vCPU');
const cr3Select = el('vscode-single-select');
cr3Select.id = 'cr3';
cr3Select.setAttribute('aria-label', 'Address space (CR3)');
const search = el('vscode-textfield');
search.id = 'search';
search.setAttribute('placeholder', 'Go to linear address (hex)');
search.setAttribute('aria-label', 'Go to linear address');
const searchIcon = el('span', 'codicon codicon-search');
searchIcon.slot = 'content-before';
search.appendChild(searchIcon);
const refresh = el('vscode-button');
refresh.id = 'refresh';
refresh.setAttribute('secondary', '');
const refreshIcon = el('span', 'codicon codicon-refresh');
refreshIcon.slot = 'content-before';
refresh.append(refreshIcon, 'Refresh');
const message = el('span', 'message');
const vmLabel = el('label', undefined, 'VM');
vmLabel.appendChild(vmSelect);
const cr3Label = el('label', undefined, 'Address space');
cr3Label.appendChild(cr3Select);
bar.append(vmLabel, cr3Label, search, refresh, message);
const status = el('div', 'status');
const counters = el('div', 'counters');
const empty = el('p', 'empty', 'No Ringside debug session is active. Start one and stop the guest to see its page tables.');
const table = new EntriesTable({
  openMemory: (address, space) => post({ type: 'openMemory', address, space }),
  topChanged: (top) => saveView({ top }),
  expandedChanged: (expanded) => saveView({ expanded }),
});
app.append(bar, status, counters, empty, table.root);

let current: PanelSnapshot | undefined;
let vmsKey = '';
let rootsKey = '';
let running = false;

function option(value: string, label: string, selected: boolean): HTMLElement {
  const o = el('vscode-option', undefined, label);
  o.setAttribute('value', value);
  if (selected) o.setAttribute('selected', '');
  return o;
}

function fillVms(vms: VmChoice[], vm: number, cpu: number): void {
  const key = JSON.stringify(vms) + `${vm}:${cpu}`;
  if (key === vmsKey) return;
  vmsKey = key;
  const opts: HTMLElement[] = [];
  for (const v of vms) for (let c = 0; c < v.cpus; c++) opts.push(option(`${v.vm}:${c}`, `${v.name} · CPU ${c}`, v.vm === vm && c === cpu));
  if (!opts.length) opts.push(option(`${vm}:${cpu}`, `VM ${vm} · CPU ${cpu}`, true));
  vmSelect.replaceChildren(...opts);
  vmSelect.value = `${vm}:${cpu}`;
}

function fillRoots(s: PanelSnapshot): void {
  const follow = view.cr3 === undefined;
  const key = JSON.stringify(s.roots.map((r) => [r.cr3, r.cpus])) + `${s.cr3}:${follow}:${s.cpu}`;
  if (key === rootsKey) return;
  rootsKey = key;
  const opts = [option('current', `CPU ${s.cpu}'s current CR3`, follow)];
  const roots = s.roots.some((r) => r.cr3 === s.cr3) ? s.roots : [{ cr3: s.cr3, cpus: [], filled: 0 }, ...s.roots];
  for (const r of roots) {
    const who = r.cpus.length ? ` · CR3 of CPU ${r.cpus.join(', ')}` : ' · cached';
    opts.push(option(hex8(r.cr3), `${hex8(r.cr3)}${who} · ${r.filled.toLocaleString('en-US')} filled`, !follow && r.cr3 === s.cr3));
  }
  cr3Select.replaceChildren(...opts);
  cr3Select.value = follow ? 'current' : hex8(s.cr3);
}

const COUNTERS: [keyof ShadowCounters, string][] = [
  ['hiddenFaults', 'Hidden faults'],
  ['guestFaults', 'Guest faults'],
  ['tracedWrites', 'Traced writes'],
  ['rootsBuilt', 'Roots built'],
  ['rootsReused', 'Roots reused'],
  ['flushes', 'Flushes'],
  ['invlpg', 'INVLPG'],
  ['audits', 'Audits'],
  ['auditedEntries', 'Audited entries'],
  ['auditErrors', 'Audit errors'],
];

function renderCounters(c: ShadowCounters): void {
  const items = COUNTERS.map(([key, label]) => {
    const item = el('span', `counter${key === 'auditErrors' && c[key] > 0 ? ' bad' : ''}`);
    item.dataset.counter = key;
    const badge = el('vscode-badge', undefined, (c[key] ?? 0).toLocaleString('en-US'));
    item.append(label, badge);
    return item;
  });
  counters.replaceChildren(...items);
}

function renderStatus(s: PanelSnapshot): void {
  let pages = 0;
  const count = s.runs.count;
  for (let i = 0; i < count.length; i++) pages += count[i];
  const run = el('span', running ? 'running' : 'stopped');
  run.append(el('span', `codicon codicon-${running ? 'debug-start' : 'debug-pause'}`), running ? ' running (refreshed once a second)' : ' stopped');
  status.replaceChildren(
    run,
    el('span', undefined, `${s.vmName} · CPU ${s.cpu}`),
    el('span', undefined, s.paging ? `CR3 ${hex8(s.cr3)}` : 'paging off (physical mode)'),
    el('span', undefined, `CR0 ${hex8(s.cr0)} · CR4 ${hex8(s.cr4)}`),
    el('span', 'pages', `${pages.toLocaleString('en-US')} pages in ${count.length.toLocaleString('en-US')} runs`),
    el('span', undefined, `at ${s.instructions.toLocaleString('en-US')} instructions`),
  );
}

function showEmpty(text: string): void {
  current = undefined;
  empty.textContent = text;
  empty.classList.remove('hidden');
  // Laid out but unseen, so the first snapshot only fills rows instead of laying out the whole table.
  table.root.classList.add('vacant');
  status.replaceChildren();
  counters.replaceChildren();
  table.clear();
}

function render(m: Extract<ToWebview, { type: 'snapshot' }>): void {
  const first = !current;
  current = m.snapshot;
  running = m.running;
  message.textContent = '';
  empty.classList.add('hidden');
  table.root.classList.remove('vacant');
  // The table first, so its rows paint before the header's components finish their own updates.
  table.setSnapshot(m.snapshot, first ? { top: view.top, expanded: view.expanded } : undefined);
  fillVms(m.vms, m.snapshot.vm, m.snapshot.cpu);
  fillRoots(m.snapshot);
  renderStatus(m.snapshot);
  renderCounters(m.snapshot.counters);
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  if (m?.type === 'snapshot') render(m);
  else if (m?.type === 'noSession') showEmpty(m.message ?? empty.textContent ?? '');
  else if (m?.type === 'error') message.textContent = m.message;
  else if (m?.type === 'running' && current) {
    running = m.running;
    renderStatus(current);
  }
});

function select(): void {
  const [vm, cpu] = vmSelect.value.split(':').map(Number);
  const cr3 = cr3Select.value === 'current' ? undefined : parseInt(cr3Select.value, 16);
  saveView({ vm, cpu, cr3 });
  post({ type: 'select', vm, cpu, cr3 });
}
vmSelect.addEventListener('change', () => {
  // Another vCPU: follow its CR3 rather than keep an address space it may not share.
  cr3Select.value = 'current';
  select();
});
cr3Select.addEventListener('change', select);

function go(): void {
  const text = search.value;
  const a = parseAddress(text);
  if (a === undefined) {
    message.textContent = `Not a linear address: ${text}`;
    return;
  }
  saveView({ search: text });
  message.textContent = table.jumpTo(a) ? '' : `No entry covers ${hex8(a)}`;
}
search.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key === 'Enter') go();
});
refresh.addEventListener('click', () => post({ type: 'refresh' }));
if (view.search) search.value = view.search;

showEmpty('Waiting for the page tables of the active Ringside session…');
post({ type: 'ready', view });
