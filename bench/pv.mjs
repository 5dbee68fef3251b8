#!/usr/bin/env node
// `npm run bench -- --pv`: the teaching kernel's self-test, with its disk, run emulated (kernel.elf: 16550 UART
// and IDE by programmed I/O) and paravirtual (kernel-pv.elf: the PV console and block devices, or with
// `hypercalls` on its command line the VMCALL interface; page tables through the batched-update hypercall
// either way), side by side in one process. Reports monitor exits in all and per reason, and exits per byte
// of console output and per disk sector. Counts are deterministic; the times are only for orientation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildRingside } from './setup.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const kdir = path.join(repo, 'samples', 'workspace', 'kernel');

const VARIANTS = [
  { name: 'emulated', kernel: 'kernel.elf', cmdline: 'test' },
  { name: 'pv-devices', kernel: 'kernel-pv.elf', cmdline: 'test' },
  { name: 'pv-hypercalls', kernel: 'kernel-pv.elf', cmdline: 'test hypercalls' },
];

/** Runs one self-test to its isa-debug-exit; resolves with the output and the monitor's counters. */
export function runSelfTest(Monitor, v, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    let out = '';
    let atStart;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const m = new Monitor((e) => {
      if (e.event === 'output' && e.body.channel === 'serial0') {
        out += e.body.text;
        // The disk was identified during boot; the self-test's sector transfers come after this line.
        if (!atStart && out.includes('self-test: start')) atStart = { devices: { ...m.stats().vms[0].devices }, hypercalls: Array.from(m.machine(0).hypercallCounts) };
      }
      if (e.event === 'exited' || e.event === 'stopped') {
        clearTimeout(timer);
        const cpu = process.cpuUsage(cpu0);
        const machine = m.machine(0);
        resolve({
          ...v, out, end: e.body, wall_s: (performance.now() - t0) / 1000, cpu_s: (cpu.user + cpu.system) / 1e6,
          stats: m.stats().vms[0], atStart, hypercalls: Array.from(machine.hypercallCounts),
          pvConsole: { requests: machine.platform.pvConsole.requests, bytes: machine.platform.pvConsole.bytes },
          pvBlock: { requests: machine.platform.pvBlock.requests, sectors: machine.platform.pvBlock.sectors },
        });
      }
    });
    const timer = setTimeout(() => { m.terminate(); reject(new Error(`${v.name}: no end in ${timeoutMs} ms`)); }, timeoutMs);
    m.launch({ vms: [{ name: v.name, kernel: path.join(kdir, v.kernel), cmdline: v.cmdline, disks: [{ path: path.join(kdir, 'disk.img') }],
      memoryMB: 64, cpus: 1, engine: 'interpret', debugExitPort: 0xf4 }] });
    m.resume();
  });
}

/** The self-test's disk work: read sector 0; read, write, read and restore (write) the last sector. */
const DISK_SECTORS = 5;

function summarise(r) {
  const e = r.stats.exits;
  const total = Object.values(e).reduce((a, b) => a + b, 0);
  const d = r.stats.devices;
  const bytes = Buffer.byteLength(r.out, 'latin1');
  // Console exits: every UART access (the 16550 takes a status poll and a data write per byte), or the PV
  // console's OUTs, or console-write hypercalls. Disk exits likewise: IDE ports, PV block OUTs, block hypercalls.
  const consoleExits = d.com1 + d['pv-console'] + r.hypercalls[2];
  const diskExits = d.ide0 + d['pv-block'] + r.hypercalls[4];
  const s0 = r.atStart;
  const transferExits = diskExits - (s0.devices.ide0 + s0.devices['pv-block'] + s0.hypercalls[4]);
  return { name: r.name, total, exits: e, bytes, consoleExits, diskExits, ptHypercalls: r.hypercalls[3],
    perByte: consoleExits / bytes, perSector: transferExits / DISK_SECTORS, transferExits, wall_s: r.wall_s, cpu_s: r.cpu_s,
    instructions: r.stats.instructions, passed: /ALL TESTS PASSED\s*$/.test(r.out) };
}

export function markdown(rows) {
  const reasons = Object.keys(rows[0].exits).filter((k) => rows.some((r) => r.exits[k]));
  const head = `| | ${rows.map((r) => r.name).join(' | ')} |\n|---|${rows.map(() => '---').join('|')}|\n`;
  const line = (label, f) => `| ${label} | ${rows.map(f).join(' | ')} |\n`;
  let s = head;
  s += line('self-test', (r) => (r.passed ? 'ALL TESTS PASSED' : 'FAILED'));
  s += line('**monitor exits, total**', (r) => `**${r.total}**`);
  for (const k of reasons) s += line(`exits: ${k}`, (r) => r.exits[k]);
  s += line('console output (bytes)', (r) => r.bytes);
  s += line('console exits', (r) => r.consoleExits);
  s += line('**exits per console byte**', (r) => `**${r.perByte.toFixed(3)}**`);
  s += line('disk exits, all (IDENTIFY at boot included)', (r) => r.diskExits);
  s += line(`disk exits in the self-test (${DISK_SECTORS} sectors moved)`, (r) => r.transferExits);
  s += line('**exits per disk sector**', (r) => `**${r.perSector.toFixed(1)}**`);
  s += line('page-table batches (hypercall 3)', (r) => r.ptHypercalls);
  s += line('guest instructions', (r) => r.instructions);
  s += line('wall s / CPU s (orientation only)', (r) => `${r.wall_s.toFixed(2)} / ${r.cpu_s.toFixed(2)}`);
  return s;
}

export async function benchPv(argv) {
  const build = !argv.includes('--no-build');
  process.stderr.write('bench --pv: building Ringside...\n');
  const { monitor } = buildRingside(repo, path.join(repo, '.cache'), { build });
  const require = createRequire(import.meta.url);
  const { Monitor } = require(monitor);
  const rows = [];
  for (const v of VARIANTS) {
    const r = await runSelfTest(Monitor, v);
    rows.push(summarise(r));
    process.stderr.write(`bench --pv: ${v.name}: ${rows.at(-1).total} exits, ${r.wall_s.toFixed(2)} s\n`);
  }
  const md = `Paravirtualization: the teaching kernel's self-test with disk.img, ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, ` +
    `${os.cpus()[0]?.model.trim() ?? '?'}, Node ${process.version}\n\n` + markdown(rows);
  const out = path.join(here, '.results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'pv.md'), md);
  fs.writeFileSync(path.join(out, 'pv.json'), JSON.stringify(rows, null, 1) + '\n');
  process.stdout.write('\n' + md);
  process.exit(rows.every((r) => r.passed) ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchPv(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`bench --pv: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
