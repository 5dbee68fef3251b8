/**
 * Differential test: random x87 instructions on random states, run on this FPU and on a real x87 (see
 * oracle.ts), compared bit for bit with the masks of diffcheck.ts. FPU_DIFF_CASES and FPU_DIFF_SEED
 * override the count and seed; every failure prints its seed and case index so it can be replayed.
 */
import * as assert from 'assert';
import { describeCase, differences } from './diffcheck';
import { instructionPool, randomCase, Rng } from './gen';
import { FpuCase, runLocal } from './harness';
import { openOracle, oracleUnavailableReason, X87Oracle } from './oracle';

const CASES = Number(process.env.FPU_DIFF_CASES ?? 4000);
const SEED = Number(process.env.FPU_DIFF_SEED ?? 0x5eed1);

describe('x87 differential against a real x87', function () {
  this.timeout(300000);
  let oracle: X87Oracle | null = null;

  before(function () {
    oracle = openOracle();
    if (!oracle) {
      // Only when neither the shared 32-bit oracle nor our 64-bit x87 oracle can be built and run (no C
      // compiler): the recorded-fixture test (recorded.test.ts) still compares against a real x87 then.
      console.log(`    (skipped: no x87 oracle: ${oracleUnavailableReason})`);
      this.skip();
    }
  });
  after(() => oracle?.close());

  it(`agrees on ${CASES} random instructions (seed ${SEED})`, async function () {
    const rng = new Rng(SEED);
    const pool = instructionPool();
    const cases: FpuCase[] = [];
    for (let i = 0; i < CASES; i++) cases.push(randomCase(rng, pool));
    const real = await oracle!.run(cases);
    const failures: string[] = [];
    const byOp = new Map<string, number>();
    for (let i = 0; i < cases.length; i++) {
      let diff: string[];
      try {
        diff = differences(cases[i], runLocal(cases[i]), real[i]);
      } catch (e) {
        diff = [`threw ${(e as Error).stack}`];
      }
      if (diff.length) {
        const key = cases[i].code.map((b) => b.toString(16)).join(' ');
        byOp.set(key, (byOp.get(key) ?? 0) + 1);
        if (failures.length < Number(process.env.FPU_DIFF_SHOW ?? 20)) failures.push(`#${i} ${describeCase(cases[i])}\n      ${diff.join('; ')}`);
      }
    }
    const bad = [...byOp.values()].reduce((a, b) => a + b, 0);
    console.log(`    ${oracle!.name}: ${cases.length - bad}/${cases.length} agree (seed ${SEED})`);
    if (bad) {
      const ops = [...byOp.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`).join(' ');
      assert.fail(`${bad} mismatches; by instruction: ${ops}\n    ${failures.join('\n    ')}`);
    }
  });
});
