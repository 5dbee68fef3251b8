#!/usr/bin/env node
// The debugger's two performance figures (issue 7), measured through the real adapter (dist/adapter.js) over DAP,
// as VS Code drives it. Prints numbers; asserts nothing. Build first: npx webpack --mode production --config-name tools
//
//   node bench/debugger.mjs            # both figures, 3 interleaved runs of the slowdown measurement
//   node bench/debugger.mjs --reps 5
//   node bench/debugger.mjs --step-only
//   node bench/debugger.mjs --in-process-only
//
// 1. Source-line step: from the `next` request to the `stopped` event, and to the answer of the stackTrace and
//    scopes/variables requests VS Code sends right after (what the user waits for), over kmain's lines.
// 2. Slowdown of 100 breakpoints + 10 data breakpoints in cold code: wall time of the sample kernel's self-test
//    (configurationDone to `exited`) with and without them. Breakpoints on lines of shell.c (the self-test never
//    runs the shell), data breakpoints on free RAM. Runs are interleaved and the minimum of each kind is kept.
// 3. The same slowdown without the adapter, worker or wall clock: the monitor in this process (compiled by tsc into
//    out/), the self-test run to its exit, CPU time of this thread; far less noisy on a loaded machine.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const kdir = path.join(repo, 'samples', 'workspace', 'kernel');
const kernel = path.join(kdir, 'kernel.elf');
const src = (f) => path.join(kdir, 'kernel', f);
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 3;

async function client() {
  const dc = new DebugClient('node', path.join(repo, 'dist', 'adapter.js'), 'ringside');
  dc.defaultTimeout = 120000;
  await dc.start();
  await dc.initializeRequest();
  return dc;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function stepLatency() {
  const dc = await client();
  const stopped = dc.waitForEvent('stopped');
  await dc.launch({ kernel, cwd: kdir, serial: 'debugConsole' });
  await dc.setBreakpointsRequest({ source: { path: src('main.c') }, breakpoints: [{ line: 38 }] });
  await dc.configurationDoneRequest();
  await stopped;
  await dc.setBreakpointsRequest({ source: { path: src('main.c') }, breakpoints: [] });
  const toStop = [];
  const toView = [];
  for (let i = 0; i < 12; i++) {
    const t0 = process.hrtime.bigint();
    const ev = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    await ev;
    toStop.push(ms(t0));
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
    await Promise.all(scopes.body.scopes.filter((s) => !s.expensive).map((s) => dc.variablesRequest({ variablesReference: s.variablesReference })));
    toView.push(ms(t0));
  }
  await dc.stop();
  return { toStop, toView };
}

async function selfTest(withBreakpoints) {
  const dc = await client();
  const exited = dc.waitForEvent('exited', 300000);
  await dc.launch({ kernel, cwd: kdir, serial: 'debugConsole', cmdline: 'test' });
  let count = { code: 0, data: 0 };
  if (withBreakpoints) {
    const lines = Array.from({ length: 400 }, (_, i) => ({ line: i + 1 }));
    const r = await dc.setBreakpointsRequest({ source: { path: src('shell.c') }, breakpoints: lines });
    // One breakpoint per distinct line with code: the first 100 of them.
    const seen = new Set();
    const keep = [];
    r.body.breakpoints.forEach((b, i) => {
      if (b.verified && !seen.has(b.line) && keep.length < 100) {
        seen.add(b.line);
        keep.push({ line: lines[i].line });
      }
    });
    const set = await dc.setBreakpointsRequest({ source: { path: src('shell.c') }, breakpoints: keep });
    count.code = set.body.breakpoints.filter((b) => b.verified).length;
    // Ten watches on RAM the kernel does not use (48 MiB up), 4 to 64 bytes, each on its own page.
    const data = Array.from({ length: 10 }, (_, i) => ({ dataId: `0x${(0x3000000 + i * 0x1000 + 0x40).toString(16)}/${4 << (i % 5)}/free${i}`, accessType: i % 2 ? 'readWrite' : 'write' }));
    const d = await dc.setDataBreakpointsRequest({ breakpoints: data });
    count.data = d.body.breakpoints.filter((b) => b.verified).length;
  }
  const t0 = process.hrtime.bigint();
  await dc.configurationDoneRequest();
  await exited;
  const t = ms(t0);
  await dc.stop();
  return { t, count };
}

const inProcessOnly = process.argv.includes('--in-process-only');
if (!inProcessOnly) {
const step = await stepLatency();
console.log(`source-line step (next over kmain's lines, ${step.toStop.length} steps):`);
console.log(`  request -> stopped event:         median ${median(step.toStop).toFixed(1)} ms, max ${Math.max(...step.toStop).toFixed(1)} ms`);
console.log(`  request -> stack + scopes + vars: median ${median(step.toView).toFixed(1)} ms, max ${Math.max(...step.toView).toFixed(1)} ms`);

if (process.argv.includes('--step-only')) process.exit(0);
}

/** Part 3: the monitor in-process; returns user CPU ms of running the self-test to its isa-debug-exit. */
async function inProcess(withBreakpoints) {
  const { Monitor } = require(path.join(repo, 'out', 'src', 'vmm', 'monitor', 'monitor.js'));
  const { validateLaunchArgs } = require(path.join(repo, 'out', 'src', 'debug', 'launch-args.js'));
  const { loadSymbols } = require(path.join(repo, 'out', 'src', 'debug', 'symbol-bridge.js'));
  const launch = validateLaunchArgs({ kernel, cwd: kdir, cmdline: 'test' });
  const monitor = new Monitor(() => undefined);
  monitor.launch(launch.config);
  if (withBreakpoints) {
    const { symbols } = loadSymbols(launch.symbolFiles);
    const addrs = new Set();
    for (let line = 1; line < 400 && addrs.size < 100; line++) {
      const hit = symbols.addressesForLine(src('shell.c'), line);
      if (hit && hit.line === line) addrs.add(hit.addresses[0]);
    }
    monitor.setBreakpoints([...addrs].map((address, i) => ({ id: i + 1, address, space: 'linear' })));
    monitor.setWatchpoints(Array.from({ length: 10 }, (_, i) => ({ id: i + 1, address: 0x3000040 + i * 0x1000, length: 4 << (i % 5), access: i % 2 ? 'readWrite' : 'write' })));
  }
  const m = monitor.machine(0);
  const t0 = process.cpuUsage();
  let runs = 0;
  while (!m.poweredOff && runs++ < 100000) m.run(200000);
  const t = (process.cpuUsage(t0).user) / 1000;
  return { t, instructions: m.instructions };
}

if (!inProcessOnly) {
const base = [];
const withBps = [];
let counts;
for (let i = 0; i < reps; i++) {
  base.push((await selfTest(false)).t);
  const r = await selfTest(true);
  withBps.push(r.t);
  counts = r.count;
}
const b = Math.min(...base);
const w = Math.min(...withBps);
console.log(`self-test run time (configurationDone -> exited), min of ${reps}:`);
console.log(`  no breakpoints:                      ${b.toFixed(0)} ms   (all: ${base.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ${counts.code} breakpoints + ${counts.data} data breakpoints: ${w.toFixed(0)} ms   (all: ${withBps.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  slowdown: ${(((w - b) / b) * 100).toFixed(1)}% min to min, ${(((median(withBps) - median(base)) / median(base)) * 100).toFixed(1)}% median to median`);
}

const ipBase = [];
const ipWith = [];
let insns;
for (let i = 0; i < reps + 2; i++) {
  ipBase.push((await inProcess(false)).t);
  const r = await inProcess(true);
  ipWith.push(r.t);
  insns = r.instructions;
}
const ib = Math.min(...ipBase);
const iw = Math.min(...ipWith);
console.log(`in-process self-test (${(insns / 1e6).toFixed(0)} M guest instructions, CPU time, min of ${reps + 2}):`);
console.log(`  no breakpoints:                       ${ib.toFixed(0)} ms   (all: ${ipBase.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  100 breakpoints + 10 data breakpoints: ${iw.toFixed(0)} ms   (all: ${ipWith.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  slowdown: ${(((iw - ib) / ib) * 100).toFixed(1)}% min to min, ${(((median(ipWith) - median(ipBase)) / median(ipBase)) * 100).toFixed(1)}% median to median`);
