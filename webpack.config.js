// Builds every bundle Ringside ships: the extension (Node, `vscode` external), the standalone debug adapter
// (DAP over stdio), the `ringside` command line, the VM worker thread, and one browser bundle per webview panel.
'use strict';
const path = require('path');
const fs = require('fs');
const webpack = require('webpack');

const tsRule = (configFile) => ({
  test: /\.ts$/,
  exclude: /node_modules/,
  // Type checking is `npm run compile`'s job (tsc, strict); the bundler only strips types.
  use: [{ loader: 'ts-loader', options: { transpileOnly: true, configFile } }],
});

/** iced-x86 loads its WebAssembly from `__dirname`, which in a bundle is dist/: ship the file there. */
class CopyIcedWasm {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('CopyIcedWasm', () => {
      const src = require.resolve('iced-x86/iced_x86_bg.wasm');
      fs.mkdirSync(compiler.options.output.path, { recursive: true });
      fs.copyFileSync(src, path.join(compiler.options.output.path, 'iced_x86_bg.wasm'));
    });
  }
}

const nodeBase = (mode) => ({
  mode,
  target: 'node20',
  devtool: mode === 'production' ? 'source-map' : 'eval-source-map',
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [tsRule(path.resolve(__dirname, 'tsconfig.json'))] },
  node: { __dirname: false, __filename: false },
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', libraryTarget: 'commonjs2' },
  infrastructureLogging: { level: 'warn' },
  performance: { hints: false },
  plugins: [new CopyIcedWasm()],
});

function webviewEntries() {
  const dir = path.resolve(__dirname, 'webview-ui');
  const entries = {};
  for (const name of fs.readdirSync(dir)) {
    const main = path.join(dir, name, 'main.ts');
    if (fs.existsSync(main)) entries[name] = main;
  }
  return entries;
}

module.exports = (_env, argv) => {
  const mode = argv.mode || 'production';
  return [
    {
      ...nodeBase(mode),
      name: 'extension',
      entry: { extension: './src/extension.ts' },
      externals: { vscode: 'commonjs vscode' },
    },
    {
      ...nodeBase(mode),
      name: 'tools',
      entry: {
        adapter: './src/adapter-main.ts',
        ringside: './src/cli/main.ts',
        'vm-worker': './src/vmm/monitor/worker-main.ts',
      },
      plugins: [
        new CopyIcedWasm(),
        new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true, include: /^(adapter|ringside)\.js$/ }),
      ],
    },
    {
      mode,
      name: 'webviews',
      target: 'web',
      devtool: mode === 'production' ? false : 'eval-source-map',
      entry: webviewEntries(),
      resolve: { extensions: ['.ts', '.js'] },
      module: {
        rules: [
          tsRule(path.resolve(__dirname, 'webview-ui', 'tsconfig.json')),
          { test: /\.css$/, type: 'asset/source' },
        ],
      },
      output: { path: path.resolve(__dirname, 'dist', 'webview'), filename: '[name].js' },
      infrastructureLogging: { level: 'warn' },
      performance: { hints: false },
    },
  ];
};
