// How each engine runs one cpubench mode, and what one run yields. Every run is its own process (a fresh V8 /
// wasm JIT, as a user would start it), and the window is the guest's "CPUBENCH START" line to its result line:
// the workload only, no boot.
//  - ringside: bench/ringside-run.mjs, clock and Monitor.stats() sampled together inside the process
//  - v86-interp / v86-jit: the anchor's run.mjs (--since/--until, timed in its serial hook)
//  - qemu: the arrival of the two lines on QEMU's stdout
// For every engine the bench also reads the child's CPU time (/proc/PID/stat, all threads) when each line
// arrives: on a machine shared with other jobs CPU seconds move much less than wall seconds.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SINCE = 'CPUBENCH START';
export const UNTIL = 'checksum=';
export const ENGINES = ['ringside', 'v86-interp', 'v86-jit', 'qemu'];

const TICK = 100; // USER_HZ: /proc/PID/stat counts CPU time in 1/100 s on Linux

/** User+system CPU seconds of a live process (all its threads), or undefined once it is gone. */
function procCpu(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // the command name may contain spaces
    return (Number(f[11]) + Number(f[12])) / TICK; // fields 14 and 15: utime, stime
  } catch {
    return undefined;
  }
}

/** Spawns a child, stamps (wall, CPU) when SINCE and UNTIL first show up on its stdout, collects the rest. */
function runProcess(cmd, args, timeoutS) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const seen = {};
    p.stdout.on('data', (d) => {
      const t = performance.now();
      out += d.toString('latin1');
      for (const mk of [SINCE, UNTIL]) {
        if (!seen[mk] && out.includes(mk)) seen[mk] = { t, cpu: procCpu(p.pid) };
      }
    });
    p.stderr.on('data', (d) => (err += d.toString('latin1')));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const a = seen[SINCE], b = seen[UNTIL];
      resolve({
        code, signal, out, err,
        process_s: (performance.now() - t0) / 1000,
        seen_s: a && b ? (b.t - a.t) / 1000 : null,
        seen_cpu_s: a && b && a.cpu !== undefined && b.cpu !== undefined ? b.cpu - a.cpu : null,
      });
    });
  });
}

function parseResult(out) {
  const m = /CPUBENCH RESULT mode=(\S+) iters=(\d+) checksum=(0x[0-9a-f]+)/.exec(out);
  return m ? { mode: m[1], iters: Number(m[2]), checksum: m[3] } : null;
}

/** The JSON summary a runner prints on stderr after `tag: `. */
function summary(err, tag) {
  const line = err.split('\n').reverse().find((l) => l.startsWith(`${tag}: {`));
  return line ? JSON.parse(line.slice(tag.length + 2)) : null;
}

/**
 * Runs `engine` on `mode` with `iters`; returns one measurement or { error }. `ctx` holds the built artefacts:
 * kernel, monitor (compiled Ringside), v86Runner, timeoutS.
 */
export async function runEngine(engine, mode, iters, ctx) {
  const append = `mode=${mode} iters=${iters}`;
  let r, s = null;
  if (engine === 'ringside') {
    r = await runProcess(process.execPath, [path.join(here, 'ringside-run.mjs'), '--monitor', ctx.monitor, '--kernel', ctx.kernel,
      '--append', append, '--since', SINCE, '--until', UNTIL, '--timeout', String(ctx.timeoutS)], ctx.timeoutS + 30);
    s = summary(r.err, 'ringside-run');
  } else if (engine === 'v86-interp' || engine === 'v86-jit') {
    r = await runProcess(process.execPath, [ctx.v86Runner, '--multiboot', ctx.kernel, '--append', append, '--since', SINCE,
      '--until', UNTIL, '--timeout', String(ctx.timeoutS), ...(engine === 'v86-interp' ? ['--no-jit'] : [])], ctx.timeoutS + 30);
    s = summary(r.err, 'v86-run');
    if (s && engine === 'v86-interp' && (s.jit_disabled_flag !== true || s.jit_blocks_compiled !== 0)) {
      return { error: `v86 --no-jit still compiled (flag ${s.jit_disabled_flag}, ${s.jit_blocks_compiled} blocks)` };
    }
  } else if (engine === 'qemu') {
    r = await runProcess('qemu-system-i386', ['-accel', 'tcg', '-m', '128', '-kernel', ctx.kernel, '-append', append,
      '-nographic', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x4'], ctx.timeoutS);
  } else {
    return { error: `unknown engine ${engine}` };
  }
  const res = parseResult(r.out);
  if (!res) return { error: `no result line (exit ${r.code ?? r.signal}): ${(r.err || r.out).trim().split('\n').slice(-3).join(' | ')}` };
  const m = {
    checksum: res.checksum,
    // The engine's own window where it has one (no pipe in between), else the lines' arrival here.
    window_s: s?.since_s ?? r.seen_s,
    cpu_s: s?.since_cpu_s ?? r.seen_cpu_s,
    instructions: s?.since_instructions ?? null,
    process_s: r.process_s,
  };
  if (engine === 'ringside') {
    m.exits = s?.since_exits ?? null;
    m.exits_by_reason = s?.since_exits_by_reason ?? {};
  }
  if (engine.startsWith('v86')) m.jit_blocks_compiled = s?.jit_blocks_compiled ?? null;
  return m;
}
