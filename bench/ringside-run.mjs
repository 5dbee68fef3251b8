#!/usr/bin/env node
// Headless Ringside runner for the bench: one VM through the compiled Monitor (the same class the debugger and
// the `ringside` CLI drive), COM1 to stdout, and a measurement window between two serial texts.
//
//   node bench/ringside-run.mjs --monitor .cache/bench/work/out/src/vmm/monitor/monitor.js \
//     --kernel cpubench.elf --append "mode=loop iters=1000000" --since "CPUBENCH START" --until "checksum="
//
// At the end stderr gets one line `ringside-run: {json}`: the window's wall and CPU seconds, the guest
// instructions and monitor exits (per reason) retired in it, from Monitor.stats().
//
// Why not the CLI: the window has to be taken inside the process (no pipe latency, no boot), with stats()
// sampled at the same two moments as the clock so MIPS and exits/s are consistent.
import path from 'node:path';
import { createRequire } from 'node:module';

const USAGE = `usage: node ringside-run.mjs --monitor monitor.js --kernel FILE [--initrd FILE] [--bios FILE] [--append TEXT] [--mem MB]
  [--since TEXT] [--until TEXT] [--timeout S] [--quiet]`;

function die(msg) {
  process.stderr.write(`ringside-run: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const opt = { mem: 128, timeout: 600, append: '', since: '', until: '', quiet: false };
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const v = () => (i + 1 < a.length ? a[++i] : die(`${a[i]} needs a value`));
    switch (a[i]) {
      case '--monitor': opt.monitor = v(); break;
      case '--kernel': opt.kernel = v(); break;
      case '--initrd': opt.initrd = v(); break;
      case '--bios': opt.bios = v(); break;
      case '--append': opt.append = v(); break;
      case '--mem': opt.mem = Number(v()); break;
      case '--since': opt.since = v(); break;
      case '--until': opt.until = v(); break;
      case '--timeout': opt.timeout = Number(v()); break;
      case '--quiet': opt.quiet = true; break;
      default: die(`unknown option ${a[i]}`);
    }
  }
  if (!opt.monitor || !opt.kernel) die('--monitor and --kernel are required');
}

const require = createRequire(import.meta.url);
const { Monitor } = require(path.resolve(opt.monitor));

/** One moment of the window: host clocks and the monitor's counters, taken together. */
function sample(monitor) {
  const vm = monitor.stats().vms[0];
  const cpu = process.cpuUsage();
  return { t: performance.now(), cpu: (cpu.user + cpu.system) / 1e6, instructions: vm.instructions, exits: { ...vm.exits } };
}

const t0 = performance.now();
let since, until, exitCode = null, done = false;
let tail = '';
const keep = Math.max(opt.since.length, opt.until.length) + 64;

function finish(reason) {
  if (done) return;
  done = true;
  const s = since, u = until;
  const exits = {};
  let exitTotal = 0;
  if (s && u) {
    for (const k of Object.keys(u.exits)) {
      const d = u.exits[k] - (s.exits[k] ?? 0);
      if (d) exits[k] = d;
      exitTotal += d;
    }
  }
  const sum = {
    reason,
    matched: !!u,
    guest_exit_code: exitCode,
    elapsed_s: u ? (u.t - t0) / 1000 : null,
    since_s: s && u ? (u.t - s.t) / 1000 : null,
    since_cpu_s: s && u ? u.cpu - s.cpu : null,
    since_instructions: s && u ? u.instructions - s.instructions : null,
    since_exits: s && u ? exitTotal : null,
    since_exits_by_reason: exits,
  };
  process.stderr.write(`ringside-run: ${JSON.stringify(sum)}\n`, () => process.exit(reason === 'until' ? 0 : reason === 'timeout' ? 1 : 3));
}

const monitor = new Monitor((e) => {
  if (e.event === 'output' && e.body.channel === 'serial0') {
    // Output arrives once per run slice (8 ms of guest time), so both ends of the window are late by up to one
    // slice; the counters are read at the same moment, which keeps MIPS and exits/s exact for the window taken.
    if (!opt.quiet) process.stdout.write(e.body.text);
    tail = (tail + e.body.text).slice(-keep);
    if (opt.since && !since && tail.includes(opt.since)) since = sample(monitor);
    if (opt.until && !until && (since || !opt.since) && tail.includes(opt.until)) until = sample(monitor);
  } else if (e.event === 'output' && e.body.channel === 'monitor') {
    process.stderr.write(e.body.text);
  } else if (e.event === 'exited') {
    exitCode = e.body.code;
    // Let the guest finish its line: it writes isa-debug-exit right after the result line.
    finish(until ? 'until' : 'stopped');
  } else if (e.event === 'stopped') {
    process.stderr.write(`ringside-run: stopped: ${e.body.description} ${e.body.text ?? ''}\n`);
    finish(until ? 'until' : 'stopped');
  }
});

monitor.launch({
  vms: [{ name: 'vm', kernel: path.resolve(opt.kernel), initrd: opt.initrd && path.resolve(opt.initrd), cmdline: opt.append, disks: [],
    memoryMB: opt.mem, cpus: 1, engine: 'interpret', debugExitPort: 0xf4, ...(opt.bios ? { bios: path.resolve(opt.bios) } : {}) }],
});
setTimeout(() => finish('timeout'), opt.timeout * 1000).unref();
monitor.resume();
