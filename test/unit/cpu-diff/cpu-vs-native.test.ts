import * as assert from 'assert';
import * as os from 'os';
import { compareOutcomes, formatMismatch } from './compare';
import { fromCpu, fromOracle, Outcome, toFlatUserCase, toOracleRequest } from './convert';
import { loadRunFlatUserCase, RunFlatUserCase } from './cpu-loader';
import { disassemble } from './disasm';
import { CLASSES, generateCase } from './generators';
import { GenCase } from './generators/stream';
import { allowedBy, OracleKind, QEMU_ABORTS_ON_JUNK_IOPL } from './known-divergences';
import { WILD_RANGES } from './layout';
import { buildOracle, OracleClient, OracleResponse } from './oracle-client';
import { OraclePool } from './oracle-pool';
import { RestartingOracle } from './qemu-oracle';
import { repoRoot } from './repo-root';
import { CASES, ONLY, REPORTS_PER_CLASS, SEED } from './run-config';

/**
 * Differential test: random user-mode instruction streams run on the real x86 (the native oracle) and on the
 * CPU's flat user-mode harness, compared field by field (compare.ts). Fixed seed by default so a run is
 * reproducible; RINGSIDE_DIFF_SEED picks another, RINGSIDE_DIFF_CASES the count, RINGSIDE_DIFF_CLASS one class.
 * RINGSIDE_DIFF_ORACLE: auto (default: the real CPU if the oracle runs here, else QEMU user mode if installed,
 * else skip and say why), native or qemu (forced: failing if it cannot run), off (skip).
 * RINGSIDE_DIFF_ORACLES: QEMU processes (default: one per core, at most 2).
 */
/** Cases per batch sent to the oracle; BATCHES_IN_FLIGHT of them are queued while the CPU runs an earlier one. */
const BATCH = 1000;
const BATCHES_IN_FLIGHT = 2;
/**
 * Cases the CPU runs between two returns to the event loop. The oracles' answers are read and their next
 * requests written only there: a long synchronous stretch would fill the pipes and stall the oracles.
 */
const SLICE = 25;
/** Oracle processes: QEMU needs about 0.25 ms of CPU per case, so one per core (2 here); the real CPU, one. */
const QEMU_PROCESSES = Math.max(1, Number(process.env.RINGSIDE_DIFF_ORACLES ?? Math.min(2, os.cpus().length)));
/** A QEMU process that answers nothing for this long with requests pending is killed (oracle-client.ts). */
const QEMU_STALL_MS = 10_000;

interface Tally {
  total: number;
  pass: number;
  fail: number;
  allowed: number;
  statuses: Map<string, number>;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CPU vs native x86 (differential)', function () {
  this.timeout(900_000);
  let oracle: OraclePool<OracleClient | RestartingOracle> | undefined;
  let kind: OracleKind = 'native';
  let runCpu: RunFlatUserCase | undefined;
  let oracleName = '';

  before(async function () {
    this.timeout(600_000);
    const build = buildOracle(repoRoot());
    if (!build.ok) {
      // Natively the oracle needs x86, a multilib toolchain and a kernel that runs i386 programs; these
      // sandboxes have IA-32 emulation off, so by default (RINGSIDE_DIFF_ORACLE=auto) the same binary runs under
      // Debian's qemu-i386-static instead. Skipped only when neither runs (or RINGSIDE_DIFF_ORACLE=off); a
      // forced choice that cannot run fails. The decoder and x87 differentials run either way.
      if (build.forced) throw new Error(`RINGSIDE_DIFF_ORACLE: ${build.reason}`);
      console.log(`      skipped: ${build.reason}`);
      this.skip();
    }
    runCpu = loadRunFlatUserCase();
    // The harness exists now: its absence is a failure, never a skip.
    if (!runCpu) throw new Error('runFlatUserCase (src/vmm/cpu/testing/flat-user.ts) could not be loaded');
    const { binary, runner } = build;
    kind = runner ? 'qemu' : 'native';
    const members = runner
      ? Array.from({ length: QEMU_PROCESSES }, () => new RestartingOracle(() => new OracleClient(binary, { runner, stallMs: QEMU_STALL_MS })))
      : [new OracleClient(binary)];
    oracle = new OraclePool<OracleClient | RestartingOracle>(members);
    oracleName = build.name;
    console.log(`      oracle: ${build.name}${members.length > 1 ? `, ${members.length} processes` : ''}`);
    checkWildRanges(await oracle.info());
  });

  after(async () => {
    await oracle?.close();
  });

  it(`agrees with the 32-bit oracle (the real CPU where it runs, else QEMU user mode) on ${CASES} random streams (seed ${SEED})`, async function () {
    const o = oracle!;
    const cpu = runCpu!;
    const tally = new Map<string, Tally>(CLASSES.map((c) => [c.name, newTally()]));
    const reports: string[] = [];
    const reportsPerClass = new Map<string, number>();
    const allowedById = new Map<string, number>();
    const t0 = performance.now();
    let cpuMs = 0;
    let genMs = 0;
    let waitMs = 0;

    const submit = async (start: number): Promise<{ start: number; cases: GenCase[]; answers: Promise<OracleResponse[]> }> => {
      const cases: GenCase[] = [];
      const g0 = performance.now();
      for (let i = start; i < Math.min(CASES, start + BATCH); i++) cases.push(generateCase(SEED, i, ONLY));
      genMs += performance.now() - g0;
      return { start, cases, answers: o.runBatch(cases.map((c, k) => toOracleRequest(c, start + k))) };
    };
    const inFlight: ReturnType<typeof submit>[] = [];
    let next = 0;
    for (; next < CASES && inFlight.length < BATCHES_IN_FLIGHT; next += BATCH) inFlight.push(submit(next));

    while (inFlight.length) {
      const { start, cases, answers } = await inFlight.shift()!;
      const w0 = performance.now();
      const responses = await answers;
      waitMs += performance.now() - w0;
      // Keep the oracles busy while the CPU runs this batch.
      if (next < CASES) {
        inFlight.push(submit(next));
        next += BATCH;
      }
      for (let k = 0; k < cases.length; k++) {
        if (k % SLICE === 0) await yieldToEventLoop();
        const c = cases[k];
        const t = tally.get(c.cls)!;
        const r = responses[k];
        if (r.status === 'error') {
          if (!QEMU_ABORTS_ON_JUNK_IOPL.applies(kind, c, r.error)) {
            throw new Error(`oracle rejected case #${start + k} (${c.cls}): ${r.error}`);
          }
          t.total++;
          t.allowed++;
          t.statuses.set('no answer', (t.statuses.get('no answer') ?? 0) + 1);
          allowedById.set(QEMU_ABORTS_ON_JUNK_IOPL.id, (allowedById.get(QEMU_ABORTS_ON_JUNK_IOPL.id) ?? 0) + 1);
          continue;
        }
        const c0 = performance.now();
        let act: Outcome | Error;
        try {
          act = fromCpu(cpu(toFlatUserCase(c)));
        } catch (e) {
          act = e instanceof Error ? e : new Error(String(e));
        }
        cpuMs += performance.now() - c0;
        const exp = fromOracle(r, c);
        t.total++;
        const st = exp.status === 'exception' ? (exp.vector !== undefined ? `#${exp.vector}` : exp.signal ?? '#?') : exp.status;
        t.statuses.set(st, (t.statuses.get(st) ?? 0) + 1);
        const diffs = act instanceof Error ? [`CPU threw: ${act.stack ?? act.message}`] : compareOutcomes(c, exp, act);
        if (diffs.length === 0) {
          t.pass++;
          continue;
        }
        const cpuBefore = (off: number): Outcome | undefined => {
          // The same case cut before `off` (an instruction start), on the CPU only.
          const cut: GenCase = { ...c, code: c.code.subarray(0, off), instrs: c.instrs.filter((i) => i.off < off) };
          try {
            return fromCpu(cpu(toFlatUserCase(cut)));
          } catch {
            return undefined;
          }
        };
        const known = act instanceof Error ? undefined : allowedBy(kind, c, exp, act, diffs, cpuBefore);
        if (known) {
          t.allowed++;
          allowedById.set(known.id, (allowedById.get(known.id) ?? 0) + 1);
          continue;
        }
        t.fail++;
        const n = reportsPerClass.get(c.cls) ?? 0;
        if (n < REPORTS_PER_CLASS) {
          reportsPerClass.set(c.cls, n + 1);
          reports.push(formatMismatch(SEED, start + k, c, diffs, disassemble(c.code)));
        }
      }
    }

    const secs = (performance.now() - t0) / 1000;
    console.log(summary(oracleName, tally, secs, cpuMs / 1000, genMs / 1000, waitMs / 1000));
    for (const [id, n] of [...allowedById].sort((a, b) => b[1] - a[1])) console.log(`      allowed ${id}: ${n}`);
    const restarting = o.members.filter((m): m is RestartingOracle => m instanceof RestartingOracle);
    if (restarting.length) {
      const sum = (f: (m: RestartingOracle) => number): number => restarting.reduce((s, m) => s + f(m), 0);
      console.log(`      QEMU: ${sum((m) => m.restarts)} processes replaced after junk EFLAGS bits, ${sum((m) => m.cleared)} ` +
        `answers cleared of them, ${sum((m) => m.reasked)} PUSHF cases asked again, ${sum((m) => m.retried)} ` +
        'timeouts asked again, ' +
        `${sum((m) => m.crashes)} QEMU crashes survived`);
    }
    const failed = [...tally.values()].reduce((s, t) => s + t.fail, 0);
    if (failed) {
      console.log(reports.join('\n\n'));
      assert.fail(`${failed} of ${CASES} streams disagree with ${oracleName} (first ${reports.length} printed above)`);
    }
  });
});

function newTally(): Tally {
  return { total: 0, pass: 0, fail: 0, allowed: 0, statuses: new Map() };
}

function summary(oracleName: string, tally: Map<string, Tally>, secs: number, cpuSecs: number, genSecs: number, waitSecs: number): string {
  const lines = [`      cpu-vs-native (${oracleName}): seed ${SEED}, ${CASES} cases in ${secs.toFixed(1)} s (CPU ${cpuSecs.toFixed(1)} s, ` +
    `generating ${genSecs.toFixed(1)} s, waiting for the oracle ${waitSecs.toFixed(1)} s)`];
  lines.push('      class      cases   pass   fail allowed  outcomes');
  for (const [name, t] of tally) {
    if (!t.total) continue;
    const st = [...t.statuses].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(' ');
    lines.push(`      ${name.padEnd(9)} ${String(t.total).padStart(6)} ${String(t.pass).padStart(6)} ` +
      `${String(t.fail).padStart(6)} ${String(t.allowed).padStart(7)}  ${st}`);
  }
  const sum = (f: (t: Tally) => number): number => [...tally.values()].reduce((s, t) => s + f(t), 0);
  lines.push(`      ${'total'.padEnd(9)} ${String(sum((t) => t.total)).padStart(6)} ${String(sum((t) => t.pass)).padStart(6)} ` +
    `${String(sum((t) => t.fail)).padStart(6)} ${String(sum((t) => t.allowed)).padStart(7)}`);
  return lines.join('\n');
}

/**
 * The generators' "certainly unmapped" ranges must not meet the harness's own mappings (a wild write there would
 * corrupt the oracle instead of faulting): checked against the running oracle, whatever its build.
 */
function checkWildRanges(info: { harness_maps: unknown }): void {
  const maps = Array.isArray(info.harness_maps) ? info.harness_maps : [];
  for (const m of maps) {
    const [lo, hi] = mapRange(m);
    if (lo === undefined || hi === undefined) continue;
    for (const [a, b] of WILD_RANGES) {
      if (lo <= b && hi - 1 >= a) {
        throw new Error(`oracle harness mapping ${lo.toString(16)}-${hi.toString(16)} overlaps the wild range ` +
          `${a.toString(16)}-${b.toString(16)} in layout.ts: shrink WILD_RANGES`);
      }
    }
  }
}

function mapRange(m: unknown): [number | undefined, number | undefined] {
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'string' ? Number(v.startsWith('0x') ? v : '0x' + v) : undefined;
  // The oracle reports [first, last] pairs (last inclusive).
  if (Array.isArray(m) && m.length >= 2) {
    const lo = num(m[0]);
    const hi = num(m[1]);
    return [lo, hi === undefined ? undefined : hi + 1];
  }
  if (typeof m === 'string') {
    const x = /^([0-9a-fA-Fx]+)-([0-9a-fA-Fx]+)/.exec(m);
    return x ? [num(x[1]), num(x[2])] : [undefined, undefined];
  }
  if (m && typeof m === 'object') {
    const o = m as Record<string, unknown>;
    return [num(o.start ?? o.lo ?? o.from), num(o.end ?? o.hi ?? o.to)];
  }
  return [undefined, undefined];
}
