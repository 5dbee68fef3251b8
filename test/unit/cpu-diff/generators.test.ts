import * as assert from 'assert';
import { Code, Decoder, DecoderOptions, Instruction } from 'iced-x86';
import { CLASSES, generateCase } from './generators';
import { CODE_MAX, DATA_BASE, DATA_END } from './layout';
import { hex } from './convert';
import { disassemble } from './disasm';

/**
 * Checks of the generators that need neither the oracle nor the CPU: determinism, instruction boundaries as
 * recorded for the flag replay agree with iced-x86's decoding, every instruction outside the fault class is a
 * valid one, preloads stay in the data region, and every class is produced.
 */
describe('cpu-diff generators', function () {
  this.timeout(120_000);
  const N = Number(process.env.RINGSIDE_GEN_CASES ?? 20_000);

  it('are deterministic per (seed, index)', () => {
    for (let i = 0; i < 200; i++) {
      const a = generateCase(7, i);
      const b = generateCase(7, i);
      assert.strictEqual(hex(a.code), hex(b.code));
      assert.deepStrictEqual(a.regs, b.regs);
    }
  });

  it(`produce decodable streams with the recorded boundaries (${N} cases)`, () => {
    const perClass = new Map<string, number>();
    const ins = new Instruction();
    const problems: string[] = [];
    for (let i = 0; i < N && problems.length < 10; i++) {
      const c = generateCase(12345, i);
      perClass.set(c.cls, (perClass.get(c.cls) ?? 0) + 1);
      assert.ok(c.code.length > 0 && c.code.length <= CODE_MAX, `code length ${c.code.length}`);
      for (const m of c.mem) assert.ok(m.addr >= DATA_BASE && m.addr + m.bytes.length <= DATA_END);
      const dec = new Decoder(32, c.code, DecoderOptions.None);
      const starts = new Set<number>();
      let invalid = false;
      const ud = new Set(c.instrs.filter((x) => x.ud).map((x) => x.off));
      while (dec.canDecode) {
        const at = dec.position;
        starts.add(at);
        dec.decodeOut(ins);
        if (ins.code === Code.INVALID && !ud.has(at)) invalid = true;
        if (ins.code === Code.INVALID) break;
      }
      dec.free();
      const firstUd = Math.min(...c.instrs.filter((x) => x.ud).map((x) => x.off), Infinity);
      const recorded = c.instrs.filter((x) => x.len > 0 && x.off <= firstUd);
      const bad = recorded.find((x) => !starts.has(x.off));
      if (bad) problems.push(`[${c.cls}] #${i}: no instruction starts at +${bad.off}\n${disassemble(c.code).join('\n')}`);
      if (invalid && c.cls !== 'fault') problems.push(`[${c.cls}] #${i}: invalid instruction\n${disassemble(c.code).join('\n')}`);
    }
    ins.free();
    assert.deepStrictEqual(problems, []);
    for (const k of CLASSES) assert.ok((perClass.get(k.name) ?? 0) > 0, `class ${k.name} never generated`);
  });
});
