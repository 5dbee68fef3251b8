/**
 * Codicons without a <link> or inline <style>: the stylesheet text is bundled, its font file is emitted next to
 * the bundle by webpack (new URL(..., import.meta.url)) and the sheet is adopted, which a strict
 * content-security policy allows (style-src needs no 'unsafe-inline' for constructed sheets).
 */
import codiconCss from '@vscode/codicons/dist/codicon.css';

export function adoptStyles(...texts: string[]): void {
  const font = new URL('../../node_modules/@vscode/codicons/dist/codicon.ttf', import.meta.url).href;
  const sheets = [codiconCss.replace(/url\("\.\/codicon\.ttf[^"]*"\)/, `url("${font}")`), ...texts].map((t) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(t);
    return sheet;
  });
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, ...sheets];
  // Load the font now rather than when the first row needs a glyph (which would lay the rows out twice).
  void document.fonts.load('16px codicon');
}
