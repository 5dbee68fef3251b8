import * as assert from 'assert';
import { FX } from '../flag-effects';
import { GenCase } from '../generators/stream';
import { CODE_BASE } from '../layout';
import { eipFor, GUEST_BASE, translate } from './translate';

/** The 32-bit -> 64-bit translation on hand-written streams (expected bytes from the SDM's encodings). */
function gen(instrs: number[][], ud: number[] = []): GenCase {
  const code: number[] = [];
  const meta: GenCase['instrs'] = [];
  instrs.forEach((b, k) => {
    meta.push(ud.includes(k) ? { off: code.length, len: b.length, fx: FX.none, ud: true } : { off: code.length, len: b.length, fx: FX.none });
    code.push(...b);
  });
  return {
    cls: 'test', seed: 0, code: Uint8Array.from(code), regs: [0, 0, 0, 0, 0x20010000, 0, 0, 0], eflags: 0,
    mem: [], readonlyPages: [], unmappedPages: [], instrs: meta, undefRegs: 0,
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('native64 translate: 32-bit streams as 64-bit code', () => {
  it('re-encodes INC/DEC r32 as FF /0, /1 and memory operands in the 0x67 (32-bit address) form', () => {
    const t = translate(gen([[0x40], [0x66, 0x4f], [0x8b, 0x04, 0x33], [0xa1, 0x00, 0x01, 0x00, 0x20], [0x8b, 0x05, 0x00, 0x01, 0x00, 0x20]]));
    assert.ok(t.ok);
    // inc eax | dec di | mov eax,[ebx+esi] | mov eax,moffs32 | mov eax,[disp32] as SIB no-base (never RIP-relative)
    assert.strictEqual(hex(t.code64), 'ffc0' + '66ffcf' + '678b0433' + '67a100010020' + '678b042500010020');
  });

  it('lays out branches and maps every 64-bit instruction start back to its 32-bit EIP', () => {
    // jne +2 (over "inc eax"); inc eax; loop -3 (to the inc); nop
    const t = translate(gen([[0x75, 0x01], [0x40], [0xe2, 0xfd], [0x90]]));
    assert.ok(t.ok);
    assert.strictEqual(hex(t.code64), '0f8502000000' + 'ffc0' + '67e2fb' + '90');
    assert.strictEqual(eipFor(t, GUEST_BASE + 6), CODE_BASE + 2);
    assert.strictEqual(eipFor(t, GUEST_BASE + 8), CODE_BASE + 3);
    assert.strictEqual(eipFor(t, GUEST_BASE + 12), CODE_BASE + 6); // the end
    assert.strictEqual(eipFor(t, GUEST_BASE + 7), undefined);
    assert.strictEqual(eipFor(t, 0x50000000), 0x50000000); // a jump out of the code
  });

  it('copies invalid encodings that are invalid in 64-bit mode too, and privileged MOV CRn', () => {
    const t = translate(gen([[0x0f, 0x20, 0xc0], [0xf0, 0x01, 0xc0]], [1]));
    assert.ok(t.ok);
    assert.strictEqual(hex(t.code64), '0f20c0f001c0');
  });

  it('excludes what means something else in 64-bit mode, with the reason', () => {
    const reason = (b: number[][]): string => {
      const t = translate(gen(b));
      return t.ok ? 'ok' : t.reason;
    };
    assert.strictEqual(reason([[0x50]]), 'stack');
    assert.strictEqual(reason([[0x9c]]), 'stack');
    assert.strictEqual(reason([[0x66, 0x50], [0x66, 0x9d], [0x66, 0x6a, 0x80], [0x66, 0x8f, 0x03]]), 'ok'); // 2-byte slots in both modes
    assert.strictEqual(reason([[0x66, 0xc3]]), 'stack');
    assert.strictEqual(reason([[0x27]]), 'invalid-in-64');
    assert.strictEqual(reason([[0xce]]), 'invalid-in-64');
    assert.strictEqual(reason([[0x82, 0xc0, 0x01]]), 'invalid-in-64');
    assert.strictEqual(reason([[0x64, 0x8b, 0x03]]), 'segment');
    assert.strictEqual(reason([[0x2e, 0x89, 0x03]]), 'segment');
    assert.strictEqual(reason([[0x2e, 0x8b, 0x03]]), 'ok'); // a read through CS is flat in both modes
    assert.strictEqual(reason([[0x8c, 0xc8]]), 'segment'); // mov eax, cs: 0x23 vs 0x33
    assert.strictEqual(reason([[0x8c, 0xd8]]), 'ok'); // mov eax, ds: 0x2b in both oracles
    assert.strictEqual(reason([[0x67, 0x8b, 0x07]]), 'a16');
    assert.strictEqual(reason([[0x66, 0xeb, 0x00]]), 'o16branch');
    assert.strictEqual(reason([[0xff, 0x20]]), 'indirect-mem');
    assert.strictEqual(reason([[0xcd, 0x80]]), 'syscall');
    assert.strictEqual(reason([[0xeb, 0x01], [0x8b, 0xc0]]), 'branch-target');
  });
});
