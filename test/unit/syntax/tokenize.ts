import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { repoRoot } from '../../support/repo';

/**
 * VS Code's own TextMate engine (vscode-textmate over the Oniguruma WebAssembly build), loaded once, with
 * Ringside's grammars from syntaxes/ as the registry's only source.
 */
const GRAMMARS: Record<string, string> = {
  'source.x86.gas.ringside': 'gas.tmLanguage.json',
  'source.x86.nasm.ringside': 'nasm.tmLanguage.json',
  'text.ringside.exit-trace': 'ringside-trace.tmLanguage.json',
};

let registry: Promise<vsctm.Registry> | undefined;

function loadRegistry(): Promise<vsctm.Registry> {
  registry ??= (async () => {
    const wasm = fs.readFileSync(path.join(repoRoot(), 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        const file = GRAMMARS[scopeName];
        if (!file) return null;
        const p = path.join(repoRoot(), 'syntaxes', file);
        return vsctm.parseRawGrammar(fs.readFileSync(p, 'utf8'), p);
      },
    });
  })();
  return registry;
}

export interface Token {
  text: string;
  scopes: string[];
}

/** Tokens of each line, tokenized in order (so multi-line constructs carry over). */
export async function tokenize(scopeName: string, lines: string[]): Promise<Token[][]> {
  const grammar = await (await loadRegistry()).loadGrammar(scopeName);
  if (!grammar) throw new Error(`no grammar ${scopeName}`);
  let state = vsctm.INITIAL;
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/**
 * Scopes of the text `text` in a line: the first run of consecutive tokens whose text, trimmed, is `text`
 * (captures split `%esp` into `%` and `esp`), reduced to the scopes every token of the run has.
 */
export function scopeOf(tokens: Token[], text: string): string[] {
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    for (let j = i; j < tokens.length && joined.trim().length < text.length; j++) {
      joined += tokens[j].text;
      if (joined.trim() === text && tokens[i].text.trim() !== '') {
        const run = tokens.slice(i, j + 1).filter((t) => t.text.trim() !== '');
        return run[0].scopes.filter((s) => run.every((t) => t.scopes.includes(s)));
      }
    }
  }
  throw new Error(`no token "${text}" in ${JSON.stringify(tokens.map((x) => x.text))}`);
}

/** Asserts helper: does any scope of the token start with `prefix`? */
export const hasScope = (scopes: string[], prefix: string): boolean => scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
