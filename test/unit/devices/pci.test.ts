import * as assert from 'node:assert';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import { createI440fxPlatform, PciConfigSpace } from '../../../src/vmm/devices/pci';

function setup() {
  const bus = new IoBus();
  const p = createI440fxPlatform();
  p.host.attach(bus);
  const addr = (dev: number, fn: number, reg: number) => (0x80000000 | (dev << 11) | (fn << 8) | reg) >>> 0;
  const read = (dev: number, fn: number, reg: number, size: 1 | 2 | 4 = 4) => {
    bus.write(0xcf8, 4, addr(dev, fn, reg & 0xfc));
    const v = bus.read(0xcfc + (reg & 3), size);
    return size === 4 ? v >>> 0 : v;
  };
  const write = (dev: number, fn: number, reg: number, size: 1 | 2 | 4, v: number) => {
    bus.write(0xcf8, 4, addr(dev, fn, reg & 0xfc));
    bus.write(0xcfc + (reg & 3), size, v);
  };
  return { bus, ...p, read, write };
}

describe('PCI configuration mechanism #1', () => {
  it('finds the i440FX, PIIX3 ISA and IDE; absent functions read all ones', () => {
    const { read } = setup();
    assert.strictEqual(read(0, 0, 0), 0x12378086);
    assert.strictEqual(read(0, 0, 8) >>> 8, 0x060000);
    assert.strictEqual(read(1, 0, 0), 0x70008086);
    assert.strictEqual(read(1, 0, 0x0c) >>> 16 & 0xff, 0x80, 'multi-function header');
    assert.strictEqual(read(1, 1, 0), 0x70108086);
    assert.strictEqual(read(1, 1, 8) >>> 8, 0x010180);
    assert.strictEqual(read(2, 0, 0), 0xffffffff);
    assert.strictEqual(read(0, 1, 0, 2), 0xffff);
    assert.strictEqual(read(1, 2, 0, 1), 0xff);
  });

  it('keeps the address latch for dword accesses only; the enable bit gates the data port', () => {
    const { bus, read } = setup();
    bus.write(0xcf8, 4, 0x80000000);
    assert.strictEqual(bus.read(0xcf8, 4) >>> 0, 0x80000000);
    bus.write(0xcf8, 4, 0x00000000);
    assert.strictEqual(bus.read(0xcfc, 4), -1, 'disabled: all ones');
    bus.write(0xcf8, 4, 0x80010000); // bus 1
    assert.strictEqual(bus.read(0xcfc, 4), -1);
    assert.strictEqual(read(0, 0, 2, 2), 0x1237, 'sub-dword read at an offset');
  });

  it('read-only identity, writable command and interrupt line, W1C status', () => {
    const { read, write } = setup();
    write(0, 0, 0, 4, 0);
    assert.strictEqual(read(0, 0, 0), 0x12378086);
    write(1, 1, 0x04, 2, 0xffff);
    assert.strictEqual(read(1, 1, 0x04, 2), 0x0547);
    write(1, 1, 0x3c, 1, 14);
    assert.strictEqual(read(1, 1, 0x3c, 1), 14);
  });

  it('PIIX3 PIRQ routing registers', () => {
    const { read, write, isa } = setup();
    assert.strictEqual(read(1, 0, 0x60), 0x80808080);
    assert.strictEqual(isa.pirqRoute(0), -1);
    write(1, 0, 0x61, 1, 0x0b);
    assert.strictEqual(isa.pirqRoute(1), 11);
  });

  it('sizes BARs of later devices the standard way', () => {
    const { host, read, write } = setup();
    class Nic extends PciConfigSpace {
      moves = 0;
      constructor() {
        super('nic', { vendorId: 0x10ec, deviceId: 0x8139, classCode: 0x020000, interruptPin: 1 });
        this.addBar(0, 256, true);
        this.addBar(1, 4096, false);
      }
      protected override configChanged(offset: number): void {
        if (offset >= 0x10 && offset < 0x18) this.moves++;
      }
    }
    const nic = new Nic();
    const slot = host.freeSlot();
    assert.strictEqual(slot, 2);
    host.add(slot, 0, nic);
    write(slot, 0, 0x10, 4, 0xffffffff);
    assert.strictEqual(read(slot, 0, 0x10), 0xffffff01);
    write(slot, 0, 0x14, 4, 0xffffffff);
    assert.strictEqual(read(slot, 0, 0x14), 0xfffff000);
    write(slot, 0, 0x10, 4, 0xc001);
    write(slot, 0, 0x14, 4, 0xfebf1000);
    assert.strictEqual(nic.barAddress(0), 0xc000);
    assert.strictEqual(nic.barAddress(1), 0xfebf1000);
    assert.strictEqual(nic.moves, 4);
    assert.strictEqual(read(slot, 0, 0x3c) >>> 8 & 0xff, 1, 'INTA#');
    assert.deepStrictEqual(
      host.list().map(([d, f, fn]) => `${d}.${f} ${fn.name}`),
      ['0.0 i440fx', '1.0 piix3-isa', '1.1 piix3-ide', '2.0 nic'],
    );
  });

  it('0xCF9 reset control resets on a rising bit 2', () => {
    const { bus, host } = setup();
    let resets = 0;
    host.onReset = () => resets++;
    bus.write(0xcf9, 1, 0x02);
    assert.strictEqual(resets, 0);
    bus.write(0xcf9, 1, 0x06);
    assert.strictEqual(resets, 1);
  });
});
