import * as assert from 'assert';
import { compareOutcomes, formatMismatch } from './compare';
import { fromCpu, Outcome, toFlatUserCase } from './convert';
import { loadRunFlatUserCase, RunFlatUserCase } from './cpu-loader';
import { disassemble } from './disasm';
import { CLASSES, generateCase } from './generators';
import { GenCase } from './generators/stream';
import { WILD_RANGES } from './layout';
import { buildOracle64, Oracle64, Request64, Response64 } from './native64/client';
import { DIVERGENCES64, explainedBy } from './native64/divergences64';
import { fromResponse64, toRequest64 } from './native64/outcome64';
import { EXCLUSION_REASONS, translate, Translation } from './native64/translate';
import { repoRoot } from './repo-root';
import { CASES, ONLY, REPORTS_PER_CLASS, SEED } from './run-config';

/**
 * Differential test against silicon on hosts that cannot run 32-bit code: the same generated streams as
 * cpu-vs-native.test.ts (same seeds and env vars), each translated to 64-bit code that means the same
 * (native64/translate.ts; what cannot is excluded with the reason and counted), run on the host CPU by
 * native64/oracle64.c, and compared with Ringside's CPU field by field by compare.ts (registers, flags with the
 * SDM-undefined ones masked, memory, status, vector, error code, CR2, x87 state).
 */
const BATCH = 2000;

interface Tally {
  total: number;
  pass: number;
  excluded: number;
  fail: number;
  allowed: number;
  pending: number;
  statuses: Map<string, number>;
}

interface Prepared {
  c: GenCase;
  t?: Translation;
  req?: Request64;
}

describe('CPU vs silicon, 64-bit host (differential)', function () {
  this.timeout(900_000);
  let oracle: Oracle64 | undefined;
  let runCpu: RunFlatUserCase | undefined;

  before(async function () {
    const b = buildOracle64(repoRoot());
    if (!b.ok) {
      // Skipped only on a host that cannot have the silicon oracle (not x86-64, or no C compiler; scripts/setup.sh
      // installs one). An oracle that fails to build or to answer is a failure, not a skip.
      if (!b.skippable) throw new Error(`the 64-bit silicon oracle is broken: ${b.reason}`);
      console.log(`      skipped: ${b.reason}`);
      this.skip();
    }
    runCpu = loadRunFlatUserCase();
    if (!runCpu) throw new Error('runFlatUserCase (src/vmm/cpu/testing/flat-user.ts) could not be loaded');
    oracle = new Oracle64(b.binary);
    // The generators' wild addresses must be unmapped in the oracle process.
    for (const [lo, hi] of await oracle.maps()) {
      for (const [a, z] of WILD_RANGES) {
        if (lo <= z && hi >= a) throw new Error(`oracle64 mapping ${lo.toString(16)}-${hi.toString(16)} meets a wild range`);
      }
    }
  });

  after(async () => { await oracle?.close(); });

  it(`agrees with the host CPU on the 64-bit-expressible part of ${CASES} random streams (seed ${SEED})`, async function () {
    const o = oracle!;
    const cpu = runCpu!;
    const tally = new Map<string, Tally>(CLASSES.map((c) => [c.name, newTally()]));
    const excludedBy = new Map<string, Map<string, number>>();
    const explained = new Map<string, number>();
    const firstExplained = new Map<string, string>();
    const reports: string[] = [];
    const reportsPerClass = new Map<string, number>();
    const t0 = Date.now();
    let cpuMs = 0;

    const prepare = (start: number): Prepared[] => {
      const out: Prepared[] = [];
      for (let i = start; i < Math.min(CASES, start + BATCH); i++) {
        const c = generateCase(SEED, i, ONLY);
        const t = translate(c);
        if (t.ok) {
          out.push({ c, t, req: toRequest64(c, t) });
        } else {
          out.push({ c });
          const m = excludedBy.get(c.cls) ?? new Map<string, number>();
          m.set(t.reason, (m.get(t.reason) ?? 0) + 1);
          excludedBy.set(c.cls, m);
        }
      }
      return out;
    };
    const ask = (ps: Prepared[]): Promise<Response64[]> =>
      o.runBatch(ps.filter((p) => p.req).map((p) => p.req!));

    let cases = prepare(0);
    let pending = ask(cases);
    for (let start = 0; start < CASES; start += BATCH) {
      const next = start + BATCH < CASES ? prepare(start + BATCH) : [];
      const nextPending = next.length ? ask(next) : undefined;
      const c0 = Date.now();
      const actual = cases.map((p) => {
        if (!p.t) return undefined;
        try {
          return fromCpu(cpu(toFlatUserCase(p.c)));
        } catch (e) {
          return e instanceof Error ? e : new Error(String(e));
        }
      });
      cpuMs += Date.now() - c0;
      const responses = await pending;
      let r = 0;
      for (let k = 0; k < cases.length; k++) {
        const { c, t } = cases[k];
        const tl = tally.get(c.cls)!;
        tl.total++;
        if (!t) {
          tl.excluded++;
          continue;
        }
        const exp = fromResponse64(responses[r++], c, t);
        const act = actual[k] as Outcome | Error;
        let diffs: string[];
        if (typeof exp === 'string') diffs = [exp];
        else {
          const st = exp.status === 'exception' ? `#${exp.vector}` : exp.status;
          tl.statuses.set(st, (tl.statuses.get(st) ?? 0) + 1);
          diffs = act instanceof Error ? [`CPU threw: ${act.stack ?? act.message}`] : compareOutcomes(c, exp, act);
        }
        if (diffs.length === 0) {
          tl.pass++;
          continue;
        }
        const known = typeof exp !== 'string' && !(act instanceof Error) ? explainedBy(c, exp, act, diffs) : undefined;
        if (known) {
          if (known.kind === 'pending') tl.pending++;
          else tl.allowed++;
          if (!explained.has(known.id)) firstExplained.set(known.id, `case #${start + k} (${c.cls})`);
          explained.set(known.id, (explained.get(known.id) ?? 0) + 1);
          continue;
        }
        tl.fail++;
        const n = reportsPerClass.get(c.cls) ?? 0;
        if (n < REPORTS_PER_CLASS) {
          reportsPerClass.set(c.cls, n + 1);
          reports.push(formatMismatch(SEED, start + k, c, diffs, disassemble(c.code)) +
            `\n  64-bit code: ${Buffer.from(t.code64).toString('hex')}`);
        }
      }
      cases = next;
      if (nextPending) pending = nextPending;
    }

    const secs = (Date.now() - t0) / 1000;
    console.log(summary(tally, excludedBy, secs, cpuMs / 1000));
    for (const d of DIVERGENCES64) {
      console.log(`      ${d.kind} ${d.id}: ${explained.get(d.id) ?? 0}${firstExplained.has(d.id) ? `, first ${firstExplained.get(d.id)}` : ''}`);
    }
    const failed = [...tally.values()].reduce((s, x) => s + x.fail, 0);
    const compared = [...tally.values()].reduce((s, x) => s + x.total - x.excluded, 0);
    if (failed) {
      console.log(reports.join('\n\n'));
      assert.fail(`${failed} of ${compared} compared streams disagree with the host CPU (first ${reports.length} printed above)`);
    }
  });
});

function newTally(): Tally {
  return { total: 0, pass: 0, excluded: 0, fail: 0, allowed: 0, pending: 0, statuses: new Map() };
}

function summary(tally: Map<string, Tally>, excludedBy: Map<string, Map<string, number>>, secs: number, cpuSecs: number): string {
  const lines = [`      cpu-vs-silicon64: seed ${SEED}, ${CASES} cases in ${secs.toFixed(1)} s (CPU ${cpuSecs.toFixed(1)} s)`];
  lines.push('      class      cases   pass  excl.   fail allowed pending  outcomes | excluded by');
  for (const [name, t] of tally) {
    if (!t.total) continue;
    const st = [...t.statuses].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(' ');
    const ex = [...(excludedBy.get(name) ?? [])].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(' ');
    lines.push(`      ${name.padEnd(9)} ${String(t.total).padStart(6)} ${String(t.pass).padStart(6)} ` +
      `${String(t.excluded).padStart(6)} ${String(t.fail).padStart(6)} ${String(t.allowed).padStart(7)} ` +
      `${String(t.pending).padStart(7)}  ${st} | ${ex}`);
  }
  lines.push(`      exclusion reasons: ${Object.entries(EXCLUSION_REASONS).map(([k, v]) => `${k} = ${v}`).join('; ')}`);
  return lines.join('\n');
}
