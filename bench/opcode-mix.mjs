#!/usr/bin/env node
// The instruction mix of one cpubench mode under Ringside: which opcodes the interpreter dispatches, and how
// often, so a fast path goes where the instructions are. Counts by wrapping every entry of the compiled
// dispatch arrays (HANDLERS, GROUPS) before the Monitor starts: nothing in src/ changes; the run is slower.
//
//   node bench/opcode-mix.mjs --mode work --iters 30 [--top 40] [--rev HEAD]
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildCpubench, buildRingside } from './setup.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const a = process.argv.slice(2);
const arg = (n, d) => (a.includes(n) ? a[a.indexOf(n) + 1] : d);
const mode = arg('--mode', 'work');
const iters = arg('--iters', '30');
const top = Number(arg('--top', '40'));
const cache = path.join(repo, '.cache');
const kernel = buildCpubench(arg('--anchors', path.resolve(repo, '..', 'shared', 'anchors')), cache);
const { monitor } = buildRingside(repo, cache, { rev: arg('--rev'), build: !a.includes('--no-build') });

const require = createRequire(import.meta.url);
const d = require(path.join(path.dirname(monitor), '..', 'cpu', 'dispatch.js'));
const counts = new Map();
const wrap = (arr, name) => arr.forEach((h, i) => {
  const k = name(i);
  if (!k) return;
  arr[i] = (c) => {
    counts.set(k, (counts.get(k) ?? 0) + 1);
    h(c);
  };
});
const hex = (op) => (op >= 0x100 ? `0f ${(op & 0xff).toString(16).padStart(2, '0')}` : op.toString(16).padStart(2, '0'));
wrap(d.HANDLERS, (i) => {
  const e = d.BY_OP[i & 0x1ff];
  return e && `${hex(e.op)} ${e.mnemonic} ${e.operands}${i & 0x200 ? '' : ' (o16)'}`;
});
wrap(d.GROUPS, (i) => {
  const e = d.BY_GROUP[i & 0xfff];
  return e && `${hex(e.op)}/${e.reg} ${e.mnemonic} ${e.operands}${i & 0x1000 ? '' : ' (o16)'}`;
});

const { Monitor } = require(monitor);
let out = '';
const m = new Monitor((e) => {
  if (e.event === 'output' && e.body.channel === 'serial0') out += e.body.text;
  if (e.event === 'exited' || e.event === 'stopped') {
    const total = [...counts.values()].reduce((x, y) => x + y, 0);
    process.stdout.write(`${out.trim()}\n${total} dispatches (prefixes and the 0F escape count as their own)\n`);
    let cum = 0;
    for (const [k, v] of [...counts].sort((x, y) => y[1] - x[1]).slice(0, top)) {
      cum += v;
      process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}% ${((100 * cum) / total).toFixed(0).padStart(3)}%  ${k}\n`);
    }
    process.exit(0);
  }
});
m.launch({ vms: [{ name: 'vm', kernel, cmdline: `mode=${mode} iters=${iters}`, disks: [], memoryMB: 128, cpus: 1, engine: 'interpret', debugExitPort: 0xf4 }] });
m.resume();
