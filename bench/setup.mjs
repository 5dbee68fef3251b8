// Everything the bench needs before it can time anything, built into the repo's .cache/ (the shared anchors
// folder is read-only): the cpubench guest, the pinned v86 package with the anchor's runner, and a compiled
// snapshot of Ringside's sources.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const CPUBENCH_FILES = ['Makefile', 'entry.S', 'kernel.c', 'linker.ld', 'native.c', 'workload.c', 'workload.h'];
const V86_FILES = ['package.json', 'package-lock.json', '.npmrc'];

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
}

/** Copies only files that differ, so make and npm see unchanged inputs as unchanged. */
function copyFiles(fromDir, toDir, names) {
  fs.mkdirSync(toDir, { recursive: true });
  for (const n of names) {
    const src = path.join(fromDir, n);
    const dst = path.join(toDir, n);
    const data = fs.readFileSync(src);
    if (fs.existsSync(dst) && fs.readFileSync(dst).equals(data)) continue;
    fs.rmSync(dst, { force: true });
    fs.writeFileSync(dst, data); // a fresh, writable file (the anchors are read-only)
  }
}

/** cpubench: copy the anchor's sources and run its Makefile; returns the multiboot kernel's path. */
export function buildCpubench(anchors, cache) {
  const dir = path.join(cache, 'cpubench');
  copyFiles(path.join(anchors, 'cpubench'), dir, CPUBENCH_FILES);
  sh('make', ['-s', '-C', dir]);
  return path.join(dir, '.build', 'cpubench.elf');
}

/**
 * v86: the anchor's pinned package (`npm ci` from its lock file) and its run.mjs, whose only change is where it
 * finds the package (it expects `.cache/node_modules` beside itself; here node_modules is beside it).
 */
export function setupV86(anchors, cache) {
  const dir = path.join(cache, 'v86');
  const from = path.join(anchors, 'v86');
  copyFiles(from, dir, V86_FILES);
  const want = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.v86;
  const pkg = path.join(dir, 'node_modules', 'v86', 'package.json');
  if (!fs.existsSync(pkg) || !JSON.parse(fs.readFileSync(pkg, 'utf8')).version.startsWith(want)) {
    sh('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const original = fs.readFileSync(path.join(from, 'run.mjs'), 'utf8');
  const needle = 'path.join(here, ".cache", "node_modules", "v86")';
  if (!original.includes(needle)) throw new Error(`bench: ${from}/run.mjs no longer has ${needle}; update bench/setup.mjs`);
  const runner = path.join(dir, 'run.mjs');
  const patched = original.replace(needle, 'path.join(here, "node_modules", "v86")');
  if (!fs.existsSync(runner) || fs.readFileSync(runner, 'utf8') !== patched) fs.writeFileSync(runner, patched);
  return { runner, version: JSON.parse(fs.readFileSync(pkg, 'utf8')).version };
}

/**
 * Ringside: compile src/ with the repo's tsconfig into a private outDir, so a bench never races another
 * session's `tsc` writing out/. With `rev`, the sources are that commit's (git archive), not the working tree.
 */
export function buildRingside(repo, cache, { rev, build = true } = {}) {
  const head = sh('git', ['rev-parse', rev ?? 'HEAD'], { cwd: repo }).trim();
  let root = repo;
  let dir = path.join(cache, 'bench', 'work');
  let dirty = [];
  if (rev) {
    dir = path.join(cache, 'bench', `rev-${head.slice(0, 10)}`);
    root = dir;
    if (!fs.existsSync(path.join(dir, 'src'))) {
      fs.mkdirSync(dir, { recursive: true });
      execFileSync('sh', ['-c', `git archive ${head} src | tar -x -C "${dir}"`], { cwd: repo, stdio: 'inherit' });
    }
  } else {
    dirty = sh('git', ['status', '--porcelain', '--', 'src'], { cwd: repo }).split('\n').filter(Boolean).map((l) => l.slice(3));
  }
  fs.mkdirSync(dir, { recursive: true });
  const tsconfig = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    extends: path.join(repo, 'tsconfig.json'),
    compilerOptions: { rootDir: root, outDir: path.join(dir, 'out'), sourceMap: true, noUnusedLocals: false },
    include: [path.join(root, 'src', '**', '*.ts')],
  }, null, 2));
  const monitor = path.join(dir, 'out', 'src', 'vmm', 'monitor', 'monitor.js');
  if (build || !fs.existsSync(monitor)) {
    try {
      sh(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (e) {
      // tsc still emits on type errors; another session's half-done edit should not stop a bench.
      if (!fs.existsSync(monitor)) throw e;
      process.stderr.write('bench: tsc reported errors (above); benchmarking what it emitted\n');
    }
  }
  return { monitor, commit: head, dirty, rev: rev ?? null };
}
