import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExitReason } from '../../../src/vmm/cpu/cpu-host';
import { ExitRing } from '../../../src/vmm/monitor/exit-ring';
import { ExitTraceReader, formatExit, TRACE_HEADER } from '../../../src/vmm/monitor/exit-trace';
import { EXIT_NAMES } from '../../../src/vmm/monitor/exit-names';
import { monitorCommand } from '../../../src/vmm/monitor/inspect';
import { popfDemo, runGuest } from '../engine/run-guest';
import { runCli } from '../cli/run-cli';
import { tokenize } from '../syntax/tokenize';

const LINE = /^\[([\w.-]+) cpu(\d+) @(\d+)\] ([A-Z]\w*)((?: [a-z][\w.]*=\S+)*) eip=0x[0-9a-f]{8} cs=0x[0-9a-f]{4}$/;

describe('monitor: the ring of recent exits and the exit trace', function () {
  this.timeout(120000);

  it('keeps the last N exits in order and says which fell out', () => {
    const ring = new ExitRing(8);
    for (let i = 0; i < 13; i++) ring.record(ExitReason.IoOut, i & 1, 0x1000 + i, 0x08, 0x3f8, 100 + i);
    assert.strictEqual(ring.total, 13);
    assert.strictEqual(ring.first, 5);
    assert.deepStrictEqual(ring.recent(3).map((r) => r.icount), [110, 111, 112]);
    assert.deepStrictEqual(ring.recent(100).map((r) => r.seq), [5, 6, 7, 8, 9, 10, 11, 12]);
    const reader = new ExitTraceReader('vm0', ring);
    const first = reader.drain();
    assert.strictEqual(first[0], '# 5 exits lost (the ring holds 8; trace more often)');
    assert.strictEqual(first.length, 9);
    assert.strictEqual(first[1], '[vm0 cpu1 @105] IoOut port=0x3f8 eip=0x00001005 cs=0x0008');
    ring.record(ExitReason.Exception, 0, 0x4080043e, 0x1b, 14, 200);
    assert.deepStrictEqual(reader.drain(), ['[vm0 cpu0 @200] Exception vector=#PF eip=0x4080043e cs=0x001b']);
    assert.deepStrictEqual(reader.drain(), []);
  });

  it('a complete reader is called before an unread exit would be overwritten, so a trace loses nothing', () => {
    const ring = new ExitRing(8);
    const got: string[] = [];
    const reader = new ExitTraceReader('vm', ring, (lines) => got.push(...lines));
    for (let i = 0; i < 21; i++) ring.record(ExitReason.Hlt, 0, i, 8, 0, i);
    got.push(...reader.drain());
    assert.deepStrictEqual(got.map((l) => Number(/@(\d+)/.exec(l)![1])), Array.from({ length: 21 }, (_, i) => i));
  });

  it('a guest run fills the ring with every exit, counted per reason, the same in both (machine and ring)', () => {
    const r = runGuest(popfDemo(), 'interpret');
    const m = r.machine;
    const counted = Array.from(m.exitCounts).reduce((a, b) => a + b, 0);
    assert.strictEqual(m.exitRing.total, counted);
    const last = m.exitRing.recent(1)[0];
    assert.strictEqual(last.reason, ExitReason.IoOut);
    assert.strictEqual(last.detail, 0xf4, 'the last exit is the write to isa-debug-exit');
    assert.strictEqual(last.cs, 0x08);
    // Per-reason counts of the ring's window agree with what the ring holds.
    const window = m.exitRing.recent(m.exitRing.size);
    assert.strictEqual(window.length, Math.min(counted, m.exitRing.size));
    const text = monitorCommand(m, 0, 'exits recent 5').split('\n');
    assert.strictEqual(text[0], TRACE_HEADER);
    assert.strictEqual(text.length, 7);
    for (const line of text.slice(2)) assert.match(line, LINE);
    assert.match(text[6], /IoOut port=0xf4/);
    const stats = monitorCommand(m, 0, 'exits');
    assert.match(stats, /engine interpret/);
    assert.match(stats, new RegExp(`IoOut +${m.exitCounts[ExitReason.IoOut]}`));
  });

  it('formats every reason as one line the trace grammar reads', () => {
    for (let reason = 0; reason < ExitReason.Count; reason++) {
      const line = formatExit('vm', { seq: 0, reason, cpu: 0, eip: 0x100000, cs: 8, detail: 3, icount: 1 });
      const m = LINE.exec(line);
      assert.ok(m, line);
      assert.strictEqual(m[4], EXIT_NAMES[reason]);
    }
  });

  it('--trace-exits writes a trace of a real run that the .rstrace grammar tokenizes line by line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-trace-'));
    const file = path.join(dir, 'popf.rstrace');
    const res = await runCli(['-kernel', popfDemo(), '-serial', 'none', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '--timeout', '60', '--engine', 'direct', '--trace-exits', file, '--stats'], { timeoutMs: 90000 });
    assert.strictEqual(res.status, 3, res.stderr);
    const lines = fs.readFileSync(file, 'latin1').trimEnd().split('\n');
    assert.strictEqual(lines[0], TRACE_HEADER);
    const exits = lines.slice(1).filter((l) => !l.startsWith('#'));
    assert.ok(exits.length > 1000, `${exits.length} exits`);
    for (const l of exits) assert.match(l, LINE);
    // Every exit of the run, none lost: as many lines as the VM counted (--stats prints its counters).
    assert.ok(!lines.some((l) => / lost /.test(l)));
    const stats = JSON.parse(res.stderr.slice(res.stderr.indexOf('{'), res.stderr.lastIndexOf('}') + 1)) as { vms: { exitTotal: number; engine: string; exits: Record<string, number> }[] };
    assert.strictEqual(stats.vms[0].engine, 'direct');
    assert.strictEqual(exits.length, stats.vms[0].exitTotal);
    assert.strictEqual(exits.filter((l) => / IoOut /.test(l)).length, stats.vms[0].exits.IoOut);
    // Every exit of the run is there once, in order: instruction counts never go back on one vCPU.
    const counts = exits.map((l) => Number(LINE.exec(l)![3]));
    for (let i = 1; i < counts.length; i++) assert.ok(counts[i] >= counts[i - 1], `line ${i + 2}`);
    assert.match(exits[exits.length - 1], /IoOut port=0xf4/);
    assert.ok(exits.some((l) => / InterruptFlag if=0 /.test(l)), 'the trapped CLI');
    assert.ok(exits.some((l) => / RingCompression /.test(l)), 'the MOV SS that faulted only at ring 1');
    const sample = [lines[0], ...exits.slice(0, 200), ...exits.filter((l) => /InterruptFlag|RingCompression|Exception|DescriptorTableLoad/.test(l))];
    const tokens = await tokenize('text.ringside.exit-trace', sample);
    assert.ok(tokens[0].every((t) => t.scopes.some((s) => s.startsWith('comment.line'))));
    tokens.slice(1).forEach((line, i) => {
      const reason = line.find((t) => t.scopes.some((s) => s.startsWith('keyword.') && s.includes('exit-reason')));
      assert.ok(reason && EXIT_NAMES.includes(reason.text), `no exit-reason keyword in ${sample[i + 1]}`);
      assert.ok(line.some((t) => t.text === 'eip' && t.scopes.includes('variable.parameter.key.ringside-trace')), sample[i + 1]);
      assert.ok(line.some((t) => /^0x[0-9a-f]{8}$/.test(t.text) && t.scopes.includes('constant.numeric.hex.ringside-trace')), sample[i + 1]);
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
