// `npm run bench -- --linux`: Debian's i686 kernel + the busybox initramfs of ../shared/anchors/linux-guest,
// booted headless by Ringside and by v86 (and QEMU TCG for scale) in the same run, timed from process start to
// marker lines on the serial console:
//   - "Run /init"            the kernel hands over to user space
//   - "RINGSIDE-AUTO-BEGIN"  /init's shell prints its first line: the shell is up (what a prompt would show)
//   - "RINGSIDE-AUTO-DONE"   the end marker, after uname, /proc/cpuinfo and the md5 over 3.3 MB
// Every engine is its own process; the times are the arrival of the lines on its stdout, and its CPU time
// (/proc/PID/stat, all threads) at that moment.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// ringside-seabios boots as v86 and QEMU do, through SeaBIOS (fw_cfg and QEMU's linuxboot_dma.bin option ROM).
export const LINUX_ENGINES = ['ringside', 'ringside-seabios', 'v86-jit', 'v86-interp', 'qemu'];
export const LINUX_DEFAULT_ENGINES = ['ringside', 'v86-jit', 'qemu'];
export const MARKS = [
  { key: 'init', text: 'Run /init', label: 'to `Run /init`' },
  { key: 'shell', text: 'RINGSIDE-AUTO-BEGIN', label: "to /init's shell" },
  { key: 'done', text: 'RINGSIDE-AUTO-DONE', label: 'to the end marker' },
];
const CMDLINE = 'console=ttyS0 ringside.auto=1 panic=-1';
const MEM_MB = 256;
const MD5 = /md5=([0-9a-f]{32})/;

/** The guest files, built by the anchor's script into the repo's .cache/linux-guest when missing. */
export function linuxGuest(repo, anchors) {
  const dir = path.join(repo, '.cache', 'linux-guest');
  const files = { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initramfs.cpio.gz'), expected: path.join(dir, 'expected.txt') };
  if (!Object.values(files).every((f) => fs.existsSync(f))) {
    execFileSync('bash', [path.join(anchors, 'linux-guest', 'make-initramfs.sh'), dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const md5 = MD5.exec(fs.readFileSync(files.expected, 'utf8'))?.[1] ?? null;
  return { ...files, md5 };
}

function procCpu(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

function command(engine, guest, ctx) {
  const t = String(ctx.timeoutS);
  if (engine === 'ringside' || engine === 'ringside-seabios') {
    const bios = engine === 'ringside-seabios' ? ['--bios', '/usr/share/seabios/bios.bin'] : [];
    return [process.execPath, [path.join(here, 'ringside-run.mjs'), '--monitor', ctx.monitor, '--kernel', guest.kernel, '--initrd', guest.initrd,
      '--append', CMDLINE, '--mem', String(MEM_MB), '--until', 'RINGSIDE-AUTO-DONE', '--timeout', t, ...bios]];
  }
  if (engine === 'v86-jit' || engine === 'v86-interp') {
    return [process.execPath, [ctx.v86Runner, '--kernel', guest.kernel, '--initrd', guest.initrd, '--append', CMDLINE, '--mem', String(MEM_MB),
      '--until', 'RINGSIDE-AUTO-DONE', '--timeout', t, ...(engine === 'v86-interp' ? ['--no-jit'] : [])]];
  }
  return ['qemu-system-i386', ['-accel', 'tcg', '-m', String(MEM_MB), '-smp', '1', '-kernel', guest.kernel, '-initrd', guest.initrd,
    '-append', CMDLINE, '-nographic', '-no-reboot']];
}

/** One boot: the wall and CPU seconds from spawn at which each marker arrived, and the md5 the guest printed. */
export function bootOnce(engine, guest, ctx) {
  const [cmd, args] = command(engine, guest, ctx);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const at = {};
    p.stdout.on('data', (d) => {
      const t = performance.now();
      out += d.toString('latin1');
      for (const m of MARKS) if (!at[m.key] && out.includes(m.text)) at[m.key] = { s: (t - t0) / 1000, cpu: procCpu(p.pid) ?? null };
      // QEMU and v86 keep going after the guest's power-off only until their own exit; nothing more to wait for.
      if (at.done && engine === 'qemu' && out.includes('reboot: Power down')) setTimeout(() => p.kill('SIGTERM'), 2000).unref();
    });
    p.stderr.on('data', (d) => (err += d.toString('latin1')));
    const timer = setTimeout(() => p.kill('SIGKILL'), (ctx.timeoutS + 30) * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const md5 = MD5.exec(out)?.[1] ?? null;
      const r = { engine, at, md5, process_s: (performance.now() - t0) / 1000 };
      if (!at.done) r.error = `no end marker (exit ${code ?? signal}): ${(err || out).trim().split('\n').slice(-3).join(' | ')}`;
      else if (guest.md5 && md5 !== guest.md5) r.error = `md5 ${md5}, expected ${guest.md5}`;
      resolve(r);
    });
  });
}

/** Runs `reps` boots per engine, engines rotating, and returns the runs. */
export async function runLinux(engines, reps, guest, ctx, log) {
  const runs = Object.fromEntries(engines.map((e) => [e, []]));
  for (let rep = 0; rep < reps; rep++) {
    const order = engines.map((_, i) => engines[(i + rep) % engines.length]);
    for (const e of order) {
      const r = await bootOnce(e, guest, ctx);
      runs[e][rep] = r;
      log(`bench: linux rep ${rep + 1}/${reps} ${e}: ${r.error ? `ERROR ${r.error}` : MARKS.map((m) => `${m.key} ${r.at[m.key]?.s.toFixed(1)} s`).join(', ')}\n`);
    }
  }
  return runs;
}

const f = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

/** The markdown: per engine and marker, median wall (CPU) seconds, and Ringside's time over each engine's. */
export function linuxMarkdown(runs, meta) {
  const engines = Object.keys(runs);
  const ok = (e) => runs[e].map((r) => (r && !r.error ? r : null));
  const med = (e, k, field) => median(ok(e).filter(Boolean).map((r) => r.at[k]?.[field]));
  const ratio = (e, k, field) => median(ok(e).map((r, i) => {
    const mine = ok('ringside')[i];
    return r && mine ? mine.at[k][field] / r.at[k][field] : null;
  }));
  const L = [];
  L.push(`Measured ${meta.date} on ${meta.cpu}, ${meta.cores} cores (load average ${meta.load_before.join(' ')} before, ${meta.load_after.join(' ')} after), ${meta.os}.`);
  L.push(`Ringside ${meta.ringside.commit.slice(0, 10)}${meta.ringside.dirty.length ? ' + uncommitted changes' : ''}, Node ${meta.node}, v86 ${meta.v86}, ${meta.qemu}.`);
  L.push(`Guest: ${path.basename(meta.kernel)} + ${path.basename(meta.initrd)}, \`${CMDLINE}\`, ${MEM_MB} MiB, 1 vCPU; ${meta.reps} repetition(s) under \`nice -n ${meta.nice}\`, median; ${meta.duration_s.toFixed(0)} s in all.`);
  L.push('');
  L.push(`| engine | ${MARKS.map((m) => `${m.label}: wall s (CPU s)`).join(' | ')} | md5 | Ringside ÷ engine, to the shell: wall / CPU | to the end marker: wall / CPU |`);
  L.push(`|---|${MARKS.map(() => '---').join('|')}|---|---|---|`);
  for (const e of engines) {
    const errs = runs[e].filter((r) => r?.error).map((r) => r.error);
    const cells = MARKS.map((m) => `${f(med(e, m.key, 's'))} (${f(med(e, m.key, 'cpu'))})`);
    const md5 = [...new Set(ok(e).filter(Boolean).map((r) => r.md5))].join(',') || '-';
    const q = (k) => (e === 'ringside' ? '-' : `${f(ratio(e, k, 's'), 2)} / ${f(ratio(e, k, 'cpu'), 2)}`);
    L.push(`| ${e}${errs.length ? ` (${errs.length} failed: ${errs[0]})` : ''} | ${cells.join(' | ')} | ${md5 === meta.md5 ? 'ok' : md5} | ${q('shell')} | ${q('done')} |`);
  }
  L.push('');
  L.push('Seconds from spawning the engine\'s process (Node start, wasm instantiation and firmware included) to the line\'s arrival on its stdout. v86 and QEMU boot through SeaBIOS and their own bzImage loaders; \`ringside\` loads the bzImage itself (32-bit boot protocol), \`ringside-seabios\` boots it through Debian\'s SeaBIOS and QEMU\'s linuxboot_dma.bin, as QEMU does. CPU s: the process\'s user+system time at that moment.');
  return L.join('\n') + '\n';
}
