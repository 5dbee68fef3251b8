// Runs test/e2e/ext-host-suite.js inside a real VS Code extension host (the @vscode/test-electron equivalent):
// the web workbench takes extensionDevelopmentPath/extensionTestsPath from the URL payload when the server
// runs with --enable-smoke-test-driver, and reports the suite's result through window.codeAutomationExit.
// Usage: node ext-host.mjs <baseUrl> <workspace> <extensionDevelopmentPath> <testsFile>
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [BASE, WORKSPACE, DEV, TESTS] = process.argv.slice(2);
const host = new URL(BASE).host;
const remote = (p) => `vscode-remote://${host}${path.resolve(p)}`;
const payload = JSON.stringify([['extensionDevelopmentPath', remote(DEV)], ['extensionTestsPath', remote(TESTS)], ['skipWelcome', 'true']]);
const url = `${BASE}/?folder=${encodeURIComponent(path.resolve(WORKSPACE))}&payload=${encodeURIComponent(payload)}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-ext-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
let resolveExit;
const exited = new Promise((r) => (resolveExit = r));
await page.exposeFunction('codeAutomationLog', () => {});
await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
await page.goto(url);
const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 480000))]);
const resultsFile = path.join(path.resolve(WORKSPACE), 'ringside-ext-test-results.json');
if (fs.existsSync(resultsFile)) {
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  for (const t of r.results) console.log(`${t.ok ? 'ok' : 'not ok'} - ${t.name}${t.error ? '\n  ' + t.error : ''}`);
  console.log(`extension host: ${r.passed} passed, ${r.failed} failed`);
} else console.log('extension host: no results file (the suite did not run)');
console.log(`extension host exit code: ${code}`);
await context.close();
fs.rmSync(profile, { recursive: true, force: true });
process.exit(code === 0 ? 0 : 1);
