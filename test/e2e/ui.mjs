// The user's path through Ringside in a real VS Code (code-server), driven like a user: open the sample kernel's
// main.c, put a breakpoint on a line of kmain with F9, press F5, and check what VS Code shows: the stopped line,
// the call stack with kmain, the Registers scope, and the guest's serial output in a terminal. Then, in a second
// session, the timer interrupt from ring 3 and the way back over its iret (ringTransitions below).
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

/**
 * F1, until the command palette shows. A webview that has the focus (a Ringside panel) keeps keys to itself, so
 * between tries the sidebar's title takes the focus back to the workbench.
 */
async function openPalette() {
  const input = page.locator('.quick-input-widget input.input');
  for (let i = 1; ; i++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 3000 });
      return input;
    } catch (e) {
      if (i >= 5) throw e;
      await page.locator('.part.sidebar .composite.title').first().click().catch(() => {});
    }
  }
}

async function runCommand(title, attempts = 12) {
  const esc = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (let i = 1; ; i++) {
    const input = await openPalette();
    await input.fill('>' + title);
    const row = page.locator('.quick-input-widget .monaco-list-row .label-name', { hasText: new RegExp('^' + esc + '$') }).first();
    try { await row.waitFor({ state: 'visible', timeout: 5000 }); await row.click(); return; }
    catch (e) { if (i >= attempts) throw e; await page.keyboard.press('Escape'); await page.waitForTimeout(1000); }
  }
}

async function openFile(relative) {
  // The palette without '>' is Quick Open.
  const input = await openPalette();
  await input.fill(relative);
  // Not just the first row: until the search answers, the list shows recently opened files.
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(relative) }).first();
  await row.waitFor();
  await row.click();
  await page.locator(`.tab[data-resource-name="${path.basename(relative)}"]`).first().waitFor({ timeout: 15000 }).catch(() => {});
}

const TIMER_PREEMPT_LINE = 36; // timer.c: `p->preemptions++;`, reached only when the tick came from ring 3
const USER_CONFIG = 'Teaching kernel (disk, user-program symbols)';
const frameRows = () => page.locator('.debug-call-stack .monaco-list-row:has(.stack-frame)');
const rowText = async (l) => ((await l.count()) ? (await l.first().innerText()).replace(/\s+/g, ' ').trim() : '');
/** Waits until the top call-stack frame's text matches (a step has landed there). */
async function topFrame(re, ms = 60000) {
  const end = Date.now() + ms;
  let t = '';
  while (Date.now() < end) {
    t = await rowText(frameRows()).catch(() => '');
    if (re.test(t)) return t;
    await page.waitForTimeout(250);
  }
  throw new Error(`top frame never matched ${re}: last "${t}"`);
}
/** A row of the Variables view; the list is virtual (only visible rows exist), so scroll it like a user. */
async function variableRow(name) {
  const row = page.locator('.debug-variables .monaco-list-row', { hasText: new RegExp(`^\\s*${name}\\b`) }).first();
  if (!(await row.count())) {
    await page.locator('.debug-variables .monaco-list').first().hover();
    await page.mouse.wheel(0, -5000);
    await page.waitForTimeout(200);
  }
  for (let i = 0; i < 30 && !(await row.count()); i++) {
    await page.locator('.debug-variables .monaco-list').first().hover();
    await page.mouse.wheel(0, 60);
    await page.waitForTimeout(200);
  }
  await row.waitFor({ timeout: 5000 });
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}
/** Types an expression into the Debug Console and returns the text of the answer. */
async function debugConsole(expression) {
  await runCommand('Debug Console: Focus on Debug Console View');
  const input = page.locator('.repl-input-wrapper .monaco-editor').first();
  await input.waitFor({ timeout: 15000 });
  await input.click();
  const rows = page.locator('.repl .monaco-list-row');
  const before = await rows.count();
  await page.keyboard.type(expression);
  await page.keyboard.press('Enter');
  // The console echoes the input as a row of its own; the answer is the first row after it.
  const end = Date.now() + 15000;
  while (Date.now() < end) {
    const texts = (await rows.allInnerTexts()).slice(before).map((t) => t.replace(/\s+/g, ' ').trim());
    const echo = texts.findIndex((t) => t.includes(expression));
    if (echo >= 0 && texts.length > echo + 1) return texts[echo + 1];
    await page.waitForTimeout(250);
  }
  throw new Error(`no answer to ${expression} in the Debug Console`);
}
/** The bytes of an ELF32 file's loaded image at a virtual address (the oracle for guest memory reads). */
function elfBytes(file, vaddr, n) {
  const b = fs.readFileSync(file);
  const phoff = b.readUInt32LE(0x1c), phentsize = b.readUInt16LE(0x2a), phnum = b.readUInt16LE(0x2c);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const [type, off, va, filesz] = [b.readUInt32LE(p), b.readUInt32LE(p + 4), b.readUInt32LE(p + 8), b.readUInt32LE(p + 16)];
    if (type === 1 && vaddr >= va && vaddr + n <= va + filesz) return b.subarray(off + vaddr - va, off + vaddr - va + n);
  }
  return undefined;
}

/**
 * Issue 8: the shadow page-table panel with live data from the stopped kernel (paging on, a user process
 * interrupted): the whole 4 GiB space in folded runs, hidden faults counted, entries the shadow maps.
 */
async function pageTablesPanel() {
  await runCommand('Ringside: Show Shadow Page Tables');
  const inner = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  const status = inner.locator('.status');
  let text = '';
  for (let end = Date.now() + 30000; Date.now() < end; await page.waitForTimeout(500)) {
    text = (await status.innerText().catch(() => '')).replace(/\s+/g, ' ');
    if (/1,048,576 pages in [\d,]+ runs/.test(text)) break;
  }
  check('page-table panel shows the live address space (all 1,048,576 pages, folded)', /1,048,576 pages in [\d,]+ runs/.test(text), text);
  const hidden = (await inner.locator('.counter[data-counter="hiddenFaults"]').innerText().catch(() => '')).replace(/\s+/g, ' ');
  const faults = Number((hidden.match(/([\d,]+)\s*$/)?.[1] ?? '0').replace(/,/g, ''));
  // The kernel's first text page (identity-mapped at 1 MiB, executed at every tick): in the shadow.
  await inner.locator('#search input').fill('0x00100000');
  await inner.locator('#search input').press('Enter');
  const row = (await inner.locator('.rows .row.selected').innerText({ timeout: 10000 }).catch(() => '')).replace(/\s+/g, ' ');
  check('page-table panel: hidden faults counted; the kernel text page is in the shadow', faults > 0 && /same rights as the guest|dirty pending/.test(row), `${hidden}; row: ${row}`);
  await shot('05-page-tables-live');
  // Through the palette, not Ctrl+W: the panel's webview has the focus and would keep the key.
  await runCommand('View: Close Editor');
}

/**
 * Issue 7's path: a breakpoint in the timer handler's C source, hit when the tick interrupts a ring-3 program
 * started from the serial terminal; the call stack runs through the interrupt frame into the user program;
 * three step-outs (timer_interrupt -> trap -> alltraps -> over trapret's iret) land back in ring 3, where the
 * Registers scope says CPL 3 and the Debug Console reads the user program's code bytes from guest memory.
 */
async function ringTransitions() {
  await runCommand('Remove All Breakpoints');
  await openFile('kernel/kernel/timer.c');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(TIMER_PREEMPT_LINE));
  await page.keyboard.press('Enter');
  await page.keyboard.press('F9');
  await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10000 });
  await runCommand('Debug: Select and Start Debugging');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: USER_CONFIG }).first().click();
  const prompt = page.locator('.xterm-rows', { hasText: "type 'help' for commands" }).last();
  await prompt.waitFor({ timeout: 90000 });
  await prompt.click({ force: true }); // xterm's widget layer sits on top of the rows
  await page.keyboard.type('run spin');
  await page.keyboard.press('Enter');
  const stopText = await topFrame(/timer_interrupt/, 90000).catch((e) => e.message);
  check('breakpoint in timer.c hits when the tick interrupts ring 3', /timer_interrupt.*timer\.c.*36/.test(stopText), stopText);
  const frames = await frameRows().allInnerTexts();
  const names = frames.map((t) => t.replace(/\s+/g, ' ').trim());
  const label = names.findIndex((t) => /\[interrupt 32 from ring 3\]/.test(t));
  check('call stack: kernel frames, the interrupt frame, then the user program\'s frames', label > 0 && /trap/.test(names[1] ?? '') && /main.*spin\.c/.test(names[label + 1] ?? ''), names.join(' < '));
  await shot('04-timer-from-ring3');
  await pageTablesPanel();
  await runCommand('Remove All Breakpoints');
  const steps = [];
  for (const re of [/^trap\b/, /^alltraps\b/, /^main\b.*spin\.c/]) {
    await runCommand('Debug: Step Out');
    steps.push(await topFrame(re, 60000).catch((e) => e.message));
  }
  check('step out x3: trap, alltraps, then over the iret into spin.c', /spin\.c/.test(steps[2]) && !(await frameRows().allInnerTexts()).some((t) => /interrupt 32|timer_interrupt/.test(t)), steps.join(' | '));
  // The view refreshes after the stop (and restores the scopes' expansion itself): give it time to stop showing
  // the previous stop's values, and expand Registers whenever it is seen collapsed.
  const regs = page.locator('.debug-variables .monaco-list-row', { hasText: /^\s*Registers/ }).first();
  const settle = async (name, ok) => {
    let v = 'n/a';
    for (let end = Date.now() + 30000; Date.now() < end; await page.waitForTimeout(500)) {
      if ((await regs.count()) && (await regs.getAttribute('aria-expanded')) === 'false') {
        await regs.click();
        await page.waitForTimeout(500);
      }
      v = await variableRow(name).catch(() => 'n/a');
      if (ok(v)) break;
    }
    return v;
  };
  const inUser = (row) => { const a = Number((/0x[0-9a-f]{8}/i.exec(row) ?? ['NaN'])[0]); return a >= 0x40000000 && a < 0xc0000000; };
  const mode = await settle('mode', (v) => /CPL 3/.test(v));
  check('Registers scope shows CPL 3 after the iret', /CPL 3/.test(mode), mode);
  const eipRow = await settle('eip', inUser);
  const eip = Number((/0x[0-9a-f]{8}/i.exec(eipRow) ?? ['NaN'])[0]);
  check('Registers scope: eip is in the user program (0x40000000 and up)', eip >= 0x40000000 && eip < 0xc0000000, eipRow);
  await shot('05-back-in-ring3');
  const said = await debugConsole('*(unsigned int *)$eip').catch((e) => e.message);
  const want = elfBytes(path.join(WORKSPACE, 'kernel', 'user', 'spin.elf'), eip, 4);
  const got = Number((/(\d+)\s*$/.exec(said) ?? ['', 'NaN'])[1]);
  check('Debug Console reads guest memory at eip: the bytes of spin.elf', want !== undefined && got === want.readUInt32LE(0), `${said} vs ${want && want.toString('hex')}`);
  await shot('06-debug-console');
  await runCommand('Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 20000 }).then(() => check('second session stops cleanly', true), () => check('second session stops cleanly', false));
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

  await ringTransitions();
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
