// Lint for the TypeScript sources: typescript-eslint's recommended rules, plus the layering rule from the brief:
// the monitor (src/vmm) and the symbol readers never import VS Code or DAP types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', '.cache/**', 'samples/**', 'test-results/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/vmm/**/*.ts', 'src/symbols/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['vscode', '@vscode/debugadapter', '@vscode/debugprotocol', '../debug/*', '../../debug/*', '../extension*', '../../extension*'] }],
    },
  },
  {
    files: ['src/vmm/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['vscode', '@vscode/*', '*/symbols/*', '*/debug/*', '*/extension*'] }] },
  },
);
