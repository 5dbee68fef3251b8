// The user's path through Ringside in a real VS Code (code-server), driven like a user: open the sample kernel's
// main.c, put a breakpoint on a line of kmain with F9, press F5, and check what VS Code shows: the stopped line,
// the call stack with kmain, the Registers scope, and the guest's serial output in a terminal.
// Usage: node ui.mjs <baseUrl> <workspace> <shotsDir>; exit code 0 when every check passed.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [BASE, WORKSPACE, SHOTS] = process.argv.slice(2);
const KMAIN_LINE = 62; // kmain's kprintf after paging is on: serial_init() has run, so the terminal has text
fs.mkdirSync(SHOTS, { recursive: true });
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const results = [];
const check = (name, ok, detail = '') => { results.push({ name, ok }); log(ok ? 'PASS' : 'FAIL', name, detail); };

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
page.on('pageerror', (e) => log('pageerror:', e.message));
const shot = (name) => page.screenshot({ path: path.join(SHOTS, name + '.png') }).catch(() => {});

async function runCommand(title, attempts = 12) {
  const esc = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (let i = 1; ; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15000 });
    await input.fill('>' + title);
    const row = page.locator('.quick-input-widget .monaco-list-row .label-name', { hasText: new RegExp('^' + esc + '$') }).first();
    try { await row.waitFor({ state: 'visible', timeout: 5000 }); await row.click(); return; }
    catch (e) { if (i >= attempts) throw e; await page.keyboard.press('Escape'); await page.waitForTimeout(1000); }
  }
}

async function openFile(relative) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relative);
  await page.locator('.quick-input-widget .monaco-list-row').first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab[data-resource-name="${path.basename(relative)}"]`).first().waitFor({ timeout: 15000 }).catch(() => {});
}

let exitCode = 1;
try {
  await page.goto(`${BASE}/?folder=${encodeURIComponent(WORKSPACE)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'kernel' }).first().waitFor({ timeout: 60000 });
  check('workbench loaded with the sample workspace', true);

  // The Ringside command is listed: the extension from the .vsix is installed and its manifest read.
  await runCommand('Ringside: Show Monitor Panel');
  const inner = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await inner.locator('#app').waitFor({ timeout: 30000 });
  check('monitor panel opens', /No Ringside debug session/.test(await inner.locator('#app').innerText()));
  await shot('01-monitor-panel');
  await page.keyboard.press('Control+W');

  await openFile('kernel/kernel/main.c');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(KMAIN_LINE));
  await page.keyboard.press('Enter');
  await page.keyboard.press('F9');
  await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10000 });
  check('breakpoint set with F9 in main.c', true);

  await page.keyboard.press('F5');
  await page.locator('.debug-top-stack-frame-line').first().waitFor({ timeout: 90000 });
  check('F5 stops at the breakpoint (current-line decoration)', true);
  const callStack = page.locator('.debug-call-stack');
  if (!(await callStack.isVisible())) await runCommand('View: Show Run and Debug');
  const frame = callStack.locator('.monaco-list-row', { hasText: 'kmain' }).first();
  await frame.waitFor({ timeout: 30000 });
  check('call stack shows kmain', true, await frame.getAttribute('aria-label'));
  const state = await page.locator('.call-stack-state-message .label').innerText().catch(() => '');
  check('paused on breakpoint', /breakpoint/i.test(state), state);
  // Locals from DWARF: kmain's parameter `magic` holds the Multiboot magic 0x2badb002.
  const magic = page.locator('.debug-variables .monaco-list-row', { hasText: 'magic' }).first();
  await magic.waitFor({ timeout: 30000 }).catch(() => {});
  check('Locals show kmain\'s magic = 0x2badb002', (await magic.count()) > 0 && /732803074|0x2badb002/i.test(await magic.innerText()),
    (await magic.count()) ? (await magic.innerText()).replace(/\s+/g, ' ') : 'n/a');
  const regs = page.locator('.debug-variables .monaco-list-row', { hasText: 'Registers' }).first();
  await regs.waitFor({ timeout: 15000 });
  // The Registers scope may start collapsed (it is not the first scope): expand it like a user would.
  if ((await regs.getAttribute('aria-expanded')) !== 'true') await regs.click();
  const eax = page.locator('.debug-variables .monaco-list-row', { hasText: /^\s*eax/ }).first();
  await eax.waitFor({ timeout: 15000 }).catch(() => {});
  check('Registers scope shows eax', (await eax.count()) > 0, (await eax.count()) ? (await eax.innerText()).replace(/\s+/g, ' ') : 'n/a');
  const terminalTab = page.locator('.terminal-tabs-entry, .single-terminal-tab, .terminal-tab', { hasText: 'serial' }).first();
  await page.locator('.xterm-rows', { hasText: 'Ringside teaching kernel' }).first().waitFor({ timeout: 30000 }).then(
    () => check('serial terminal shows the kernel banner', true),
    async () => check('serial terminal shows the kernel banner', false, String(await terminalTab.count())),
  );
  await shot('02-stopped-in-kmain');

  await runCommand('Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 20000 }).then(() => check('session stops cleanly', true), () => check('session stops cleanly', false));
  await shot('03-stopped');
  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (e) {
  log('ERROR', e && e.stack || e);
  check('no exception during the scenario', false, String(e && e.message || e).split('\n')[0]);
  await shot('99-error');
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  const passed = results.filter((r) => r.ok).length;
  console.log(`ui: ${passed} passed, ${results.length - passed} failed`);
  process.exit(exitCode);
}
