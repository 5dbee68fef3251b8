import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../../support/repo';

interface Contributes {
  languages: { id: string; extensions: string[]; configuration: string }[];
  grammars: { language: string; scopeName: string; path: string }[];
}

/** What VS Code reads from package.json: each language has a grammar file with the declared scope, and ships. */
describe('syntax: package.json contributions', () => {
  const root = repoRoot();
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: Contributes };

  it('registers ringside-gas (.S .s), ringside-nasm (.asm .nasm) and ringside-trace (.rstrace)', () => {
    const byId = new Map(pkg.contributes.languages.map((l) => [l.id, l.extensions]));
    assert.deepStrictEqual(byId.get('ringside-gas'), ['.S', '.s']);
    assert.deepStrictEqual(byId.get('ringside-nasm'), ['.asm', '.nasm']);
    assert.deepStrictEqual(byId.get('ringside-trace'), ['.rstrace']);
  });

  it('each grammar file exists, parses, and declares the scope name package.json gives it', () => {
    for (const g of pkg.contributes.grammars) {
      const grammar = JSON.parse(fs.readFileSync(path.join(root, g.path), 'utf8')) as { scopeName: string };
      assert.strictEqual(grammar.scopeName, g.scopeName, g.path);
      assert.ok(pkg.contributes.languages.some((l) => l.id === g.language), g.language);
    }
    for (const l of pkg.contributes.languages) assert.ok(fs.existsSync(path.join(root, l.configuration)), l.configuration);
  });

  it('the grammars are packaged (.vscodeignore keeps syntaxes/)', () => {
    assert.match(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8'), /^!syntaxes\/\*\.json$/m);
  });
});
