// For developers with a desktop VS Code: runs the extension-host suite through @vscode/test-electron's runTests
// with a local executable (it cannot download VS Code on CI machines here; CI uses test/e2e/run.sh instead).
// Usage: VSCODE_PATH=/path/to/code node test/e2e/run-test-electron.mjs
import { runTests } from '@vscode/test-electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!process.env.VSCODE_PATH) {
  console.error('set VSCODE_PATH to a VS Code executable');
  process.exit(2);
}
await runTests({
  vscodeExecutablePath: process.env.VSCODE_PATH,
  extensionDevelopmentPath: root,
  extensionTestsPath: path.join(root, 'test', 'e2e', 'ext-host-suite.js'),
  launchArgs: [path.join(root, 'samples', 'workspace')],
});
