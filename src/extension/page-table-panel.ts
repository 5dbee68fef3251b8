import * as vscode from 'vscode';
import { LiveRefresh } from './live-refresh';
import { formatMemoryReference } from '../debug/memory-reference';
import { fromThreadId } from '../debug/thread-ids';
import type { PageTableSnapshot } from '../vmm/monitor/page-table-snapshot';
import { makeNonce, pageTablePanelHtml } from './page-table-panel-html';
import type { FromWebview, PanelSnapshot, PanelViewState, ToWebview, VmChoice } from './page-table-panel-messages';

/** The DAP custom request the adapter answers with a PageTableSnapshot (args: PageTablesArgs). */
export const PAGE_TABLES_REQUEST = 'ringside/pageTables';
export interface PageTablesArgs {
  vm: number;
  cpu: number;
  /** Omitted: the vCPU's current CR3. */
  cr3?: number;
}
export const PAGE_TABLES_VIEW_TYPE = 'ringside.pageTables';
/** The custom editor id of Microsoft's Hex Editor, which VS Code's debug UI opens memory references with. */
const HEX_EDITOR = 'hexEditor.hexedit';
const HEX_EDITOR_EXTENSION = 'ms-vscode.hexeditor';
/** While the guest runs, at most one snapshot per interval, and only while the panel is visible. */
const RUNNING_INTERVAL_MS = 1000;

/**
 * The shadow page-table panel's controller: asks the active Ringside session for snapshots (on every stop,
 * throttled while the guest runs), hands them to the webview, and opens clicked addresses in the hex editor.
 * Survives hide/restore (the webview keeps its view state, this keeps the last snapshot) and window reloads
 * (a serializer brings the panel back).
 */
export class PageTablePanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private panelSubscriptions: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  /** What to show; `pinned` once the user picked a VM, otherwise it follows the vCPU that stopped. */
  private selection: { vm: number; cpu: number; cr3?: number; pinned: boolean } = { vm: 0, cpu: 0, pinned: false };
  private readonly live = new LiveRefresh(RUNNING_INTERVAL_MS, () => this.panel?.visible, () => this.refresh());
  /** A stop arrived while the panel was hidden: refresh when it shows. */
  private stale = false;
  private last?: { snapshot: PageTableSnapshot; vms: VmChoice[]; sessionId: string };
  private readonly vmLists = new Map<string, VmChoice[]>();

  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions.push(
      vscode.debug.registerDebugAdapterTrackerFactory('ringside', {
        createDebugAdapterTracker: (session) => ({ onDidSendMessage: (m: unknown) => this.onAdapterMessage(session, m) }),
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => {
        this.selection.pinned = false;
        void this.refresh();
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        this.vmLists.delete(s.id);
        if (this.last?.sessionId === s.id) this.last = undefined;
        this.setRunning(false);
        void this.refresh();
      }),
      vscode.window.registerWebviewPanelSerializer(PAGE_TABLES_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => this.attach(panel, state as PanelViewState | undefined),
      }),
    );
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PAGE_TABLES_VIEW_TYPE, 'Ringside Page Tables', vscode.ViewColumn.Beside, this.options());
    this.attach(panel, undefined);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    // Not retainContextWhenHidden: a million-entry view is a lot to keep alive unseen. The webview keeps its
    // small view state (setState) and gets the last snapshot again from here when it comes back.
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')], retainContextWhenHidden: false };
  }

  private attach(panel: vscode.WebviewPanel, state: PanelViewState | undefined): void {
    this.detach();
    this.panel = panel;
    panel.webview.options = this.options();
    if (state?.vm !== undefined) this.selection = { vm: state.vm, cpu: state.cpu ?? 0, cr3: state.cr3, pinned: true };
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'pagetables.js'));
    panel.webview.html = pageTablePanelHtml({ cspSource: panel.webview.cspSource, script: script.toString(), nonce: makeNonce() });
    this.panelSubscriptions.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && (this.stale || this.live.running)) void this.refresh();
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.detach();
      }),
    );
  }

  private detach(): void {
    for (const d of this.panelSubscriptions) d.dispose();
    this.panelSubscriptions = [];
    this.panel = undefined;
    this.live.stopTimer();
  }

  private async onMessage(m: FromWebview): Promise<void> {
    if (m.type === 'ready') {
      if (m.view?.vm !== undefined) this.selection = { vm: m.view.vm, cpu: m.view.cpu ?? 0, cr3: m.view.cr3, pinned: true };
      // A webview coming back from hidden shows the last snapshot at once, then a fresh one.
      if (this.last && this.last.sessionId === activeSession()?.id) this.post(this.snapshotMessage(this.last.snapshot, this.last.vms));
      await this.refresh();
      if (this.live.running) this.live.startTimer();
    } else if (m.type === 'select') {
      this.selection = { vm: m.vm, cpu: m.cpu, cr3: m.cr3, pinned: true };
      await this.refresh();
    } else if (m.type === 'refresh') {
      await this.refresh();
    } else if (m.type === 'openMemory') {
      await this.openMemory(m.address, m.space);
    }
  }

  private onAdapterMessage(session: vscode.DebugSession, m: unknown): void {
    const msg = m as { type?: string; event?: string; body?: { threadId?: number } };
    if (msg.type !== 'event' || session !== activeSession()) return;
    if (msg.event === 'stopped') {
      if (!this.selection.pinned && msg.body?.threadId !== undefined) {
        const { vm, cpu } = fromThreadId(msg.body.threadId);
        this.selection = { vm, cpu, pinned: false };
      }
      this.setRunning(false);
      void this.refresh();
    } else if (msg.event === 'continued') {
      this.setRunning(true);
    } else if (msg.event === 'thread') {
      this.vmLists.delete(session.id);
    }
  }

  private setRunning(running: boolean): void {
    if (this.live.setRunning(running)) this.post({ type: 'running', running });
  }

  /** One request at a time; a refresh asked for meanwhile runs once when it ends. */
  async refresh(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    if (!panel.visible) {
      this.stale = true;
      return;
    }
    await this.live.exclusive(async () => {
      const session = activeSession();
      if (!session) {
        this.post({ type: 'noSession' });
        return;
      }
      this.stale = false;
      try {
        const vms = await this.vmList(session);
        const { vm, cpu, cr3 } = this.selection;
        const args: PageTablesArgs = cr3 === undefined ? { vm, cpu } : { vm, cpu, cr3 };
        const snapshot = (await session.customRequest(PAGE_TABLES_REQUEST, args)) as PageTableSnapshot;
        this.last = { snapshot, vms, sessionId: session.id };
        this.post(this.snapshotMessage(snapshot, vms));
      } catch (e) {
        this.post({ type: 'error', message: `Page tables: ${(e as Error).message ?? e}` });
      }
    });
  }

  private snapshotMessage(snapshot: PageTableSnapshot, vms: VmChoice[]): ToWebview {
    return { type: 'snapshot', snapshot: toPanelSnapshot(snapshot), vms, running: this.live.running };
  }

  private post(m: ToWebview): void {
    void this.panel?.webview.postMessage(m);
  }

  /** VMs and their vCPUs from the adapter's threads ("VM name · CPU n", ids from thread-ids.ts). */
  private async vmList(session: vscode.DebugSession): Promise<VmChoice[]> {
    const known = this.vmLists.get(session.id);
    if (known) return known;
    const r = (await session.customRequest('threads')) as { threads?: { id: number; name: string }[] };
    const byVm = new Map<number, VmChoice>();
    for (const t of r.threads ?? []) {
      const { vm, cpu } = fromThreadId(t.id);
      const v = byVm.get(vm) ?? { vm, name: t.name.split(' · ')[0] || `VM ${vm}`, cpus: 0 };
      v.cpus = Math.max(v.cpus, cpu + 1);
      byVm.set(vm, v);
    }
    const list = [...byVm.values()].sort((a, b) => a.vm - b.vm);
    if (list.length) this.vmLists.set(session.id, list);
    return list;
  }

  /**
   * What VS Code's debug UI does for a variable's memoryReference ("View Binary Data"): a vscode-debug-memory
   * URI (authority: session id, path: the reference) opened with the hex editor, which reads it with DAP
   * readMemory. A linear address is read through the stopped vCPU's current CR3, so for another address space
   * the guest-physical address is opened instead.
   */
  private async openMemory(address: number, space: 'linear' | 'physical'): Promise<void> {
    const session = activeSession();
    if (!session) {
      void vscode.window.showWarningMessage('Ringside: no debug session to read memory from.');
      return;
    }
    if (space === 'linear' && this.selection.cr3 !== undefined && this.last) {
      const s = this.last.snapshot;
      if (!s.roots.some((r) => r.cr3 === s.cr3 && r.cpus.includes(s.cpu))) {
        const gpa = guestPhysical(s, address);
        if (gpa === undefined) {
          void vscode.window.showInformationMessage(`Ringside: ${hex(address)} is not mapped in address space ${hex(s.cr3)}.`);
          return;
        }
        address = gpa;
        space = 'physical';
      }
    }
    const reference = formatMemoryReference(address, space);
    const uri = vscode.Uri.from({
      scheme: 'vscode-debug-memory',
      authority: session.id,
      path: `/${encodeURIComponent(reference)}/${encodeURIComponent(`${space === 'physical' ? 'phys' : 'lin'}-${hex(address)}`)}.bin`,
    });
    if (!vscode.extensions.getExtension(HEX_EDITOR_EXTENSION)) {
      const install = 'Install Hex Editor';
      const pick = await vscode.window.showInformationMessage('Ringside opens memory in the Hex Editor extension.', install);
      if (pick !== install) return;
      await vscode.commands.executeCommand('workbench.extensions.installExtension', HEX_EDITOR_EXTENSION);
    }
    await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR, { viewColumn: vscode.ViewColumn.Active, preview: false });
  }

  dispose(): void {
    this.panel?.dispose();
    this.detach();
    for (const s of this.subscriptions) s.dispose();
  }
}

function activeSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  return s && s.type === 'ringside' ? s : undefined;
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/**
 * Typed columns: VS Code hands typed arrays to a webview without serialising each element, which for a
 * million-run snapshot is most of the cost. Addresses stay 32-bit patterns (the webview reads them with >>> 0).
 */
export function toPanelSnapshot(s: PageTableSnapshot): PanelSnapshot {
  const r = s.runs;
  return {
    ...s,
    runs: {
      lin: Int32Array.from(r.lin),
      count: Int32Array.from(r.count),
      guestEntry: Int32Array.from(r.guestEntry),
      large: Uint8Array.from(r.large),
      gpa: Int32Array.from(r.gpa),
      machine: Int32Array.from(r.machine),
      shadow: Uint8Array.from(r.shadow),
      state: Uint8Array.from(r.state),
    },
  };
}

/** The guest-physical address a linear address maps to in a snapshot, from its folded runs. */
export function guestPhysical(s: PageTableSnapshot, address: number): number | undefined {
  const { lin, count, gpa } = s.runs;
  const a = address >>> 0;
  let lo = 0;
  let hi = lin.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = lin[mid] >>> 0;
    if (a < start) hi = mid - 1;
    else if (a >= start + count[mid] * 4096) lo = mid + 1;
    else return gpa[mid] === -1 ? undefined : ((gpa[mid] >>> 0) + (a - start)) >>> 0;
  }
  return undefined;
}
