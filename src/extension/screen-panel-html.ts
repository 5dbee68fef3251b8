/** The screen panel's page; free of `vscode` so the webview test serves exactly this markup and policy. */
import { pageTablePolicy } from './page-table-panel-html';

/** Same policy as the page-table panel: nonce-only scripts, styles and fonts from the extension's resources. */
export function screenPanelHtml(p: { cspSource: string; script: string; nonce: string }): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${pageTablePolicy(p)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Ringside Screen</title></head>
<body><div id="app"></div><script nonce="${p.nonce}" src="${p.script}"></script></body></html>`;
}
