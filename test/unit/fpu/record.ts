/**
 * Records real-x87 answers into fixtures/recorded.jsonl (run by hand on a machine with an oracle):
 *   node out/test/unit/fpu/record.js COUNT SEED > test/unit/fpu/fixtures/recorded.jsonl
 * Cases are drawn from the random generator with the memory beyond the operand zeroed, keeping at most
 * a few per instruction so every encoding is represented.
 */
import { encode, usedBytes } from './fixture';
import { instructionPool, randomCase, Rng } from './gen';
import { FpuCase } from './harness';
import { openOracle } from './oracle';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 600);
  const seed = Number(process.argv[3] ?? 7);
  const oracle = openOracle();
  if (!oracle) throw new Error('no oracle');
  const rng = new Rng(seed);
  const pool = instructionPool();
  const perOp = new Map<string, number>();
  const cases: { c: FpuCase; note: string }[] = [];
  for (let i = 0; cases.length < count && i < count * 50; i++) {
    const c = randomCase(rng, pool);
    const key = c.code.join(',');
    const limit = c.code[1] < 0xc0 || c.code[0] === 0xd9 ? 6 : 2;
    if ((perOp.get(key) ?? 0) >= limit) continue;
    perOp.set(key, (perOp.get(key) ?? 0) + 1);
    c.data.fill(0, Math.max(usedBytes(c.code), 10));
    cases.push({ c, note: `seed ${seed} #${i}` });
  }
  const real = await oracle.run(cases.map((x) => x.c));
  for (let i = 0; i < cases.length; i++) process.stdout.write(encode({ c: cases[i].c, real: real[i], note: cases[i].note }) + '\n');
  oracle.close();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
