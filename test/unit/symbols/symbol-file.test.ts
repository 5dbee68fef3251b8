import * as assert from 'node:assert';
import { REG_EBP, REG_EIP, REG_ESP, Registers } from '../../../src/symbols/cfi';
import { MemoryReader } from '../../../src/symbols/dwarf-expr';
import { VariableInfo } from '../../../src/symbols/dwarf-scopes';
import { stripTypedefs, typeName } from '../../../src/symbols/dwarf-types';
import { ElfFile } from '../../../src/symbols/elf-reader';
import { FrameContext, SymbolFile } from '../../../src/symbols/symbol-file';
import { SymbolTable } from '../../../src/symbols/symbol-table';
import { formatValue, valueChildren } from '../../../src/symbols/value-format';
import { fixture, fixtureText, memoryFromSegments } from './fixtures';

function elfMemory(f: SymbolFile, extra?: { base: number; bytes: Uint8Array }): MemoryReader {
  const segs = f.elf.loadSegments().map((p) => ({ vaddr: (p.vaddr + f.loadOffset) >>> 0, memsz: p.memsz, data: f.elf.segmentData(p) }));
  const fromElf = memoryFromSegments(segs);
  return (a, n) => {
    if (extra && a >= extra.base && a + n <= extra.base + extra.bytes.length) return extra.bytes.slice(a - extra.base, a - extra.base + n);
    return fromElf(a, n);
  };
}

function nmAddress(name: string, sym: string): number {
  const line = fixtureText(name).split('\n').find((l) => l.endsWith(' ' + sym))!;
  return parseInt(line.split(' ')[0], 16);
}

function show(f: SymbolFile, v: VariableInfo, frame: FrameContext): string {
  const r = f.readVariable(v, frame);
  if (!r.bytes) return `<${r.error}>`;
  return formatValue(v.type, r.bytes, { readMemory: frame.readMemory, symbolize: (a) => f.symbolize(a)?.name });
}

describe('symbols: ELF reader', () => {
  it('reads the header, sections and program headers', () => {
    const elf = ElfFile.parse(fixture('k-O0-dw5.elf'));
    assert.strictEqual(elf.header.machine, 3);
    assert.strictEqual(elf.header.type, 2);
    assert.strictEqual(elf.header.entry, nmAddress('k-O0-dw5.nm.txt', '_start'));
    assert.ok(elf.section('.debug_info') && elf.section('.debug_line_str') && elf.section('.text'));
    assert.strictEqual(elf.section('.text')!.addr, 0x100000);
  });

  it('gives loaders PT_LOAD segments with physical and virtual addresses (higher-half kernel)', () => {
    const elf = ElfFile.parse(fixture('k-higher.elf'));
    const segs = elf.loadSegments();
    assert.ok(segs.length >= 1);
    assert.strictEqual(segs[0].vaddr, 0xc0100000);
    assert.strictEqual(segs[0].paddr, 0x100000);
    assert.ok(segs.some((s) => s.memsz > s.filesz), 'a .bss segment part is zero-filled');
    assert.strictEqual(elf.segmentData(segs[0]).length, segs[0].filesz);
  });

  for (const name of ['k-O0-dw5.elf', 'k-O2-dw4.elf', 'k-nodebug.elf']) {
    it(`${name}: symbol table agrees with nm`, () => {
      const syms = ElfFile.parse(fixture(name)).symbols();
      const nm = fixtureText(name.replace('.elf', '.nm.txt')).split('\n').filter(Boolean).map((l) => l.split(' '));
      assert.ok(nm.length > 10);
      for (const [addr, kind, sym] of nm) {
        const s = syms.find((x) => x.name === sym && x.value === parseInt(addr, 16));
        assert.ok(s, `${sym} @ ${addr}`);
        if (kind === 'T' || kind === 't') assert.ok(s.type === 'func' || s.type === 'notype');
        assert.strictEqual(s.binding === 'local', kind === kind.toLowerCase(), `binding of ${sym}`);
      }
    });
  }
});

describe('symbols: SymbolFile', () => {
  it('lists the units with their DWARF versions and the source files', () => {
    const f5 = SymbolFile.fromBytes(fixture('k-O0-dw5.elf'));
    const f4 = SymbolFile.fromBytes(fixture('k-O0-dw4.elf'));
    const kmain5 = f5.functionByName('kmain')!;
    assert.strictEqual(f5.unitAt(kmain5.low)?.version, 5);
    assert.strictEqual(f4.unitAt(f4.functionByName('kmain')!.low)?.version, 4);
    assert.deepStrictEqual(f5.sourceFiles(), ['/fixtures/src/boot.S', '/fixtures/src/kernel.c', '/fixtures/src/kernel.h', '/fixtures/src/lib.c']);
    assert.strictEqual(kmain5.declFile, '/fixtures/src/kernel.c');
    assert.strictEqual(kmain5.declLine, 55);
  });

  for (const name of ['k-O0-dw5.elf', 'k-O0-dw4.elf', 'k-O2-dw5.elf']) {
    it(`${name}: globals with types and values from the file's data`, () => {
      const f = SymbolFile.fromBytes(fixture(name));
      const frame: FrameContext = { pc: 0, regs: [], readMemory: elfMemory(f) };
      const g = new Map(f.globals().map((v) => [v.name, v]));
      const val = (n: string): string => show(f, g.get(n)!, frame);
      const ty = (n: string): string => typeName(g.get(n)!.type);
      assert.strictEqual(val('matrix'), '{{1, 2, 3}, {4, 5, 6}}');
      assert.strictEqual(ty('matrix'), 'int [2][3]');
      assert.strictEqual(val('pi'), '3.14159');
      assert.strictEqual(ty('pi'), 'const double');
      assert.strictEqual(val('ratio'), '0.5');
      assert.strictEqual(val('big'), '-1234567890123');
      assert.strictEqual(ty('big'), 'long long int');
      assert.strictEqual(val('banner'), '"ringside"');
      assert.strictEqual(val('neg'), 'MINUS_ONE');
      assert.strictEqual(val('flag'), 'true');
      assert.strictEqual(ty('tasks'), 'struct task [3]');
      if (g.has('handlers') || !name.includes('O2')) {
        assert.strictEqual(ty('handlers'), 'handler_t [2]');
        assert.match(val('handlers'), /^\{0x[0-9a-f]{8} <h_id>, 0x[0-9a-f]{8} <h_len>\}$/);
      }
      assert.strictEqual(ty('ticks'), 'volatile u32');
      assert.strictEqual(val('ticks'), '0');
      if (g.has('vga')) {
        assert.strictEqual(ty('vga'), 'u16 * const');
        assert.strictEqual(val('vga'), '0x000b8000');
      }
    });
  }

  it('formats struct task: bit fields, unions, enums, function pointers, char arrays, children', () => {
    const f = SymbolFile.fromBytes(fixture('k-O0-dw5.elf'));
    const tasks = f.globals().find((v) => v.name === 'tasks')!;
    const arr = stripTypedefs(tasks.type);
    assert.strictEqual(arr.kind, 'array');
    const task = arr.kind === 'array' ? arr.element : arr;
    const t = stripTypedefs(task);
    assert.ok(t.kind === 'struct');
    const off = (m: string): number => t.members.find((x) => x.name === m)!.offset;
    assert.deepStrictEqual(t.members.map((m) => m.name), ['id', 'name', 'next', 'color', 'tag', 'ptes', 'entry', 'ticks', 'comm']);
    const bytes = new Uint8Array(t.size);
    const dv = new DataView(bytes.buffer);
    dv.setInt32(off('id'), -7, true);
    dv.setUint32(off('color'), 4, true);
    dv.setUint32(off('tag'), 0x11223344, true);
    dv.setUint32(off('ptes'), 1 | (1 << 2) | (0x12345 << 12), true);
    dv.setUint32(off('entry'), nmAddress('k-O0-dw5.nm.txt', 'task_main'), true);
    bytes.set([0x61, 0x62, 0x0a], off('comm'));
    const kids = valueChildren(task, bytes, 0x1000);
    const text = (n: string): string => {
      const c = kids.find((k) => k.name === n)!;
      return formatValue(c.type, c.bytes!, { symbolize: (a) => f.symbolize(a)?.name });
    };
    assert.strictEqual(text('id'), '-7');
    assert.strictEqual(text('color'), 'RED');
    assert.strictEqual(text('comm'), '"ab\\n"');
    assert.strictEqual(text('next'), '0x00000000');
    assert.match(text('entry'), /^0x[0-9a-f]{8} <task_main>$/);
    assert.strictEqual(typeName(kids.find((k) => k.name === 'entry')!.type), 'int (*)(int, char **)');
    assert.strictEqual(kids.find((k) => k.name === 'ptes')!.address, 0x1000 + off('ptes'));
    const tag = kids.find((k) => k.name === 'tag')!;
    assert.strictEqual(formatValue(tag.type, tag.bytes!), '{dword = 287454020, half = {13124, 4386}, bytes = "D3\\"\\x11"}');
    const ptes = kids.find((k) => k.name === 'ptes')!;
    const pte0 = valueChildren(ptes.type, ptes.bytes!)[0];
    const bits = valueChildren(pte0.type, pte0.bytes!).map((c) => `${c.name}=${formatValue(c.type, c.bytes!)}`);
    assert.deepStrictEqual(bits, ['present=1', 'rw=0', 'user=1', 'reserved=0', 'frame=74565']);
    assert.strictEqual(formatValue(task, bytes), '{id = -7, name = 0x00000000, next = 0x00000000, color = RED, ...}');
    assert.match(formatValue(task, bytes, { maxSummary: 1000 }), /^\{id = -7, .*, tag = \{dword = 287454020, .*\}, ptes = \{\{present = 1, rw = 0, user = 1, reserved = 0, frame = 74565\}, \{.*\}\}, entry = 0x[0-9a-f]{8}, ticks = 0, comm = "ab\\n"\}$/);
  });

  it('-O0: frame variables of walk (parameters, locals, lexical block) from registers and stack', () => {
    const f = SymbolFile.fromBytes(fixture('k-O0-dw5.elf'));
    const tasksAddr = nmAddress('k-O0-dw5.nm.txt', 'tasks');
    const stack = new Uint8Array(0x200);
    const base = 0x8e00;
    const put = (a: number, v: number): void => new DataView(stack.buffer).setUint32(a - base, v, true);
    put(0x8ff8, tasksAddr); // t (fbreg 0 = CFA = ebp + 8)
    put(0x8ffc, 2); // depth
    put(0x8ff0 - 12, 77); // total (fbreg -20 = ebp - 12)
    put(0x8ff0 - 16, 5); // inner (fbreg -24)
    const regs: Registers = [];
    regs[REG_EBP] = 0x8ff0;
    regs[REG_ESP] = 0x8fd0;
    regs[REG_EIP] = f.entryAfterPrologue('walk')!;
    const frame: FrameContext = { pc: regs[REG_EIP]!, regs, readMemory: elfMemory(f, { base, bytes: stack }) };
    const [top] = f.framesAt(frame.pc);
    assert.strictEqual(top.name, 'walk');
    assert.deepStrictEqual(top.variables.map((v) => `${v.kind} ${v.name}`), ['parameter t', 'parameter depth', 'local total']);
    const vals = top.variables.map((v) => show(f, v, frame));
    assert.deepStrictEqual(vals, [`0x${tasksAddr.toString(16).padStart(8, '0')}`, '2', '77']);
    // Inside the block: `inner` becomes visible.
    const inBlock = f.addressesForLine('kernel.c', 45)!.addresses[0];
    const names = f.framesAt(inBlock)[0].variables.map((v) => v.name);
    assert.deepStrictEqual(names, ['t', 'depth', 'inner', 'total']);
    const inner = f.framesAt(inBlock)[0].variables.find((v) => v.name === 'inner')!;
    assert.strictEqual(show(f, inner, { ...frame, pc: inBlock }), '5');
    assert.strictEqual(f.cfa(frame), 0x8ff8);
  });

  it('-O2: inlined calls become frames with call sites; location lists give parameters at entry', () => {
    const f = SymbolFile.fromBytes(fixture('k-O2-dw5.elf'));
    const walk = f.functionByName('walk')!;
    let found = false;
    for (let a = walk.low; a < walk.high && !found; a++) {
      const frames = f.framesAt(a);
      if (frames.length === 2 && frames[0].name === 'square') {
        found = true;
        assert.strictEqual(frames[0].inlined, true);
        // Its code ranges (what step-out leaves) hold the address and lie inside walk; walk itself has none.
        const ranges = frames[0].ranges!;
        assert.ok(ranges.some(([lo, hi]) => a >= lo && a < hi), JSON.stringify(ranges));
        assert.ok(ranges.every(([lo, hi]) => lo >= walk.low && hi <= walk.high && lo < hi), JSON.stringify(ranges));
        assert.strictEqual(frames[1].ranges, undefined);
        assert.match(frames[0].location!.file, /kernel\.h$/);
        assert.strictEqual(frames[1].name, 'walk');
        assert.deepStrictEqual([frames[1].location!.file, frames[1].location!.line], ['/fixtures/src/kernel.c', 52]);
        assert.deepStrictEqual(frames[0].variables.map((v) => `${v.kind} ${v.name}`), ['parameter x']);
      }
    }
    assert.ok(found, 'an address inside the inlined square() in walk');
    const fact = f.functionByName('lib_fact')!;
    const regs: Registers = [];
    regs[REG_EIP] = fact.low;
    regs[REG_ESP] = 0x7000;
    const mem = (a: number, n: number): Uint8Array | undefined => {
      const words: Record<number, number> = { 0x7000: 0x100105, 0x7004: 5 };
      if (n === 4 && words[a] !== undefined) return new Uint8Array(new Uint32Array([words[a]]).buffer);
      return undefined;
    };
    const [frame] = f.framesAt(fact.low);
    const n = frame.variables.find((v) => v.name === 'n')!;
    assert.strictEqual(show(f, n, { pc: fact.low, regs, readMemory: mem }), '5');
  });

  it('forms5.elf: DWARF 5 forms gcc does not emit (strx, addrx, rnglistx, loclistx, data16, implicit_const)', () => {
    const f = SymbolFile.fromBytes(fixture('forms5.elf'));
    assert.deepStrictEqual(f.warnings, []);
    const f5 = f.functionByName('f5')!;
    const g5 = f.functionByName('g5')!;
    assert.strictEqual(f5.low, nmAddress('forms5.nm.txt', 'f5'));
    assert.strictEqual(g5.low, nmAddress('forms5.nm.txt', 'g5'));
    assert.strictEqual(f5.declLine, 10);
    assert.strictEqual(f5.declFile, '/fixtures/src/forms5.c');
    assert.strictEqual(f.entryAfterPrologue('f5'), f5.low + 4, 'prologue_end row');
    assert.deepStrictEqual(f.lineForAddress(g5.low + 2), { file: '/fixtures/src/forms5.c', line: 20, column: 17, address: g5.low + 2, isStmt: true });
    const regs: Registers = [0x55];
    const names = (pc: number): string[] => f.framesAt(pc)[0].variables.map((v) => v.name);
    assert.deepStrictEqual(names(f5.low + 4), ['x', 'y', 'k']);
    assert.deepStrictEqual(names(f5.low + 10), ['x', 'k'], 'y only inside the rnglistx block');
    const x = f.framesAt(f5.low + 4)[0].variables[0];
    assert.strictEqual(show(f, x, { pc: f5.low + 4, regs, readMemory: () => undefined }), '85');
    assert.strictEqual(show(f, x, { pc: f5.low + 12, regs, readMemory: () => undefined }), '<optimized out>');
    const k = f.framesAt(f5.low)[0].variables.find((v) => v.name === 'k')!;
    assert.strictEqual(show(f, k, { pc: f5.low, regs, readMemory: () => undefined }), (0x100f0e0d0c0b0a090807060504030201n).toString());
    const gv = f.globals().find((v) => v.name === 'gv')!;
    const r = f.readVariable(gv, { pc: 0, regs: [], readMemory: (a, n) => new Uint8Array(n).fill(a === nmAddress('forms5.nm.txt', 'gv') ? 1 : 9) });
    assert.deepStrictEqual(r.location, { kind: 'memory', address: nmAddress('forms5.nm.txt', 'gv') });
    assert.strictEqual(formatValue(gv.type, r.bytes!), String(0x01010101));
  });

  it('load offsets: a higher-half kernel resolves at its virtual and, through a second view, its physical addresses', () => {
    const virt = SymbolFile.fromBytes(fixture('k-higher.elf'), { name: 'kernel' });
    assert.strictEqual(virt.physicalLoadOffset(), -0xc0000000);
    const phys = virt.withLoadOffset(virt.physicalLoadOffset(), 'kernel (physical)');
    const v = virt.functionByName('kmain')!;
    const p = phys.functionByName('kmain')!;
    assert.strictEqual(v.low - p.low, 0xc0000000);
    assert.strictEqual(phys.lineForAddress(p.low)?.line, 56);
    assert.strictEqual(phys.entryPoint, 0x10000c);
    assert.strictEqual(phys.entryAfterPrologue('kmain'), virt.entryAfterPrologue('kmain')! - 0xc0000000);
    const table = new SymbolTable();
    table.add(virt);
    table.add(phys);
    assert.strictEqual(table.functionAt(p.low + 3)?.name, 'kmain');
    assert.strictEqual(table.functionAt(v.low + 3)?.name, 'kmain');
    assert.strictEqual(table.symbolize(v.low + 3), 'kmain+3');
    const bps = table.addressesForLine('/anywhere/src/kernel.c', 57);
    assert.deepStrictEqual(bps.map((b) => b.file.name), ['kernel', 'kernel (physical)']);
    assert.strictEqual(bps[0].addresses[0] - bps[1].addresses[0], 0xc0000000);
    // Globals move with the offset too (DW_OP_addr is relocated).
    const g = phys.globals().find((x) => x.name === 'matrix')!;
    const loc = phys.readVariable(g, { pc: 0, regs: [], readMemory: elfMemory(phys) });
    assert.deepStrictEqual(loc.location, { kind: 'memory', address: nmAddress('k-higher.nm.txt', 'matrix') - 0xc0000000 });
    assert.strictEqual(formatValue(g.type, loc.bytes!), '{{1, 2, 3}, {4, 5, 6}}');
  });

  it('a file without DWARF still gives functions from ELF symbols', () => {
    const f = SymbolFile.fromBytes(fixture('k-nodebug.elf'));
    assert.strictEqual(f.hasDwarf, false);
    const walk = nmAddress('k-nodebug.nm.txt', 'walk');
    assert.strictEqual(f.functionAt(walk + 5)?.name, 'walk');
    assert.strictEqual(f.functionAt(walk + 5)?.source, 'symbol');
    assert.deepStrictEqual(f.symbolize(walk + 5), { name: 'walk', offset: 5 });
    assert.strictEqual(f.lineForAddress(walk), undefined);
    assert.strictEqual(f.framesAt(walk + 5)[0].name, 'walk');
    assert.strictEqual(f.entryAfterPrologue('walk'), walk);
    assert.strictEqual(f.symbolize(nmAddress('k-nodebug.nm.txt', 'matrix') + 4)?.name, 'matrix');
  });
});
