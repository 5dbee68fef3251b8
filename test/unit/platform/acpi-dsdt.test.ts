import * as assert from 'node:assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pciIntxGsi } from '../../../src/vmm/devices/pci';
import { eisaId, nameString, pkgLength } from '../../../src/vmm/firmware/aml';
import { RSDP_ADDR } from '../../../src/vmm/firmware/platform-tables';
import { byteSum } from '../../../src/vmm/firmware/table-bytes';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';

function dsdtOf(memoryMB: number): Uint8Array {
  const m = new Machine({ name: 't', memoryMB, cpus: 1, nsPerInstruction: 1, startTimeMs: 0 }, new MachineMemory(memoryMB << 20), {
    onSerial: () => undefined,
    onDebugCon: () => undefined,
    onPowerOff: () => undefined,
  });
  const rsdt = m.phys.read32(RSDP_ADDR + 16);
  const fadt = m.phys.read32(rsdt + 36);
  const dsdt = m.phys.read32(fadt + 40);
  return m.phys.readBytes(dsdt, m.phys.read32(dsdt + 4));
}

/** ACPICA's disassembler (Debian's acpica-tools, installed by scripts/setup.sh): an AML reader nobody here wrote. */
function disassemble(table: Uint8Array): { asl: string; log: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-dsdt-'));
  try {
    fs.writeFileSync(path.join(dir, 'dsdt.dat'), table);
    let log: string;
    try {
      log = execFileSync('iasl', ['-d', 'dsdt.dat'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      if (err.code === 'ENOENT') throw new Error('iasl not found: scripts/setup.sh installs acpica-tools');
      throw new Error(`iasl -d failed: ${err.stderr ?? err.message}`);
    }
    return { asl: fs.readFileSync(path.join(dir, 'dsdt.dsl'), 'utf8'), log };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('firmware: the DSDT (AML) with the PCI root bridge', () => {
  it('AML encodings: PkgLength across the one-byte limit, name strings, EISA IDs', () => {
    assert.deepStrictEqual(pkgLength(62), [63]);
    assert.deepStrictEqual(pkgLength(63), [0x41, 0x04], '65 bytes in all: two bytes, low nibble first');
    assert.deepStrictEqual(pkgLength(4093), [0x4f, 0xff], '4095: the most two bytes hold');
    assert.deepStrictEqual(pkgLength(4095), [0x82, 0x00, 0x01], '4098: three bytes');
    assert.deepStrictEqual(nameString('\\_SB.PCI0'), [0x5c, 0x2e, ...Buffer.from('_SB_PCI0')]);
    // ACPI's own example: EISAID("PNP0A03") is 0x030AD041.
    assert.deepStrictEqual(eisaId('PNP0A03'), [0x0c, 0x41, 0xd0, 0x0a, 0x03]);
  });

  it('iasl disassembles it without complaint: \\_S5_ and \\_SB.PCI0 (PNP0A03) with its windows', function () {
    this.timeout(20000);
    const table = dsdtOf(256);
    assert.strictEqual(byteSum(table), 0);
    const { asl, log } = disassemble(table);
    assert.doesNotMatch(log, /error|warning/i, log);
    assert.match(asl, /Name \(\\_S5, Package \(0x04\)\s*\/\/ _S5_[^{]*\{\s*0x05,\s*0x05,\s*Zero,\s*Zero\s*\}/);
    assert.match(asl, /Scope \(\\_SB\)\s*\{\s*Device \(PCI0\)/);
    assert.match(asl, /Name \(_HID, EisaId \("PNP0A03"\)/);
    assert.match(asl, /WordBusNumber \(ResourceProducer, MinFixed, MaxFixed, PosDecode,\s*0x0000,\s*\/\/ Granularity\s*0x0000,\s*\/\/ Range Minimum\s*0x00FF,/);
    assert.match(asl, /IO \(Decode16,\s*0x0CF8,\s*\/\/ Range Minimum\s*0x0CF8,\s*\/\/ Range Maximum\s*0x01,\s*\/\/ Alignment\s*0x08,/);
    assert.match(asl, /0x0000,\s*\/\/ Range Minimum\s*0x0CF7,\s*\/\/ Range Maximum/);
    assert.match(asl, /0x0D00,\s*\/\/ Range Minimum\s*0xFFFF,\s*\/\/ Range Maximum/);
    assert.match(asl, /0x000A0000,\s*\/\/ Range Minimum\s*0x000BFFFF,\s*\/\/ Range Maximum/);
    assert.match(asl, /NonCacheable, ReadWrite,\s*0x00000000,\s*\/\/ Granularity\s*0x10000000,\s*\/\/ Range Minimum\s*0xFEBFFFFF,/, 'the PCI window starts at the top of RAM');
    assert.match(dsdtAsl64(), /0x04000000,\s*\/\/ Range Minimum\s*0xFEBFFFFF,/, 'and follows the RAM size');
  });

  it('_PRT: INTA-INTD of all 32 slots to the GSIs the platform wires (pciIntxGsi)', function () {
    this.timeout(20000);
    const { asl } = disassemble(dsdtOf(64));
    const entries = [...asl.matchAll(/Package \(0x04\)\s*\{\s*0x([0-9A-F]+),\s*(Zero|One|0x0[23]),\s*Zero,\s*0x([0-9A-F]+)\s*\}/g)];
    assert.strictEqual(entries.length, 128);
    const pin = (s: string) => (s === 'Zero' ? 0 : s === 'One' ? 1 : parseInt(s, 16));
    for (const [, addr, p, gsi] of entries) {
      const a = parseInt(addr, 16);
      assert.strictEqual(a & 0xffff, 0xffff, 'any function of the slot');
      assert.strictEqual(parseInt(gsi, 16), pciIntxGsi(a >>> 16, pin(p) + 1));
    }
    assert.strictEqual(pciIntxGsi(2, 1), 18, 'slot 2 INTA# -> PIRQC -> GSI 18');
  });
});

function dsdtAsl64(): string {
  return disassemble(dsdtOf(64)).asl;
}
