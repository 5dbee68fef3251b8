import * as assert from 'node:assert';
import { FW_CFG_FILE_DIR, FW_CFG_ID, FW_CFG_NB_CPUS, FW_CFG_RAM_SIZE, FW_CFG_SIGNATURE, FwCfg } from '../../../src/vmm/devices/fw-cfg';
import { IoBus } from '../../../src/vmm/devices/io-bus';

function setup() {
  const bus = new IoBus();
  const fw = new FwCfg({ ramBytes: 6 * 2 ** 30, cpus: 4 });
  fw.attach(bus);
  const item = (key: number, n: number) => {
    bus.write(0x510, 2, key);
    return Array.from({ length: n }, () => bus.read(0x511, 1));
  };
  return { bus, fw, item };
}

describe('fw_cfg', () => {
  it('signature, ID without DMA, RAM size as le64, CPU count', () => {
    const { item } = setup();
    assert.strictEqual(String.fromCharCode(...item(FW_CFG_SIGNATURE, 4)), 'QEMU');
    assert.deepStrictEqual(item(FW_CFG_ID, 4), [1, 0, 0, 0]);
    assert.deepStrictEqual(item(FW_CFG_RAM_SIZE, 8), [0, 0, 0, 0x80, 1, 0, 0, 0]);
    assert.deepStrictEqual(item(FW_CFG_NB_CPUS, 2), [4, 0]);
  });

  it('reads past the end and unknown selectors return zero; reselecting rewinds', () => {
    const { item } = setup();
    assert.deepStrictEqual(item(FW_CFG_SIGNATURE, 6), [0x51, 0x45, 0x4d, 0x55, 0, 0]);
    assert.deepStrictEqual(item(0x1234, 2), [0, 0]);
  });

  it('arch-local selectors (bit 15) are their own items, not aliases of 0-0x3FFF; bit 14 (write) names the same item', () => {
    const { item } = setup();
    // SeaBIOS reads a u16 count at 0x8000 (legacy ACPI tables) and 0x8001 (SMBIOS): 'QE' here made it loop.
    assert.deepStrictEqual(item(0x8000, 2), [0, 0]);
    assert.deepStrictEqual(item(0x8001, 2), [0, 0]);
    assert.deepStrictEqual(item(0x4000 | FW_CFG_NB_CPUS, 2), [4, 0]);
  });

  it('file directory lists files sorted, big-endian, with their selectors', () => {
    const { fw, item, bus } = setup();
    const kb = fw.addFile('opt/ringside/b', new Uint8Array([9, 8, 7]));
    fw.addFile('etc/a', new Uint8Array(10));
    const dir = item(FW_CFG_FILE_DIR, 4 + 128);
    assert.deepStrictEqual(dir.slice(0, 4), [0, 0, 0, 2]);
    assert.deepStrictEqual(dir.slice(4, 12), [0, 0, 0, 10, 0, 0x21, 0, 0]);
    assert.strictEqual(String.fromCharCode(...dir.slice(12, 17)), 'etc/a');
    assert.deepStrictEqual(dir.slice(68, 76), [0, 0, 0, 3, 0, kb, 0, 0]);
    bus.write(0x510, 2, kb);
    assert.strictEqual(bus.read(0x511, 2), 0x0809, 'wider reads stream bytes');
  });
});
