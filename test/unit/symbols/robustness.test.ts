import * as assert from 'node:assert';
import { REG_EBP, REG_EIP, REG_ESP, Registers } from '../../../src/symbols/cfi';
import { ElfFile } from '../../../src/symbols/elf-reader';
import { SymbolFileError } from '../../../src/symbols/errors';
import { SymbolFile } from '../../../src/symbols/symbol-file';
import { formatValue, hasChildren, valueChildren } from '../../../src/symbols/value-format';
import { fixture } from './fixtures';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const anyMemory = (a: number, n: number): Uint8Array => new Uint8Array(n).fill(a & 0xff);

/** Loads and then drives every query; returns the warnings. Throws only what load throws. */
function exercise(bytes: Uint8Array): string[] | 'rejected' {
  let f: SymbolFile;
  try {
    f = SymbolFile.fromBytes(bytes);
  } catch (e) {
    if (e instanceof SymbolFileError) return 'rejected';
    throw e;
  }
  const probes = [0x100000, 0x100010, 0x100050, 0x1000c4, 0x100100, 0x100200, 0x100300];
  for (const fn of f.allFunctions().slice(0, 20)) probes.push(fn.low, fn.low + 3);
  for (const pc of probes) {
    f.lineForAddress(pc);
    f.functionAt(pc);
    f.symbolize(pc);
    const regs: Registers = [1, 2, 3, 4, 0x8000, 0x8010, 7, 8];
    regs[REG_EIP] = pc;
    regs[REG_ESP] = 0x8000;
    regs[REG_EBP] = 0x8010;
    f.unwind(regs, anyMemory);
    for (const frame of f.framesAt(pc)) {
      for (const v of frame.variables) {
        const r = f.readVariable(v, { pc, regs, readMemory: anyMemory });
        if (r.bytes) {
          formatValue(v.type, r.bytes, { readMemory: anyMemory });
          if (hasChildren(v.type, r.bytes)) valueChildren(v.type, r.bytes, 0x1000, 0, 100);
        }
      }
    }
  }
  for (const name of ['kmain', 'walk', 'lib_sum', 'f5']) {
    f.entryAfterPrologue(name);
    f.functionBreakpoints(name);
  }
  for (const line of [10, 40, 57]) f.addressesForLine('kernel.c', line);
  for (const g of f.globals()) {
    const r = f.readVariable(g, { pc: 0, regs: [], readMemory: anyMemory });
    if (r.bytes) formatValue(g.type, r.bytes);
  }
  return f.warnings;
}

function assertNoInternalErrors(warnings: string[] | 'rejected', what: string): void {
  if (warnings === 'rejected') return;
  const bad = warnings.filter((w) => w.includes('internal error'));
  assert.deepStrictEqual(bad, [], what);
}

describe('symbols: malformed input', () => {
  it('rejects non-ELF, 64-bit and big-endian files with readable messages', () => {
    assert.throws(() => ElfFile.parse(new Uint8Array(0)), (e: Error) => e instanceof SymbolFileError && /not an ELF file/.test(e.message));
    assert.throws(() => ElfFile.parse(new TextEncoder().encode('#!/bin/sh\necho hi\n')), /not an ELF file/);
    const good = fixture('k-O0-dw5.elf');
    const b64 = good.slice();
    b64[4] = 2;
    assert.throws(() => ElfFile.parse(b64), /64-bit ELF.*gcc -m32/);
    const be = good.slice();
    be[5] = 2;
    assert.throws(() => ElfFile.parse(be), /big-endian/);
    assert.throws(() => ElfFile.parse(good.slice(0, 30)), /truncated ELF header \(file is 30 bytes/);
  });

  it('names the truncated section header table and its offset', () => {
    const good = fixture('k-O0-dw5.elf');
    const shoff = ElfFile.parse(good).header.shoff;
    assert.throws(() => ElfFile.parse(good.slice(0, shoff + 100)), new RegExp(`truncated section header table at offset 0x${shoff.toString(16)}`));
  });

  it('does not allocate for absurd counts and sizes in headers', () => {
    const good = fixture('k-O0-dw5.elf');
    const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const many = good.slice();
    dv(many).setUint16(48, 0xfffe, true); // e_shnum
    assert.throws(() => ElfFile.parse(many), SymbolFileError);
    const hugePh = good.slice();
    dv(hugePh).setUint16(44, 0xffff, true); // e_phnum
    assert.throws(() => ElfFile.parse(hugePh), /truncated program header table/);
    // A section claiming 4 GiB: the file still loads, that section is reported.
    const elf = ElfFile.parse(good);
    const info = elf.section('.debug_info')!;
    const bigSec = good.slice();
    dv(bigSec).setUint32(elf.header.shoff + info.index * 40 + 20, 0xffffffff, true);
    const f = SymbolFile.fromBytes(bigSec);
    assert.ok(f.warnings.some((w) => /\.debug_info .*extends past the end/.test(w)), f.warnings.join('\n'));
    assert.strictEqual(f.functionAt(f.functionByName('walk')!.low)?.name, 'walk');
  });

  it('every prefix of forms5.elf loads or throws SymbolFileError', () => {
    const good = fixture('forms5.elf');
    let rejected = 0;
    for (let n = 0; n <= good.length; n++) {
      const r = exercise(good.slice(0, n));
      if (r === 'rejected') rejected++;
      assertNoInternalErrors(r, `prefix ${n}`);
    }
    assert.ok(rejected > good.length / 2);
  });

  it('prefixes of k-O2-dw5.elf (every 13th length and the whole header area) load or throw SymbolFileError', () => {
    const good = fixture('k-O2-dw5.elf');
    for (let n = 0; n <= good.length; n += n < 256 ? 1 : 13) assertNoInternalErrors(exercise(good.slice(0, n)), `prefix ${n}`);
  });

  it('random byte flips (fixed seed) in whole files and in DWARF sections never escape as other errors', function () {
    this.timeout(120_000);
    const rand = rng(0x5eed);
    for (const name of ['k-O2-dw5.elf', 'k-O0-dw4.elf', 'forms5.elf']) {
      const good = fixture(name);
      const elf = ElfFile.parse(good);
      const debug = elf.sections.filter((s) => s.name.startsWith('.debug') || s.name === '.eh_frame');
      for (let i = 0; i < 150; i++) {
        const b = good.slice();
        const flips = 1 + Math.floor(rand() * 12);
        for (let k = 0; k < flips; k++) {
          let at: number;
          if (i % 3 === 0) {
            at = Math.floor(rand() * b.length);
          } else {
            const s = debug[Math.floor(rand() * debug.length)];
            at = s.offset + Math.floor(rand() * s.size);
          }
          b[at] = i % 2 ? Math.floor(rand() * 256) : b[at] ^ (1 << Math.floor(rand() * 8));
        }
        const t0 = Date.now();
        assertNoInternalErrors(exercise(b), `${name} mutant ${i}`);
        assert.ok(Date.now() - t0 < 5000, `${name} mutant ${i} took ${Date.now() - t0} ms`);
      }
    }
  });

  it('broken DWARF with a good symbol table degrades to ELF symbols, with warnings', () => {
    const good = fixture('k-O0-dw5.elf');
    const elf = ElfFile.parse(good);
    const b = good.slice();
    for (const name of ['.debug_info', '.debug_abbrev', '.debug_line']) {
      const s = elf.section(name)!;
      b.fill(0xff, s.offset, s.offset + s.size);
    }
    const f = SymbolFile.fromBytes(b);
    assert.ok(f.warnings.length > 0);
    assert.ok(f.warnings.every((w) => !w.includes('internal error')), f.warnings.join('\n'));
    const walk = elf.symbols().find((s) => s.name === 'walk')!;
    assert.strictEqual(f.functionAt(walk.value + 4)?.name, 'walk');
    assert.strictEqual(f.functionAt(walk.value + 4)?.source, 'symbol');
    assert.strictEqual(f.framesAt(walk.value + 4)[0].name, 'walk');
    assert.strictEqual(f.lineForAddress(walk.value + 4), undefined);
  });
});
