// Runs inside VS Code's extension host (exports.run, as with @vscode/test-electron's runTests). Plain JS so the
// extension host loads it directly. Results also go to a JSON file the runner prints.
const vscode = require('vscode');
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

function waitFor(predicate, what, ms = 60000) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      const v = predicate();
      if (v) return resolve(v);
      if (Date.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

/** Records the DAP messages the adapter sends, as VS Code sees them. */
const seen = [];
vscode.debug.registerDebugAdapterTrackerFactory('ringside', {
  createDebugAdapterTracker: () => ({ onDidSendMessage: (m) => seen.push(m) }),
});

test('the extension is installed and activates', async () => {
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'ringside');
  assert.ok(ext, 'ringside extension present');
  await ext.activate();
  assert.ok(ext.isActive);
});

test('its commands are registered under Ringside', async () => {
  const cmds = await vscode.commands.getCommands(true);
  for (const c of ['ringside.showMonitorPanel', 'ringside.showSerialTerminal', 'ringside.openSampleWorkspace']) assert.ok(cmds.includes(c), c);
});

test('a ringside session stops on entry with one thread per vCPU and registers', async () => {
  const folder = vscode.workspace.workspaceFolders[0];
  const kernel = path.join(folder.uri.fsPath, 'kernel', 'kernel.elf');
  seen.length = 0;
  const ok = await vscode.debug.startDebugging(folder, { type: 'ringside', request: 'launch', name: 'ext-host test', kernel, stopOnEntry: true, cpus: 2 });
  assert.ok(ok, 'startDebugging returned true');
  const stopped = await waitFor(() => seen.find((m) => m.type === 'event' && m.event === 'stopped'), 'a stopped event');
  assert.strictEqual(stopped.body.reason, 'entry');
  const session = vscode.debug.activeDebugSession;
  assert.strictEqual(session.type, 'ringside');
  const threads = await session.customRequest('threads');
  assert.deepStrictEqual(threads.threads.map((t) => t.name), ['VM · CPU 0', 'VM · CPU 1']);
  const stack = await session.customRequest('stackTrace', { threadId: threads.threads[0].id });
  const scopes = await session.customRequest('scopes', { frameId: stack.stackFrames[0].id });
  const regs = scopes.scopes.find((s) => s.name === 'Registers');
  const vars = await session.customRequest('variables', { variablesReference: regs.variablesReference });
  const eax = vars.variables.find((v) => v.name === 'eax');
  assert.match(eax.value, /^0x2badb002/, 'EAX holds the multiboot magic at entry');
  await vscode.debug.stopDebugging(session);
  await waitFor(() => !vscode.debug.activeDebugSession, 'the session to end', 20000);
});

exports.run = async function run() {
  const results = [];
  for (const t of tests) {
    try {
      await t.fn();
      results.push({ name: t.name, ok: true });
      console.log(`ok - ${t.name}`);
    } catch (e) {
      results.push({ name: t.name, ok: false, error: String((e && e.stack) || e) });
      console.log(`not ok - ${t.name}: ${e}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (folder) fs.writeFileSync(path.join(folder.uri.fsPath, 'ringside-ext-test-results.json'), JSON.stringify({ passed: results.length - failed, failed, results }, null, 1));
  if (failed) throw new Error(`${failed} extension-host test(s) failed`);
};
