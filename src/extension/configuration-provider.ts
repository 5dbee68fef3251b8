import * as vscode from 'vscode';

/**
 * Fills in what a launch configuration leaves out: a default when the workspace has no launch.json (F5 on an ELF
 * file open in the editor), and the workspace folder as the base for relative paths.
 */
export class RingsideConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showErrorMessage('Ringside: add a "ringside" launch configuration, or open the kernel ELF to debug.');
        return undefined;
      }
      config = { type: 'ringside', request: 'launch', name: 'Ringside: boot', kernel: editor.document.uri.fsPath, stopOnEntry: true };
    }
    config.cwd ??= folder?.uri.fsPath;
    const settings = vscode.workspace.getConfiguration('ringside');
    config.memoryMB ??= settings.get<number>('defaultMemoryMB');
    config.stepSkipsInterrupts ??= settings.get<boolean>('stepSkipsInterrupts');
    return config;
  }
}
