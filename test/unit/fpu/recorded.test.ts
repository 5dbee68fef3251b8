/** Replays recorded real-x87 answers (fixtures/recorded.jsonl): the differential test without an oracle. */
import * as assert from 'assert';
import { describeCase, differences } from './diffcheck';
import { loadFixture } from './fixture';
import { runLocal } from './harness';

describe('x87 against recorded real-x87 results', () => {
  it('agrees with every recorded case', function () {
    const rec = loadFixture();
    // The fixture is committed: an empty one is a broken checkout, not a reason to skip.
    assert.ok(rec.length > 0, 'test/unit/fpu/fixtures/recorded.jsonl is empty');
    const bad: string[] = [];
    for (const r of rec) {
      const d = differences(r.c, runLocal(r.c), r.real);
      if (d.length) bad.push(`${r.note}: ${describeCase(r.c)}\n      ${d.join('; ')}`);
    }
    assert.strictEqual(bad.length, 0, `${bad.length}/${rec.length} recorded cases differ:\n    ${bad.slice(0, 10).join('\n    ')}`);
  });
});
