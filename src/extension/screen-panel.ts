import * as vscode from 'vscode';
import { LiveRefresh } from './live-refresh';
import { fromThreadId } from '../debug/thread-ids';
import type { ScreenSnapshot } from '../vmm/monitor/screen-snapshot';
import { makeNonce } from './page-table-panel-html';
import { screenPanelHtml } from './screen-panel-html';
import type { FromScreenWebview, ToScreenWebview } from './screen-panel-messages';

export const SCREEN_REQUEST = 'ringside/screen';
export const KEYS_REQUEST = 'ringside/keys';
export const SCREEN_VIEW_TYPE = 'ringside.screen';
/** While the guest runs: a few frames a second, only while the panel is visible (a snapshot is 2000 cells). */
const RUNNING_INTERVAL_MS = 250;

/**
 * The VGA text screen panel's controller: asks the active Ringside session for the screen on every stop and
 * periodically while the guest runs (only while visible), and forwards the webview's key presses as scancodes.
 */
export class ScreenPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private panelSubscriptions: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  private vm = 0;
  private readonly live = new LiveRefresh(RUNNING_INTERVAL_MS, () => this.panel?.visible, () => this.refresh());

  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions.push(
      vscode.debug.registerDebugAdapterTrackerFactory('ringside', {
        createDebugAdapterTracker: (session) => ({ onDidSendMessage: (m: unknown) => this.onAdapterMessage(session, m) }),
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => void this.refresh()),
      vscode.debug.onDidTerminateDebugSession(() => {
        this.setRunning(false);
        void this.refresh();
      }),
      vscode.window.registerWebviewPanelSerializer(SCREEN_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => this.attach(panel),
      }),
    );
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.attach(vscode.window.createWebviewPanel(SCREEN_VIEW_TYPE, 'Ringside Screen', vscode.ViewColumn.Beside, this.options()));
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.detach();
    this.panel = panel;
    panel.webview.options = this.options();
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'screen.js'));
    panel.webview.html = screenPanelHtml({ cspSource: panel.webview.cspSource, script: script.toString(), nonce: makeNonce() });
    this.panelSubscriptions.push(
      panel.webview.onDidReceiveMessage((m: FromScreenWebview) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) void this.refresh();
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

  private async onMessage(m: FromScreenWebview): Promise<void> {
    if (m.type === 'ready' || m.type === 'refresh') {
      await this.refresh();
      if (this.live.running) this.live.startTimer();
    } else if (m.type === 'keys') {
      const session = activeSession();
      if (!session) return;
      try {
        await session.customRequest(KEYS_REQUEST, { vm: this.vm, scancodes: m.scancodes });
      } catch (e) {
        this.post({ type: 'error', message: `Keyboard: ${(e as Error).message ?? e}` });
      }
      // Show the echo at once when stopped (the timer does it while running).
      if (!this.live.running) void this.refresh();
    }
  }

  private onAdapterMessage(session: vscode.DebugSession, m: unknown): void {
    const msg = m as { type?: string; event?: string; body?: { threadId?: number } };
    if (msg.type !== 'event' || session !== activeSession()) return;
    if (msg.event === 'stopped') {
      if (msg.body?.threadId !== undefined) this.vm = fromThreadId(msg.body.threadId).vm;
      this.setRunning(false);
      void this.refresh();
    } else if (msg.event === 'continued') {
      this.setRunning(true);
    }
  }

  private setRunning(running: boolean): void {
    if (this.live.setRunning(running)) this.post({ type: 'running', running });
  }

  async refresh(): Promise<void> {
    const panel = this.panel;
    if (!panel || !panel.visible) return;
    await this.live.exclusive(async () => {
      const session = activeSession();
      if (!session) {
        this.post({ type: 'noSession' });
        return;
      }
      try {
        const screen = (await session.customRequest(SCREEN_REQUEST, { vm: this.vm })) as ScreenSnapshot;
        this.post({ type: 'screen', screen, running: this.live.running });
      } catch (e) {
        this.post({ type: 'error', message: `Screen: ${(e as Error).message ?? e}` });
      }
    });
  }

  private post(m: ToScreenWebview): void {
    void this.panel?.webview.postMessage(m);
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
