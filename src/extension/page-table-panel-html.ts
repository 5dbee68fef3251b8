/**
 * The page-table panel's page. Kept free of `vscode` so the webview test serves exactly this markup and policy.
 * The policy: scripts only with this load's nonce (no 'unsafe-inline', no eval), styles and fonts only from the
 * extension's own webview resources; the bundle adopts its stylesheets, which needs no inline style.
 */
export interface PanelPageParts {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri(dist/webview/pagetables.js) */
  script: string;
  nonce: string;
}

export function pageTablePolicy(p: Pick<PanelPageParts, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${p.nonce}'`,
    `style-src ${p.cspSource}`,
    `font-src ${p.cspSource}`,
    `img-src ${p.cspSource}`,
  ].join('; ');
}

export function pageTablePanelHtml(p: PanelPageParts): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${pageTablePolicy(p)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Ringside Page Tables</title></head>
<body><div id="app"></div><script nonce="${p.nonce}" src="${p.script}"></script></body></html>`;
}

/** 128 bits from a CSPRNG (globalThis.crypto exists in Node 20 and in the browser). */
export function makeNonce(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
