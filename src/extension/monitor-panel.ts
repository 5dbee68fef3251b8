import * as vscode from 'vscode';
import type { MonitorStats } from '../vmm/monitor/protocol';

/**
 * The Monitor panel: what the monitor itself is doing for each VM (instructions, exits by reason, device
 * accesses). Fed plain JSON snapshots: on every stop, and once a second while the guest runs.
 */
export class MonitorPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private timer?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions.push(
      vscode.debug.onDidReceiveDebugSessionCustomEvent(() => undefined),
      vscode.debug.onDidChangeActiveDebugSession(() => void this.refresh()),
    );
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel('ringside.monitor', 'Ringside Monitor', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [dist],
      retainContextWhenHidden: false,
    });
    const script = this.panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'monitor.js'));
    const nonce = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const csp = `default-src 'none'; style-src ${this.panel.webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';`;
    this.panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Ringside Monitor</title></head>
<body><div id="app"></div><script nonce="${nonce}" src="${script}"></script></body></html>`;
    this.panel.webview.onDidReceiveMessage((m: { type: string }) => {
      if (m.type === 'ready') void this.refresh();
    });
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      if (this.timer) clearInterval(this.timer);
    });
    this.timer = setInterval(() => void this.refresh(), 1000);
  }

  async refresh(): Promise<void> {
    if (!this.panel) return;
    const session = vscode.debug.activeDebugSession;
    if (!session || session.type !== 'ringside') {
      void this.panel.webview.postMessage({ type: 'snapshot', stats: null });
      return;
    }
    try {
      const stats = (await session.customRequest('monitorStats')) as MonitorStats;
      void this.panel.webview.postMessage({ type: 'snapshot', stats });
    } catch {
      // The session ended between the check and the request.
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
