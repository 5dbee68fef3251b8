import * as path from 'path';
import * as vscode from 'vscode';
import { RingsideSession } from './debug/session';
import { RingsideConfigurationProvider } from './extension/configuration-provider';
import { MonitorPanel } from './extension/monitor-panel';
import { PageTablePanel } from './extension/page-table-panel';
import { ScreenPanel } from './extension/screen-panel';
import { SerialTerminals } from './extension/serial-terminals';

/**
 * Activation: the debugger type, its configuration provider, serial terminals and panels. The only layer that
 * imports `vscode`; the session below it speaks DAP and the monitor below that knows neither.
 */
export function activate(context: vscode.ExtensionContext): void {
  const workerScript = path.join(context.extensionPath, 'dist', 'vm-worker.js');
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('ringside', {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new RingsideSession(workerScript)),
    }),
    vscode.debug.registerDebugConfigurationProvider('ringside', new RingsideConfigurationProvider()),
  );
  const terminals = new SerialTerminals();
  context.subscriptions.push(terminals);
  const panel = new MonitorPanel(context.extensionUri);
  const pageTables = new PageTablePanel(context.extensionUri);
  const screen = new ScreenPanel(context.extensionUri);
  context.subscriptions.push(
    panel,
    pageTables,
    vscode.commands.registerCommand('ringside.showMonitorPanel', () => panel.show()),
    vscode.commands.registerCommand('ringside.showPageTables', () => pageTables.show()),
    vscode.commands.registerCommand('ringside.showScreen', () => screen.show()),
    screen,
    vscode.commands.registerCommand('ringside.showSerialTerminal', () => terminals.showActive()),
    vscode.commands.registerCommand('ringside.openSampleWorkspace', () =>
      vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.joinPath(context.extensionUri, 'samples', 'workspace'), { forceNewWindow: true }),
    ),
  );
}

export function deactivate(): void {
  // Sessions and their workers end with the debug sessions themselves.
}
