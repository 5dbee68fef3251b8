import * as assert from 'node:assert';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BreakpointBook, hitConditionMet, parseExitNames, parseRanges, PRIVILEGED_EXITS } from '../../../src/debug/breakpoint-book';
import { EXIT_NAMES } from '../../../src/vmm/monitor/exit-names';

const bp = (): DebugProtocol.Breakpoint => ({ verified: true });

describe('debug: breakpoint book', () => {
  it('gives one engine breakpoint per address and maps hits back to DAP ids', () => {
    const book = new BreakpointBook();
    const a = bp();
    const b = bp();
    book.replace('source:x.c', [{ bp: a, addresses: [0x100, 0x200] }, { bp: b, addresses: [0x300] }]);
    const engine = book.engineBreakpoints();
    assert.deepStrictEqual(engine.map((e) => e.address), [0x100, 0x200, 0x300]);
    assert.deepStrictEqual(book.dapIds([engine[1].id, engine[0].id]), [a.id]);
    book.replace('source:x.c', []);
    assert.deepStrictEqual(book.engineBreakpoints(), []);
  });

  it('hit conditions: N, >N, >=N, ==N, <N, %N', () => {
    assert.deepStrictEqual([1, 2, 3, 4].map((h) => hitConditionMet('3', h)), [false, false, true, true]);
    assert.deepStrictEqual([1, 2, 3].map((h) => hitConditionMet('>2', h)), [false, false, true]);
    assert.deepStrictEqual([1, 2, 3].map((h) => hitConditionMet('==2', h)), [false, true, false]);
    assert.deepStrictEqual([1, 2, 3].map((h) => hitConditionMet('<2', h)), [true, false, false]);
    assert.deepStrictEqual([1, 2, 3, 4].map((h) => hitConditionMet('%2', h)), [false, true, false, true]);
    assert.strictEqual(hitConditionMet('% 0', 5), false);
    assert.strictEqual(hitConditionMet('nonsense', 1), true);
  });

  it('counts hits only when the condition holds, and logs instead of stopping for logpoints', async () => {
    const book = new BreakpointBook();
    book.replace('f', [{ bp: bp(), addresses: [0x10], condition: 'x', hitCondition: '2' }]);
    const id = book.engineBreakpoints()[0].id;
    let x = 0;
    const ev = async (e: string): Promise<number> => (e === 'x' ? x : 0);
    assert.strictEqual((await book.onHit([id], ev)).stop, false);
    x = 1;
    assert.strictEqual((await book.onHit([id], ev)).stop, false, 'first counted hit');
    assert.strictEqual((await book.onHit([id], ev)).stop, true, 'second counted hit');

    const log = new BreakpointBook();
    log.replace('f', [{ bp: bp(), addresses: [0x20], logMessage: 'eax={$eax} bad={oops} done' }]);
    const v = await log.onHit([log.engineBreakpoints()[0].id], async (e) => {
      if (e === 'oops') throw new Error('no symbol oops');
      return 0x2a;
    });
    assert.deepStrictEqual(v, { stop: false, logs: ['eax=0x2a bad=<no symbol oops> done'] });
  });

  it('stops when a condition cannot be evaluated, and says why', async () => {
    const book = new BreakpointBook();
    book.replace('f', [{ bp: bp(), addresses: [0x10], condition: 'nope' }]);
    const v = await book.onHit([book.engineBreakpoints()[0].id], async () => {
      throw new Error('no variable nope');
    });
    assert.strictEqual(v.stop, true);
    assert.match(v.logs[0], /condition "nope" failed: no variable nope; stopping/);
  });

  it('maps exception filters to vectors, exits and ports, and parses #PF ranges', () => {
    const book = new BreakpointBook();
    book.setExceptionFilters(['page-fault', 'io', 'cr3'], [{ filterId: 'io', condition: '0x3f8, 0x20' }, { filterId: 'page-fault', condition: '0xc0000000-0xc0400000 0x1000' }]);
    const f = book.eventFilter();
    assert.deepStrictEqual(f.vectors, [14]);
    // The CR3 filter is CrWrite narrowed to CR 3 ('Cr3Write', which it once asked for, is no exit reason).
    assert.deepStrictEqual(f.exits.sort(), ['CrWrite', 'IoIn', 'IoOut']);
    assert.deepStrictEqual(f.crs, [3]);
    assert.deepStrictEqual(f.ports, [0x3f8, 0x20]);
    assert.deepStrictEqual(book.pageFaultRanges(), [[0xc0000000, 0xc0400000], [0x1000, 0x1000]]);
    assert.throws(() => parseRanges('0x10-zz'), /not an address or range: 0x10-zz/);
  });

  it('selects monitor exits by reason name, every privileged one by default, and refuses unknown names', () => {
    const book = new BreakpointBook();
    book.setExceptionFilters(['monitor-exit'], [{ filterId: 'monitor-exit', condition: 'hlt, Clts,LMSW' }]);
    assert.deepStrictEqual(book.eventFilter().exits, ['Hlt', 'Clts', 'Lmsw']);
    book.setExceptionFilters(['monitor-exit'], []);
    assert.deepStrictEqual(book.eventFilter().exits, PRIVILEGED_EXITS);
    for (const name of PRIVILEGED_EXITS) assert.ok(EXIT_NAMES.includes(name), name);
    // A filter for any CR write wins over the CR3 filter's narrowing.
    book.setExceptionFilters(['cr3', 'privileged'], []);
    assert.deepStrictEqual(book.eventFilter().crs, []);
    assert.throws(() => parseExitNames('Hlt, Cr3Write'), /not a monitor exit reason: Cr3Write/);
  });
});
