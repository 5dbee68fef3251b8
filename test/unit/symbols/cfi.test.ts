import * as assert from 'node:assert';
import { CallFrameInfo, I386_DWARF_REGS, REG_EBP, REG_EIP, REG_ESP, RegRule, Registers, UnwindRow, unwindWithFramePointer } from '../../../src/symbols/cfi';
import { ElfFile } from '../../../src/symbols/elf-reader';
import { SymbolFile } from '../../../src/symbols/symbol-file';
import { KERNELS, fixture, fixtureText } from './fixtures';

/** readelf's spelling of a row: "esp+4", and per register "u", "c-8", "s", "r3", "exp", "v+4", "vexp". */
function cfaText(row: UnwindRow): string {
  return row.cfa.kind === 'reg' ? `${I386_DWARF_REGS[row.cfa.reg]}${row.cfa.offset >= 0 ? '+' : ''}${row.cfa.offset}` : 'exp';
}

function ruleText(rule: RegRule | undefined): string {
  if (!rule) return 'u';
  switch (rule.kind) {
    case 'undefined': return 'u';
    case 'same': return 's';
    case 'offset': return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'val_offset': return `v${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'register': return `${I386_DWARF_REGS[rule.reg]}`;
    case 'expr': return 'exp';
    case 'val_expr': return 'vexp';
  }
}

interface ReadelfTable { section: string; begin: number; end: number; rows: Array<{ loc: number; cols: Record<string, string> }> }

function readelfFrames(text: string): ReadelfTable[] {
  const out: ReadelfTable[] = [];
  let section = '';
  let cur: ReadelfTable | undefined;
  let header: string[] = [];
  for (const line of text.split('\n')) {
    const sec = /^Contents of the (\S+) section/.exec(line);
    if (sec) { section = sec[1]; cur = undefined; continue; }
    const fde = /FDE cie=\S+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (fde) { cur = { section, begin: parseInt(fde[1], 16), end: parseInt(fde[2], 16), rows: [] }; out.push(cur); continue; }
    if (/CIE/.test(line)) { cur = undefined; continue; }
    if (/^\s+LOC\s+CFA/.test(line)) { header = line.trim().split(/\s+/).slice(2); continue; }
    const row = /^([0-9a-f]{8})\s+(.*)$/.exec(line);
    if (row && cur) {
      const cells = row[2].trim().split(/\s+/);
      const cols: Record<string, string> = { CFA: cells[0] };
      header.forEach((h, i) => (cols[h] = cells[i + 1]));
      cur.rows.push({ loc: parseInt(row[1], 16), cols });
    }
  }
  return out;
}

function cfiOf(elf: ElfFile, name: '.eh_frame' | '.debug_frame'): CallFrameInfo | undefined {
  const s = elf.section(name);
  return s && new CallFrameInfo(elf.sectionData(s), { kind: name === '.eh_frame' ? 'eh_frame' : 'debug_frame', sectionAddress: s.addr });
}

describe('symbols: call frame information', () => {
  for (const name of KERNELS) {
    it(`${name}: every CFA rule row matches readelf --debug-dump=frames-interp`, () => {
      const elf = ElfFile.parse(fixture(name));
      const tables = readelfFrames(fixtureText(name.replace('.elf', '.frames.txt')));
      assert.ok(tables.length >= 5);
      let checked = 0;
      for (const t of tables) {
        const cfi = cfiOf(elf, t.section as '.eh_frame' | '.debug_frame')!;
        assert.deepStrictEqual(cfi.warnings, []);
        const fde = cfi.findFde(t.begin);
        assert.ok(fde, `FDE for ${t.begin.toString(16)}`);
        assert.strictEqual(fde.end, t.end);
        for (const r of t.rows) {
          const ours = cfi.rowAt(r.loc)!;
          assert.strictEqual(cfaText(ours), r.cols.CFA, `CFA at ${r.loc.toString(16)}`);
          for (const [col, want] of Object.entries(r.cols)) {
            if (col === 'CFA') continue;
            const reg: number = col === 'ra' ? fde.cie.raReg : I386_DWARF_REGS.indexOf(col as (typeof I386_DWARF_REGS)[number]);
            assert.strictEqual(ruleText(ours.regs.get(reg)), want, `${col} at ${r.loc.toString(16)} in ${name}`);
          }
          checked++;
        }
      }
      assert.ok(checked > 10);
    });
  }

  /** A tiny stack: words written at addresses, everything else unreadable. */
  function stack(words: Record<number, number>) {
    return (addr: number, size: number): Uint8Array | undefined => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i += 4) {
        const w = words[addr + i];
        if (w === undefined) return undefined;
        new DataView(out.buffer).setUint32(i, w, true);
      }
      return out;
    };
  }

  it('unwinds walk -> walk -> kmain at -O0 through the CFA rules and agrees with the frame-pointer walk', () => {
    const f = SymbolFile.fromBytes(fixture('k-O0-dw5.elf'));
    const walk = f.functionByName('walk')!;
    const kmain = f.functionByName('kmain')!;
    const retInKmain = kmain.low + 0x40;
    const retInWalk = walk.low + 0x30;
    // walk(depth 1) called from kmain; walk(depth 0) called from walk; stopped inside the inner walk's body.
    const mem = stack({ 0x8ff0: 0x8ffc /* outer ebp */, 0x8ff4: retInWalk, 0x8ffc: 0x9100 /* kmain's ebp */, 0x9000: retInKmain });
    const regs: Registers = [];
    regs[REG_EIP] = f.entryAfterPrologue('walk')!;
    regs[REG_ESP] = 0x8fd0;
    regs[REG_EBP] = 0x8ff0;
    const up1 = f.unwind(regs, mem)!;
    assert.strictEqual(up1.regs[REG_EIP], retInWalk);
    assert.strictEqual(up1.regs[REG_ESP], 0x8ff8);
    assert.strictEqual(up1.regs[REG_EBP], 0x8ffc);
    assert.deepStrictEqual(unwindWithFramePointer(regs, mem)?.regs.slice(4, 9), up1.regs.slice(4, 9));
    const up2 = f.unwind(up1.regs, mem, true)!;
    assert.strictEqual(up2.regs[REG_EIP], retInKmain);
    assert.strictEqual(up2.regs[REG_EBP], 0x9100);
    assert.strictEqual(f.framesAt(up2.regs[REG_EIP]!, true)[0].name, 'kmain');
  });

  it('unwinds at a function entry (before push %ebp) where the frame-pointer walk would be wrong', () => {
    const f = SymbolFile.fromBytes(fixture('k-O2-dw5.elf'));
    const fact = f.functionByName('lib_fact')!;
    const regs: Registers = [];
    regs[REG_EIP] = fact.low;
    regs[REG_ESP] = 0x7000;
    regs[REG_EBP] = 0x1234;
    const up = f.unwind(regs, stack({ 0x7000: 0x100105 }))!;
    assert.strictEqual(up.regs[REG_EIP], 0x100105);
    assert.strictEqual(up.regs[REG_ESP], 0x7004);
    assert.strictEqual(up.regs[REG_EBP], 0x1234, 'ebp untouched: same value');
  });

  it('stops at _start, whose return address is marked undefined', () => {
    const f = SymbolFile.fromBytes(fixture('k-O0-dw5.elf'));
    const regs: Registers = [];
    regs[REG_EIP] = f.functionByName('_start')!.low + 6;
    regs[REG_ESP] = 0x5000;
    assert.strictEqual(f.unwind(regs, stack({ 0x5000: 1 })), undefined);
  });

  it('k-dframe.elf combines .debug_frame (C) and .eh_frame (assembly)', () => {
    const elf = ElfFile.parse(fixture('k-dframe.elf'));
    assert.ok(cfiOf(elf, '.debug_frame')!.fdes.length >= 5);
    assert.ok(cfiOf(elf, '.eh_frame')!.fdes.length >= 2);
    const f = SymbolFile.fromBytes(fixture('k-dframe.elf'));
    assert.ok(f.hasUnwindInfo(f.functionByName('isr_stub')!.low));
    assert.ok(f.hasUnwindInfo(f.functionByName('lib_sum')!.low));
  });
});
