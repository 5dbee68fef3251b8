// The VGA screen panel in headless Chromium: the controller's page and policy (src/extension/screen-panel-html.ts)
// served from a webview-like origin, the bundle from dist/webview, fed a fixture screen as the controller posts it.
import assert from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ORIGIN = 'https://ringside-webview.test';

function transpile(file) {
  const src = fs.readFileSync(file, 'utf8');
  return ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}
const dataUrl = (js) => 'data:text/javascript;base64,' + Buffer.from(js).toString('base64');

/** The HTML module with its one relative import pointed at the transpiled policy module. */
async function screenHtmlModule(root) {
  const policy = dataUrl(transpile(path.join(root, 'src', 'extension', 'page-table-panel-html.ts')));
  const js = transpile(path.join(root, 'src', 'extension', 'screen-panel-html.ts')).replace("'./page-table-panel-html'", `'${policy}'`);
  return import(dataUrl(js));
}

/** A fixture screen built here from its description (80x25, BIOS blink on). */
function fixtureScreen() {
  const cols = 80, rows = 25;
  const cells = new Array(cols * rows).fill(0x0720);
  const put = (row, col, text, attr) => { for (let i = 0; i < text.length; i++) cells[row * cols + col + i] = text.charCodeAt(i) | (attr << 8); };
  put(0, 0, 'Ringside BIOS', 0x1f); // white on blue
  put(2, 4, 'C:\\>dir', 0x07);
  put(3, 0, 'ERROR', 0x4e); // yellow on red
  put(4, 0, 'BLINK', 0x8a); // bright green on black, blinking
  cells[5 * cols + 0] = 0xdb | (0x0c << 8); // CP437 full block, light red
  return { cols, rows, cells, cursor: { row: 2, col: 11, visible: true }, mode: 'text', blink: true };
}

export async function screenTests({ context, test, root, shots }) {
  const { screenPanelHtml } = await screenHtmlModule(root);
  const dist = path.join(root, 'dist', 'webview');
  const nonce = 'n0nce' + Date.now().toString(36);
  const html = screenPanelHtml({ cspSource: ORIGIN, script: `${ORIGIN}/screen.js`, nonce });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(`${ORIGIN}/**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: html });
    const file = path.join(dist, path.basename(name));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ contentType: file.endsWith('.js') ? 'text/javascript' : 'font/ttf', body: fs.readFileSync(file) });
  });
  await page.addInitScript(() => {
    window.__posted = [];
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), setState: () => {}, getState: () => undefined });
  });
  const post = (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
  const cell = (r, c) => page.locator(`.screen .row[data-row="${r}"] span[data-col="${c}"]`);
  const rowText = async (r) => (await page.locator(`.screen .row[data-row="${r}"]`).innerText()).replace(/\u00a0/g, ' ').trimEnd();
  const style = (r, c) => cell(r, c).evaluate((e) => { const s = getComputedStyle(e); return { color: s.color, bg: s.backgroundColor, anim: s.animationName }; });

  console.log('webview: screen panel');

  await test('screen: loads under the strict policy and asks for data', async () => {
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(() => window.__posted.length > 0);
    assert.deepStrictEqual(await page.evaluate(() => window.__posted), [{ type: 'ready' }]);
    assert.deepStrictEqual(await page.evaluate(() => window.__violations), []);
  });

  await test('screen: renders the fixture text, the 16-colour attributes and the cursor', async () => {
    await post({ type: 'screen', screen: fixtureScreen(), running: false });
    await cell(0, 0).waitFor();
    assert.strictEqual(await page.locator('.screen .row').count(), 25);
    assert.strictEqual(await page.locator('.screen .row[data-row="0"] span').count(), 80);
    assert.strictEqual(await rowText(0), 'Ringside BIOS');
    assert.strictEqual(await rowText(2), '    C:\\>dir');
    assert.strictEqual(await rowText(5), '\u2588');
    assert.deepStrictEqual(await style(0, 0), { color: 'rgb(255, 255, 255)', bg: 'rgb(0, 0, 170)', anim: 'none' });
    assert.deepStrictEqual(await style(3, 1), { color: 'rgb(255, 255, 85)', bg: 'rgb(170, 0, 0)', anim: 'none' });
    // Blink enabled: bit 7 blinks and the background stays one of the 8 dark colours.
    const b = await style(4, 0);
    assert.deepStrictEqual([b.color, b.bg, b.anim], ['rgb(85, 255, 85)', 'rgb(0, 0, 0)', 'blink']);
    assert.strictEqual(await page.locator('.screen .cursor').count(), 1);
    assert.strictEqual(await page.locator('.screen .row[data-row="2"] span[data-col="11"]').getAttribute('class'), 'f7 b0 cursor');
    assert.match(await page.locator('.bar').innerText(), /80×25 text · cursor 3:12/);
    await page.screenshot({ path: path.join(shots, 'screen-panel.png'), animations: 'disabled' });
  });

  await test('screen: with blink off, bit 7 is a bright background; the cursor follows', async () => {
    const s = fixtureScreen();
    s.blink = false;
    s.cursor = { row: 24, col: 79, visible: true };
    await post({ type: 'screen', screen: s, running: true });
    await page.locator('.screen .row[data-row="24"] span[data-col="79"].cursor').waitFor();
    assert.deepStrictEqual(await style(4, 0), { color: 'rgb(85, 255, 85)', bg: 'rgb(85, 85, 85)', anim: 'none' });
    assert.strictEqual(await page.locator('.screen .cursor').count(), 1);
    s.cursor.visible = false;
    await post({ type: 'screen', screen: s, running: true });
    await page.waitForFunction(() => document.querySelectorAll('.screen .cursor').length === 0);
  });

  await test('screen: key presses in the focused screen post set-1 make and break codes', async () => {
    await page.locator('.screen').focus();
    await page.evaluate(() => (window.__posted.length = 0));
    await page.keyboard.press('a');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.down('Shift');
    await page.keyboard.up('Shift');
    await page.keyboard.press('Tab');
    const keys = await page.evaluate(() => window.__posted.filter((m) => m.type === 'keys').map((m) => m.scancodes));
    assert.deepStrictEqual(keys, [[0x1e], [0x9e], [0xe0, 0x48], [0xe0, 0xc8], [0x2a], [0xaa], [0x0f], [0x8f]]);
    assert.ok(await page.locator('.screen').evaluate((e) => e === document.activeElement), 'Tab stays in the screen');
  });

  await test('screen: no script errors or policy violations', async () => {
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(await page.evaluate(() => window.__violations), []);
  });
  await page.close();
}
