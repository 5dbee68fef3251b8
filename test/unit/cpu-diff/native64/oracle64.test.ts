import * as assert from 'assert';
import { repoRoot } from '../repo-root';
import { buildOracle64, Oracle64, Request64, Response64 } from './client';

/**
 * Known answers for the 64-bit silicon oracle itself (before it judges the CPU): layout, faults with the real
 * vector/error code/CR2, recovery after faults, timeouts, 32-bit address wrap through 0x67, x87 state.
 * The expected values are the SDM's (cited per case), not recorded output.
 */
const DATA = 0x20000000;
const G = 0x100000000;

function req(code64: number[], regs: Partial<Record<string, number>> = {}, extra: Partial<Request64> = {}): Request64 {
  const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  return {
    code64: Uint8Array.from(code64), code32: new Uint8Array(0),
    regs: names.map((n) => regs[n] ?? (n === 'esp' ? 0x20010000 : 0)), eflags: 0,
    mem: [], readonlyPages: [], unmappedPages: [], ...extra,
  };
}

describe('oracle64 (64-bit silicon oracle) known answers', function () {
  this.timeout(60_000);
  let o: Oracle64 | undefined;

  before(function () {
    const b = buildOracle64(repoRoot());
    if (!b.ok) {
      // Skipped only on a host that cannot have the silicon oracle (not x86-64, or no C compiler; scripts/setup.sh
      // installs one). An oracle that fails to build or to answer is a failure, not a skip.
      if (!b.skippable) throw new Error(`the 64-bit silicon oracle is broken: ${b.reason}`);
      console.log(`      skipped: ${b.reason}`);
      this.skip();
    }
    o = new Oracle64(b.binary);
  });
  after(async () => { await o?.close(); });

  const exc = (r: Response64, vector: number, err: number, rip: number): void => {
    assert.strictEqual(r.status, 'exc');
    assert.deepStrictEqual([r.trapno, r.err, r.rip], [vector, err, rip]);
  };

  it('maps only the code and data regions below 4 GiB', async () => {
    assert.deepStrictEqual(await o!.maps(), [[0x10000000, 0x10001fff], [0x20000000, 0x2000ffff]]);
  });

  it('runs ALU code and reports registers, flags and changed bytes', async () => {
    // add eax, ebx; mov [ebx], eax (67 89 03). 0x7fffffff + 0x20000100 = 0xa00000ff: SF OF PF set, CF/ZF/AF clear.
    const r = await o!.run(req([0x01, 0xd8, 0x67, 0x89, 0x03], { eax: 0x7fffffff, ebx: DATA + 0x100 }, {
      eflags: 1, mem: [{ addr: DATA + 0x100, bytes: Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]) }],
    }));
    assert.strictEqual(r.status, 'ok');
    assert.strictEqual(r.rip, G + 5);
    assert.strictEqual(r.regs[0], 0xa00000ff);
    assert.strictEqual(r.eflags & 0x8d5, 0x884);
    assert.strictEqual(r.eflags & 0x202, 0x202);
    assert.deepStrictEqual(r.changes.map((c) => [c.addr, Buffer.from(c.bytes).toString('hex')]), [[DATA + 0x100, 'ff0000a0']]);
  });

  it('starts the guest with the requested flags', async () => {
    // nop: EFLAGS as given (CF PF AF ZF SF DF OF AC honoured), IF and bit 1 set.
    const r = await o!.run(req([0x90], {}, { eflags: 0x40cd5 }));
    assert.strictEqual(r.status, 'ok', 'the exit stub must not fault with AC=1');
    assert.strictEqual(r.eflags, 0x40cd5 | 0x202);
  });

  it('runs the guest with the 32-bit oracle\'s DS, ES, SS, FS, GS selectors', async () => {
    // mov ax, ds; mov cx, es; mov dx, ss; mov bx, fs; mov si, gs (8C /r with 0x66)
    const r = await o!.run(req([0x66, 0x8c, 0xd8, 0x66, 0x8c, 0xc1, 0x66, 0x8c, 0xd2, 0x66, 0x8c, 0xe3, 0x66, 0x8c, 0xee],
      { eax: 0xffffffff, ecx: 0xffffffff, edx: 0xffffffff, ebx: 0xffffffff, esi: 0xffffffff }));
    assert.strictEqual(r.status, 'ok');
    assert.deepStrictEqual([r.regs[0], r.regs[1], r.regs[2], r.regs[3], r.regs[6]],
      [0xffff002b, 0xffff002b, 0xffff002b, 0xffff0000, 0xffff0000]);
  });

  it('wraps 32-bit addresses (0x67) and keeps going after faults', async () => {
    // mov eax, [ebx+ecx]: 0xf0000000 + 0x30000100 wraps to 0x20000100 (SDM 3.3.7: address-size override).
    const rs = await o!.runBatch([
      req([0x67, 0x8b, 0x03], { ebx: DATA + 0x2010 }, { unmappedPages: [DATA + 0x2000] }),
      req([0x67, 0x8b, 0x04, 0x0b], { ebx: 0xf0000000, ecx: 0x30000100 }, { mem: [{ addr: DATA + 0x100, bytes: Uint8Array.from([1, 2, 3, 4]) }] }),
      req([0x67, 0x89, 0x03], { ebx: DATA + 0x3ffe }, { readonlyPages: [DATA + 0x3000] }),
      req([0xff, 0xe0], { eax: 0x50000000 }),
      req([0xff, 0xe0], { eax: DATA + 0x10 }),
      req([0x67, 0x89, 0x03], { ebx: DATA + 0x3ffe }, { readonlyPages: [DATA + 0x4000] }),
    ]);
    exc(rs[0], 14, 4, G); // not present, read, user
    assert.strictEqual(rs[0].cr2, DATA + 0x2010);
    assert.strictEqual(rs[1].status, 'ok');
    assert.strictEqual(rs[1].regs[0], 0x04030201);
    exc(rs[2], 14, 7, G); // present, write, user
    assert.strictEqual(rs[2].cr2, DATA + 0x3ffe);
    exc(rs[5], 14, 7, G); // a write crossing into a read-only page: CR2 = the first byte of that page
    assert.strictEqual(rs[5].cr2, DATA + 0x4000);
    exc(rs[3], 14, 0x14, 0x50000000); // instruction fetch, not present
    assert.strictEqual(rs[3].cr2, 0x50000000);
    exc(rs[4], 14, 0x15, DATA + 0x10); // instruction fetch from an NX page
  });

  it('reports #DE, #GP(n*8+2) for INT n, #UD, #BP (trap), #AC and timeouts', async () => {
    const rs = await o!.runBatch([
      req([0x31, 0xc9, 0xf7, 0xf1]), // xor ecx, ecx; div ecx
      req([0xcd, 0x21]),
      req([0x0f, 0x0b]),
      req([0xcc]),
      req([0x67, 0x8b, 0x43, 0x01], { ebx: DATA + 0x100 }, { eflags: 0x40000 }),
      req([0xeb, 0xfe]),
      req([0x90]),
    ]);
    exc(rs[0], 0, 0, G + 2);
    exc(rs[1], 13, 0x21 * 8 + 2, G);
    exc(rs[2], 6, 0, G);
    exc(rs[3], 3, 0, G + 1);
    exc(rs[4], 17, 0, G);
    assert.strictEqual(rs[5].status, 'timeout');
    assert.strictEqual(rs[6].status, 'ok');
    assert.strictEqual(rs[6].eflags & 0x40400, 0, 'AC/DF do not leak into the next case');
  });

  it('loads and saves the x87 state and reports #MF at the next waiting instruction', async () => {
    // fld1; fldz; fdivp: 1/0 = +inf with ZE (masked by default) ...
    const ok = await o!.run(req([0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9]));
    assert.strictEqual(ok.status, 'ok');
    assert.strictEqual(ok.fpu.sw, 0x3804); // TOP=7, ZE
    assert.strictEqual(Buffer.from(ok.fpu.st[0]).toString('hex'), '0000000000000080ff7f');
    assert.strictEqual(ok.fpu.tw, 0xbfff); // ST(0) special (infinity), the rest empty
    // ... and with ZE unmasked (cw 0x37b), the FWAIT after it raises #MF (vector 16), ES set.
    const st = [Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]), ...new Array(7).fill(new Uint8Array(10))];
    const mf = await o!.run(req([0xd9, 0xee, 0xde, 0xf9, 0x9b], {}, { fpu: { cw: 0x37b, sw: 0, tw: 0xfffc, st } }));
    exc(mf, 16, 0, G + 4);
    assert.strictEqual(mf.fpu.sw & 0x80, 0x80);
    assert.strictEqual(mf.fpu.sw & 0x04, 0x04);
  });
});
