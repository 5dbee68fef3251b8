// Webview tests: each panel bundle from dist/webview rendered in headless Chromium (Debian's, driven by
// playwright-core) from fixture data, as VS Code would host it, with screenshots kept under test-results/.
import { chromium } from 'playwright-core';
import assert from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageTableTests } from './pagetables.mjs';
import { screenTests } from './screen.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = path.join(root, 'test-results', 'webview');
fs.mkdirSync(shots, { recursive: true });

const results = [];
async function test(name, fn) {
  // WEBVIEW_GREP=regex runs only the matching tests (later ones may depend on earlier ones' page state).
  if (process.env.WEBVIEW_GREP && !new RegExp(process.env.WEBVIEW_GREP).test(name)) return;
  try {
    await fn();
    results.push([name, true]);
    console.log(`  ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`  FAIL ${name}\n       ${String(e && e.stack || e).split('\n').slice(0, 4).join('\n       ')}`);
  }
}

/** A page that hosts a panel bundle like VS Code's webview: theme variables, a stub acquireVsCodeApi. */
function hostPage(bundle) {
  return `<!DOCTYPE html><html><head><style>
    :root { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc;
            --vscode-editor-background: #1e1e1e; --vscode-charts-blue: #3794ff; --vscode-descriptionForeground: #9d9d9d; }
  </style><script>
    window.__posted = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), setState: (s) => (window.__state = s), getState: () => window.__state });
  </script></head><body><div id="app"></div><script>${bundle}</script></body></html>`;
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-webview-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 900, height: 700 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));

console.log('webview: monitor panel');
const monitorBundle = fs.readFileSync(path.join(root, 'dist', 'webview', 'monitor.js'), 'utf8');
const fixture = JSON.parse(fs.readFileSync(path.join(root, 'test', 'webview', 'fixtures', 'monitor-stats.json'), 'utf8'));

await test('the panel asks for data when it loads', async () => {
  await page.setContent(hostPage(monitorBundle));
  const posted = await page.evaluate(() => window.__posted);
  assert.deepStrictEqual(posted, [{ type: 'ready' }]);
});

await test('with no session it says how to start one', async () => {
  await page.evaluate(() => window.postMessage({ type: 'snapshot', stats: null }, '*'));
  await page.locator('.empty').first().waitFor();
  assert.match(await page.locator('#app').innerText(), /No Ringside debug session/);
});

await test('renders one card per VM with exits sorted by count', async () => {
  await page.evaluate((f) => window.postMessage(f, '*'), fixture);
  await page.locator('.vm[data-vm="VM 1"]').waitFor();
  assert.strictEqual(await page.locator('.vm').count(), 2);
  const first = page.locator('.vm[data-vm="VM 1"]');
  assert.match(await first.locator('.instructions').innerText(), /123,456,789 instructions/);
  const names = await first.locator('section').first().locator('td.name').allInnerTexts();
  assert.deepStrictEqual(names, ['IoOut', 'IoIn', 'ExternalInterrupt', 'Hlt', 'CrWrite']);
  assert.match(await first.locator('h3').first().innerText(), /Monitor exits \(8,479\)/);
  await page.screenshot({ path: path.join(shots, 'monitor-panel.png') });
});

await test('a VM without activity says so instead of an empty table', async () => {
  const second = page.locator('.vm[data-vm="VM 2"]');
  assert.strictEqual(await second.locator('.empty').count(), 2);
});

await test('state survives a reload of the webview (setState/getState)', async () => {
  const state = await page.evaluate(() => window.__state);
  assert.strictEqual(state.stats.vms.length, 2);
});

await test('no script errors', async () => {
  assert.deepStrictEqual(errors, []);
});

await pageTableTests({ context, test, root, shots });
await screenTests({ context, test, root, shots });

await context.close();
fs.rmSync(profile, { recursive: true, force: true });
const failed = results.filter(([, ok]) => !ok).length;
console.log(`webview: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
