import * as assert from 'node:assert';
import { FwCfg } from '../../../src/vmm/devices/fw-cfg';
import { ACPI_RSDP_FILE, ACPI_TABLES_FILE, publishAcpiTables, TABLE_LOADER_FILE } from '../../../src/vmm/firmware/acpi-fw-cfg';
import { buildAcpiTables } from '../../../src/vmm/firmware/acpi-tables';
import { byteSum } from '../../../src/vmm/firmware/table-bytes';
import { acpiLayout } from '../../../src/vmm/firmware/platform-tables';
import { fwCfgReader } from './fw-cfg-reader';

/** Every fw_cfg file by name, read through the ports. */
function readFiles(fw: FwCfg): Map<string, Uint8Array> {
  const r = fwCfgReader(fw);
  return new Map([...r.files()].map(([name, f]) => [name, r.bytes(f.key, f.size)]));
}

/**
 * A firmware-side executor of the linker/loader script written from QEMU's command definitions
 * (allocate/add-pointer/add-checksum), placing the blobs where a firmware might: a high address and the F
 * segment. It is what SeaBIOS's romfile_loader_execute does, reduced to a flat memory.
 */
function runLoader(files: Map<string, Uint8Array>, mem: Uint8Array, highBase: number, fsegBase: number): void {
  const script = files.get(TABLE_LOADER_FILE)!;
  const addr = new Map<string, number>();
  const dv = new DataView(script.buffer);
  const name = (o: number) => new TextDecoder().decode(script.subarray(o, o + 56)).replace(/\0.*$/s, '');
  let high = highBase;
  let fseg = fsegBase;
  for (let o = 0; o < script.length; o += 128) {
    const cmd = dv.getUint32(o, true);
    if (cmd === 1) {
      const file = name(o + 4);
      const align = dv.getUint32(o + 60, true);
      const blob = files.get(file)!;
      const zone = script[o + 64];
      let at = zone === 2 ? fseg : high;
      at = Math.ceil(at / align) * align;
      mem.set(blob, at);
      addr.set(file, at);
      if (zone === 2) fseg = at + blob.length;
      else high = at + blob.length;
    } else if (cmd === 2) {
      const dest = addr.get(name(o + 4))!;
      const src = addr.get(name(o + 60))!;
      const off = dv.getUint32(o + 116, true);
      assert.strictEqual(script[o + 120], 4);
      const m = new DataView(mem.buffer);
      m.setUint32(dest + off, (m.getUint32(dest + off, true) + src) >>> 0, true);
    } else if (cmd === 3) {
      const at = addr.get(name(o + 4))!;
      const off = dv.getUint32(o + 60, true);
      const start = dv.getUint32(o + 64, true);
      const len = dv.getUint32(o + 68, true);
      mem[at + off] = (mem[at + off] - byteSum(mem, at + start, at + start + len)) & 0xff;
    } else {
      assert.fail(`unknown loader command ${cmd}`);
    }
  }
}

describe('firmware: ACPI tables handed to firmware over fw_cfg (etc/table-loader)', () => {
  it('after the loader runs, RSDP -> RSDT -> FADT/MADT -> DSDT/FACS resolve, every checksum holds, and the tables equal the directly placed ones', () => {
    const layout = acpiLayout(128 << 20, 2);
    const fw = new FwCfg({ ramBytes: 128 << 20, cpus: 2 });
    publishAcpiTables(fw, layout);
    const files = readFiles(fw);
    assert.ok(files.has(ACPI_TABLES_FILE) && files.has(ACPI_RSDP_FILE) && files.has(TABLE_LOADER_FILE));
    const mem = new Uint8Array(1 << 20);
    const high = 0x40010;
    runLoader(files, mem, high, 0xf6000);
    const m = new DataView(mem.buffer);
    const rsdp = 0xf6000;
    assert.strictEqual(new TextDecoder().decode(mem.subarray(rsdp, rsdp + 8)), 'RSD PTR ');
    assert.strictEqual(byteSum(mem, rsdp, rsdp + 20), 0, 'RSDP checksum');
    const table = (at: number) => {
      const sig = new TextDecoder().decode(mem.subarray(at, at + 4));
      const len = m.getUint32(at + 4, true);
      assert.strictEqual(byteSum(mem, at, at + len), 0, `${sig} checksum`);
      return { sig, len };
    };
    const rsdt = m.getUint32(rsdp + 16, true);
    assert.strictEqual(table(rsdt).sig, 'RSDT');
    const entries = [m.getUint32(rsdt + 36, true), m.getUint32(rsdt + 40, true)];
    assert.deepStrictEqual(entries.map((e) => table(e).sig), ['FACP', 'APIC']);
    const facs = m.getUint32(entries[0] + 36, true);
    const dsdt = m.getUint32(entries[0] + 40, true);
    assert.strictEqual(facs % 64, 0, 'the FACS is 64-byte aligned');
    assert.strictEqual(new TextDecoder().decode(mem.subarray(facs, facs + 4)), 'FACS');
    assert.strictEqual(table(dsdt).sig, 'DSDT');
    // The same tables as a directly booted guest gets, only placed elsewhere: the MADT and DSDT byte for byte.
    const base = Math.ceil(high / 64) * 64;
    const placed = buildAcpiTables(layout, base);
    assert.deepStrictEqual(mem.subarray(base, base + placed.body.length), placed.body);
  });
});
