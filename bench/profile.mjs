#!/usr/bin/env node
// Profiles one Ringside cpubench run with V8's sampling profiler and prints the hottest functions by self time
// (and by inclusive time), with their source files: where the CPU engineer should look first.
//
//   node bench/profile.mjs --mode work --iters 300 [--top 30] [--rev HEAD] [--no-build]
//   (--again: analyse the last profile once more instead of running)
//
// Uses the same compiled snapshot as `npm run bench` (.cache/bench/...); the raw .cpuprofile stays in
// .cache/bench/prof/ (open it in Chrome DevTools or VS Code for the flame chart).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCpubench, buildRingside } from './setup.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const a = process.argv.slice(2);
const arg = (n, d) => (a.includes(n) ? a[a.indexOf(n) + 1] : d);
const mode = arg('--mode', 'work');
const iters = arg('--iters', '300');
const top = Number(arg('--top', '30'));
const cache = path.join(repo, '.cache');

const kernel = buildCpubench(arg('--anchors', path.resolve(repo, '..', 'shared', 'anchors')), cache);
const { monitor, commit } = buildRingside(repo, cache, { rev: arg('--rev'), build: !a.includes('--no-build') });
const outDir = path.join(path.dirname(monitor), '..', '..', '..');
const dir = path.join(cache, 'bench', 'prof');
if (!a.includes('--again')) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // A fine sampling interval: the interpreter's handlers are short, and we want them, not just their callers.
  execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', path.join(here, 'ringside-run.mjs'),
    '--quiet', '--monitor', monitor, '--kernel', kernel, '--append', `mode=${mode} iters=${iters}`, '--since', 'CPUBENCH START', '--until', 'checksum='],
    { stdio: 'inherit' });
}
const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

// Self samples per node, then summed per function (same name, file, line), inclusive time via the tree.
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
for (const id of prof.samples) self.set(id, (self.get(id) ?? 0) + 1);
const total = prof.samples.length;
const key = (n) => {
  const f = n.callFrame;
  const abs = f.url.startsWith('file://') ? fileURLToPath(f.url) : f.url;
  // Compiled files are shown by their source path (src/...ts); the line is the compiled JS line.
  const file = abs.startsWith('/') ? path.relative(outDir, abs).replace(/\.js$/, '.ts') : abs;
  return `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`;
};
const selfBy = new Map(), inclBy = new Map();
function walk(id, onStack) {
  const n = byId.get(id);
  const k = key(n);
  const s = self.get(id) ?? 0;
  selfBy.set(k, (selfBy.get(k) ?? 0) + s);
  let sub = s;
  for (const c of n.children ?? []) sub += walk(c, onStack.concat(k));
  // Inclusive: count a subtree once per function even when the function recurses.
  if (!onStack.includes(k)) inclBy.set(k, (inclBy.get(k) ?? 0) + sub);
  return sub;
}
walk(prof.nodes[0].id, []);
const pct = (x) => ((100 * x) / total).toFixed(1).padStart(5);
const show = (title, m) => {
  process.stdout.write(`\n${title} (${total} samples, Ringside ${commit.slice(0, 10)}, mode=${mode} iters=${iters})\n`);
  for (const [k, v] of [...m].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${pct(v)}%  ${k}\n`);
};
show('self time', selfBy);
show('inclusive time', inclBy);
