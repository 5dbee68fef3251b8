import * as vscode from 'vscode';

/**
 * Each VM's first serial port as a VS Code terminal: guest output arrives as `ringside.serial` custom events
 * from the session; what the user types goes back as a `serialInput` request.
 */
interface SerialEvent {
  vm: number;
  channel: string;
  text: string;
  name: string;
}

export class SerialTerminals implements vscode.Disposable {
  private readonly terminals = new Map<string, { terminal: vscode.Terminal; write: vscode.EventEmitter<string>; pending?: string[] }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private last?: vscode.Terminal;

  constructor() {
    this.subscriptions.push(
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type === 'ringside' && e.event === 'ringside.serial') this.output(e.session, e.body as SerialEvent);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        for (const [key, t] of this.terminals) if (key.startsWith(s.id + '/')) t.write.fire('\r\n[Ringside: the VM has stopped]\r\n');
      }),
    );
  }

  private output(session: vscode.DebugSession, e: SerialEvent): void {
    if (e.channel !== 'serial0') return;
    const key = `${session.id}/${e.vm}`;
    let t = this.terminals.get(key);
    if (!t) {
      const write = new vscode.EventEmitter<string>();
      // VS Code drops writes made before open(): hold the guest's first output until the terminal is ready.
      const pending: string[] = [];
      const pty: vscode.Pseudoterminal = {
        onDidWrite: write.event,
        open: () => {
          const entry = this.terminals.get(key);
          if (entry?.pending) {
            for (const chunk of entry.pending) write.fire(chunk);
            entry.pending = undefined;
          }
        },
        close: () => this.terminals.delete(key),
        handleInput: (data) => void session.customRequest('serialInput', { vm: e.vm, text: data }).then(undefined, () => undefined),
      };
      const terminal = vscode.window.createTerminal({ name: `Ringside: ${e.name} serial`, pty });
      terminal.show(true);
      t = { terminal, write, pending };
      this.terminals.set(key, t);
      this.last = terminal;
    }
    // Terminals want CR LF; guests usually send bare LF.
    const text = e.text.replace(/\r?\n/g, '\r\n');
    if (t.pending) t.pending.push(text);
    else t.write.fire(text);
  }

  showActive(): void {
    if (this.last) this.last.show();
    else void vscode.window.showInformationMessage('Ringside: no VM has written to its serial port yet.');
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.terminals.values()) t.terminal.dispose();
  }
}
