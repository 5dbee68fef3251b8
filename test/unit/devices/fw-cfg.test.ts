import * as assert from 'node:assert';
import { FW_CFG_FILE_DIR, FW_CFG_ID, FW_CFG_IRQ0_OVERRIDE, FW_CFG_NB_CPUS, FW_CFG_RAM_SIZE, FW_CFG_SIGNATURE, FwCfg, fwCfgE820 } from '../../../src/vmm/devices/fw-cfg';
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
  it('signature, ID without DMA (no memory given), RAM size as le64, CPU count', () => {
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

describe('fw_cfg DMA interface', () => {
  /** Guest RAM of 1 MiB, as the DMA engine sees it. */
  function dmaSetup(ramBytes = 1 << 20) {
    const ram = new Uint8Array(ramBytes);
    const bus = new IoBus();
    const fw = new FwCfg({
      ramBytes: ram.length,
      cpus: 2,
      dmaMemory: {
        readBytes: (a, n) => ram.slice(a, a + n),
        writeBytes: (a, b) => {
          if (a + b.length > ram.length) return false;
          ram.set(b, a);
          return true;
        },
      },
    });
    fw.attach(bus);
    const bswap = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
    /** Writes a FWCfgDmaAccess at `at` and starts it the way SeaBIOS does (high half, then low half). */
    const run = (at: number, control: number, length: number, address: number) => {
      const v = new DataView(ram.buffer);
      v.setUint32(at, control >>> 0);
      v.setUint32(at + 4, length);
      v.setUint32(at + 8, 0);
      v.setUint32(at + 12, address);
      bus.write(0x514, 4, 0);
      bus.write(0x518, 4, bswap(at));
      return v.getUint32(at);
    };
    return { ram, bus, fw, run };
  }
  const SELECT = 0x08;
  const READ = 0x02;
  const SKIP = 0x04;
  const WRITE = 0x10;

  it('ID says DMA; the register reads back "QEMU CFG"', () => {
    const { bus } = dmaSetup();
    bus.write(0x510, 2, FW_CFG_ID);
    assert.strictEqual(bus.read(0x511, 1), 3, 'traditional | DMA');
    const sig = [bus.read(0x514, 4), bus.read(0x518, 4)].flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
    assert.strictEqual(String.fromCharCode(...sig), 'QEMU CFG');
  });

  it('select + read copies the item to guest RAM, skip advances, the rest past the end reads as zeros, control goes to 0', () => {
    const { ram, fw, run } = dmaSetup();
    const key = fw.addFile('opt/blob', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    ram.fill(0xee, 0x2000, 0x2010);
    assert.strictEqual(run(0x1000, (key << 16) | SELECT | SKIP, 3, 0), 0);
    assert.strictEqual(run(0x1000, READ, 9, 0x2000), 0);
    assert.deepStrictEqual([...ram.subarray(0x2000, 0x200a)], [4, 5, 6, 7, 8, 9, 10, 0, 0, 0xee]);
    assert.strictEqual(fw.dmaTransfers, 2);
    assert.strictEqual(fw.dmaBytes, 7);
  });

  it('writes, and reads aimed outside RAM, set the error bit and change nothing', () => {
    const { ram, fw, run } = dmaSetup();
    const key = fw.addFile('opt/blob', new Uint8Array(16).fill(7));
    assert.strictEqual(run(0x1000, (key << 16) | SELECT | WRITE, 4, 0x3000), 1);
    assert.strictEqual(run(0x1000, (key << 16) | SELECT | READ, 16, 0xffff8), 1);
    assert.ok(ram.subarray(0xffff0).every((b) => b === 0));
  });

  it('a 4 GiB length past the item fails with the error bit (zero-filled in bounded chunks, never allocated)', () => {
    const { run } = dmaSetup();
    assert.strictEqual(run(0x1000, (0x1234 << 16) | SELECT | READ, 0xffffffff, 0x10000), 1);
  });

  it('zero-fill past an item stops after 1 MiB per transfer with the error bit (a guest cannot stall the monitor thread)', () => {
    const { ram, run } = dmaSetup(8 << 20);
    ram.fill(0xee, 0x100000);
    assert.strictEqual(run(0x1000, (0x1234 << 16) | SELECT | READ, 4 << 20, 0x100000), 1);
    assert.ok(ram.subarray(0x100000, 0x200000).every((b) => b === 0));
    assert.strictEqual(ram[0x200000], 0xee, 'nothing past the first MiB');
  });

  it('etc/e820 lists the RAM from 0 as QEMU does, and the IRQ0 override item says 1', () => {
    const { bus, fw } = dmaSetup();
    const e820 = fwCfgE820(128 << 20, 1 << 30);
    assert.strictEqual(e820.length, 40);
    const v = new DataView(e820.buffer);
    assert.deepStrictEqual([v.getUint32(0, true), v.getUint32(8, true), v.getUint32(16, true)], [0, 128 << 20, 1]);
    assert.deepStrictEqual([v.getUint32(20, true), v.getUint32(24, true), v.getUint32(28, true), v.getUint32(36, true)], [0, 1, 1 << 30, 1]);
    assert.ok(fw);
    bus.write(0x510, 2, FW_CFG_IRQ0_OVERRIDE);
    assert.strictEqual(bus.read(0x511, 1), 1);
  });
});
