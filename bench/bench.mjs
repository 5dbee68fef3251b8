#!/usr/bin/env node
// `npm run bench`: Ringside's interpreter side by side with v86 (interpreter and JIT) and QEMU TCG, in the same
// run, on ../shared/anchors/cpubench. Reports medians and ratios; never asserts a time. See bench/README.md.
//
//   npm run bench                                   # every mode, 3 repetitions (about 10 minutes)
//   npm run bench -- --reps 1 --modes loop          # a quick look
//   npm run bench -- --rev HEAD                     # the last commit, not the working tree
//   npm run bench -- --linux                        # Debian Linux boot time, Ringside beside v86 (bench/linux.mjs)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCpubench, buildRingside, setupV86 } from './setup.mjs';
import { ENGINES, runEngine } from './engines.mjs';
import { checkChecksums, markdown, summarise } from './report.mjs';
import { LINUX_DEFAULT_ENGINES, LINUX_ENGINES, linuxGuest, linuxMarkdown, runLinux } from './linux.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);

// The same N for every engine in a mode, so one guest's work is timed everywhere. Smaller than cpubench's
// defaults: picked so the slowest engines (Ringside, v86's interpreter) take a few seconds per run.
const ITERS = { work: 1000, loop: 100_000_000, intiret: 5_000_000, cr3: 500_000 };

const USAGE = `usage: npm run bench -- [options]
  --reps R            repetitions, interleaved (default 3)
  --modes a,b         of ${Object.keys(ITERS).join(',')} (default all)
  --engines a,b       of ${ENGINES.join(',')} (default all)
  --iters mode=N,..   override N (same N for every engine)
  --scale F           multiply every default N by F (e.g. 0.1 for a smoke run)
  --rev REV           benchmark that commit's src/ (git archive) instead of the working tree
  --no-build          reuse the last compiled Ringside
  --nice N            lower the bench's priority (default 10; 0 to keep it)
  --timeout S         per run (default 600)
  --anchors DIR       default ../shared/anchors
  --out DIR           default bench/.results
  --report FILE.json  only re-render the tables of an earlier run (its latest.json) into --out
  --pv                the paravirtualization comparison instead (bench/pv.mjs): the teaching kernel's
                      self-test emulated and paravirtual, exits per reason, per console byte, per disk sector
  --linux             instead: boot Debian's kernel + busybox initramfs (../shared/anchors/linux-guest) to its
                      shell and end marker under ${LINUX_DEFAULT_ENGINES.join(', ')} (--engines: any of
                      ${LINUX_ENGINES.join(',')}); 1 repetition unless --reps; writes latest-linux.md/json`;

function parseArgs(argv) {
  const o = { reps: 3, modes: Object.keys(ITERS), engines: [...ENGINES], iters: { ...ITERS }, scale: 1, build: true, nice: 10,
    timeoutS: 600, anchors: path.resolve(repo, '..', 'shared', 'anchors'), out: path.join(here, '.results') };
  const overrides = {};
  for (let i = 0; i < argv.length; i++) {
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--reps': o.reps = Number(v()); o.repsGiven = true; break;
      case '--modes': o.modes = v().split(','); break;
      case '--engines': o.engines = v().split(','); o.enginesGiven = true; break;
      case '--iters': for (const kv of v().split(',')) { const [k, n] = kv.split('='); overrides[k] = Number(n); } break;
      case '--scale': o.scale = Number(v()); break;
      case '--rev': o.rev = v(); break;
      case '--no-build': o.build = false; break;
      case '--nice': o.nice = Number(v()); break;
      case '--timeout': o.timeoutS = Number(v()); o.timeoutGiven = true; break;
      case '--anchors': o.anchors = path.resolve(v()); break;
      case '--out': o.out = path.resolve(v()); break;
      case '--report': o.report = path.resolve(v()); break;
      case '--linux': o.linux = true; break;
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0);
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  for (const m of o.modes) if (!(m in ITERS)) throw new Error(`unknown mode ${m}`);
  if (o.linux) {
    if (!o.enginesGiven) o.engines = [...LINUX_DEFAULT_ENGINES];
    if (!o.repsGiven) o.reps = 1;
    if (!o.engines.includes('ringside')) throw new Error('--linux compares against ringside: keep it in --engines');
  }
  for (const e of o.engines) if (!(o.linux ? LINUX_ENGINES : ENGINES).includes(e)) throw new Error(`unknown engine ${e}`);
  for (const m of Object.keys(ITERS)) o.iters[m] = overrides[m] ?? Math.max(1, Math.round(ITERS[m] * o.scale));
  if (!(o.reps >= 1)) throw new Error('--reps needs a positive number');
  return o;
}

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return `${cmd}: not found`;
  }
}

const load = () => os.loadavg().map((x) => x.toFixed(2));

async function main() {
  // The paravirtualization comparison is its own bench (bench/pv.mjs): exit counts, not engine speed.
  if (process.argv.includes('--pv')) {
    const { benchPv } = await import('./pv.mjs');
    return benchPv(process.argv.slice(2).filter((a) => a !== '--pv'));
  }
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (o.report) {
    const { meta, runs } = JSON.parse(fs.readFileSync(o.report, 'utf8'));
    return finish(o, meta, runs);
  }
  // Children inherit the priority: the machine is shared, and the other sessions' builds should not wait on us.
  if (o.nice) os.setPriority(0, Math.min(19, os.getPriority(0) + o.nice));
  const started = performance.now();
  const cache = path.join(repo, '.cache');
  if (o.linux) return benchLinux(o, cache, started);
  process.stderr.write('bench: building cpubench, v86, Ringside...\n');
  const kernel = buildCpubench(o.anchors, cache);
  const v86 = setupV86(o.anchors, cache);
  const ringside = buildRingside(repo, cache, { rev: o.rev, build: o.build });
  const ctx = { kernel, monitor: ringside.monitor, v86Runner: v86.runner, timeoutS: o.timeoutS };

  const meta = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: os.cpus()[0]?.model.trim() ?? '?', cores: os.cpus().length, os: version('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']),
    node: process.version, v86: v86.version, qemu: version('qemu-system-i386', ['--version']),
    ringside, reps: o.reps, nice: os.getPriority(0), iters: o.iters, load_before: load(),
  };
  const runs = {};
  for (const m of o.modes) runs[m] = Object.fromEntries(o.engines.map((e) => [e, []]));
  for (let rep = 0; rep < o.reps; rep++) {
    for (const mode of o.modes) {
      // Rotate the engine order each repetition so none always runs first (right after a mode switch).
      const order = o.engines.map((_, i) => o.engines[(i + rep) % o.engines.length]);
      for (const engine of order) {
        const m = await runEngine(engine, mode, o.iters[mode], ctx);
        runs[mode][engine][rep] = m;
        const line = m.error ? `ERROR ${m.error}` : `${m.window_s.toFixed(3)} s (CPU ${m.cpu_s?.toFixed(2) ?? '?'} s) ${m.checksum}`;
        process.stderr.write(`bench: rep ${rep + 1}/${o.reps} ${mode} N=${o.iters[mode]} ${engine}: ${line}\n`);
      }
    }
  }
  meta.load_after = load();
  meta.duration_s = (performance.now() - started) / 1000;
  finish(o, meta, runs);
}

/** `--linux`: one boot per engine and repetition, times to the markers, the table into latest-linux.md. */
async function benchLinux(o, cache, started) {
  process.stderr.write('bench: building v86, Ringside, the Linux guest...\n');
  const v86 = setupV86(o.anchors, cache);
  const ringside = buildRingside(repo, cache, { rev: o.rev, build: o.build });
  const guest = linuxGuest(repo, o.anchors);
  const meta = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: os.cpus()[0]?.model.trim() ?? '?', cores: os.cpus().length, os: version('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']),
    node: process.version, v86: v86.version, qemu: version('qemu-system-i386', ['--version']),
    ringside, reps: o.reps, nice: os.getPriority(0), kernel: guest.kernel, initrd: guest.initrd, md5: guest.md5, load_before: load(),
  };
  const ctx = { monitor: ringside.monitor, v86Runner: v86.runner, timeoutS: o.timeoutGiven ? o.timeoutS : 3600 };
  const runs = await runLinux(o.engines, o.reps, guest, ctx, (t) => process.stderr.write(t));
  meta.load_after = load();
  meta.duration_s = (performance.now() - started) / 1000;
  const md = linuxMarkdown(runs, meta);
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'latest-linux.md'), md);
  fs.writeFileSync(path.join(o.out, 'latest-linux.json'), JSON.stringify({ meta, runs }, null, 1) + '\n');
  process.stdout.write('\n' + md);
  const failed = Object.values(runs).flat().filter((r) => r?.error);
  if (failed.length) process.stderr.write(`bench: ${failed.length} Linux boot(s) failed\n`);
  process.exit(failed.length ? 1 : 0);
}

/** Tables, files, exit status. */
function finish(o, meta, runs) {
  const rows = summarise(runs, meta.iters);
  const bad = checkChecksums(rows);
  const md = markdown(rows, meta);
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'latest.md'), md);
  fs.writeFileSync(path.join(o.out, 'latest.json'), JSON.stringify({ meta, rows, runs }, null, 1) + '\n');
  process.stdout.write('\n' + md);
  process.stderr.write(`bench: wrote ${path.relative(repo, path.join(o.out, 'latest.md'))} and latest.json\n`);
  const failed = rows.filter((r) => r.errors.length);
  if (bad.length) process.stderr.write(`bench: CHECKSUM MISMATCH: ${bad.join('; ')}\n`);
  if (failed.length) process.stderr.write(`bench: ${failed.length} engine/mode(s) had failed runs\n`);
  process.exit(bad.length || failed.length ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
