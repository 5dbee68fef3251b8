import * as assert from 'node:assert';
import { type BlockBackend, CowOverlayBackend, MemoryBlockBackend, SECTOR_SIZE } from '../../../src/vmm/devices/block-backend';
import { IDE_PRIMARY, IdeChannel } from '../../../src/vmm/devices/ide';
import { defaultGeometry } from '../../../src/vmm/devices/ide-identify';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { IrqLines } from '../../../src/vmm/devices/irq';

class IrqRecorder implements IrqLines {
  level: boolean[] = new Array(16).fill(false);
  rising = 0;
  raise(line: number): void {
    if (!this.level[line]) this.rising++;
    this.level[line] = true;
  }
  lower(line: number): void {
    this.level[line] = false;
  }
}

const B = IDE_PRIMARY.base;
const CTRL = IDE_PRIMARY.control;

/** A disk whose sector n is filled with (n & 0xff) except its first two bytes, which hold n. */
function patternDisk(sectors: number): MemoryBlockBackend {
  const d = new MemoryBlockBackend(sectors);
  for (let s = 0; s < sectors; s++) {
    d.bytes.fill(s & 0xff, s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE);
    d.bytes[s * SECTOR_SIZE] = s & 0xff;
    d.bytes[s * SECTOR_SIZE + 1] = s >> 8;
  }
  return d;
}

function setup(master: BlockBackend = patternDisk(20000), slave?: BlockBackend) {
  const bus = new IoBus();
  const irq = new IrqRecorder();
  const ch = new IdeChannel({ name: 'ide0', irq, line: 14, master, slave });
  ch.attach(bus, B, CTRL);
  const lba28 = (lba: number, count: number, dev = 0) => {
    bus.write(B + 6, 1, 0xe0 | (dev << 4) | ((lba >> 24) & 0x0f));
    bus.write(B + 2, 1, count);
    bus.write(B + 3, 1, lba & 0xff);
    bus.write(B + 4, 1, (lba >> 8) & 0xff);
    bus.write(B + 5, 1, (lba >> 16) & 0xff);
  };
  const readWords = (n: number) => {
    const out = new Uint8Array(n * 2);
    for (let i = 0; i < n; i++) {
      const w = bus.read(B, 2);
      out[2 * i] = w & 0xff;
      out[2 * i + 1] = w >> 8;
    }
    return out;
  };
  const status = () => bus.read(B + 7, 1);
  const alt = () => bus.read(CTRL, 1);
  return { bus, irq, ch, lba28, readWords, status, alt };
}

describe('IDE/ATA PIO', () => {
  it('IDENTIFY DEVICE: geometry, LBA capacity, model string, checksum', () => {
    const { bus, irq, readWords, status } = setup();
    bus.write(B + 6, 1, 0xa0);
    bus.write(B + 7, 1, 0xec);
    assert.strictEqual(irq.level[14], true);
    assert.strictEqual(status(), 0x58, 'DRDY DSC DRQ');
    assert.strictEqual(irq.level[14], false, 'status read acknowledges');
    const id = readWords(256);
    const w = (i: number) => id[2 * i] | (id[2 * i + 1] << 8);
    const g = defaultGeometry(20000);
    assert.deepStrictEqual([w(1), w(3), w(6)], [g.cylinders, 16, 63]);
    assert.strictEqual(w(60) | (w(61) << 16), 20000);
    assert.strictEqual(w(49) & 0x0200, 0x0200);
    let model = '';
    for (let i = 27; i < 47; i++) model += String.fromCharCode(w(i) >> 8, w(i) & 0xff);
    assert.strictEqual(model.trim(), 'RINGSIDE HARDDISK');
    assert.strictEqual(id.reduce((a, b) => a + b, 0) & 0xff, 0);
    assert.strictEqual(status(), 0x50, 'DRQ gone after 256 words');
  });

  it('READ SECTORS (LBA28): one IRQ per sector, data in order, task file at last sector', () => {
    const { bus, irq, lba28, readWords, status } = setup();
    lba28(1000, 3);
    bus.write(B + 7, 1, 0x20);
    for (let s = 0; s < 3; s++) {
      assert.strictEqual(irq.level[14], true);
      assert.strictEqual(status() & 0x89, 0x08);
      const data = readWords(256);
      assert.strictEqual(data[0] | (data[1] << 8), 1000 + s);
      assert.strictEqual(data[100], (1000 + s) & 0xff);
    }
    assert.strictEqual(irq.level[14], false, 'no interrupt after the last read block');
    assert.strictEqual(status(), 0x50);
    assert.strictEqual(bus.read(B + 3, 1) | (bus.read(B + 4, 1) << 8), 1002);
  });

  it('32-bit data port reads move two words', () => {
    const { bus, lba28, status } = setup();
    lba28(7, 1);
    bus.write(B + 7, 1, 0x20);
    status();
    const v = bus.read(B, 4) >>> 0;
    assert.strictEqual(v & 0xffff, 7);
    assert.strictEqual(v >>> 16, 0x0707);
  });

  it('CHS addressing through the default and an INITIALIZE DEVICE PARAMETERS translation', () => {
    const { bus, readWords, status } = setup();
    // C/H/S 1/2/3 with 16 heads, 63 spt: (1*16+2)*63+2 = 1136
    bus.write(B + 6, 1, 0xa2);
    bus.write(B + 2, 1, 1);
    bus.write(B + 3, 1, 3);
    bus.write(B + 4, 1, 1);
    bus.write(B + 5, 1, 0);
    bus.write(B + 7, 1, 0x20);
    status();
    let d = readWords(256);
    assert.strictEqual(d[0] | (d[1] << 8), 1136);
    bus.write(B + 6, 1, 0xa3); // 4 heads
    bus.write(B + 2, 1, 17);
    bus.write(B + 7, 1, 0x91);
    assert.strictEqual(status(), 0x50);
    bus.write(B + 6, 1, 0xa2);
    bus.write(B + 2, 1, 1);
    bus.write(B + 3, 1, 3);
    bus.write(B + 4, 1, 1);
    bus.write(B + 7, 1, 0x20);
    status();
    d = readWords(256);
    assert.strictEqual(d[0] | (d[1] << 8), (1 * 4 + 2) * 17 + 2);
    bus.write(B + 3, 1, 0); // sector 0 does not exist in CHS
    bus.write(B + 7, 1, 0x20);
    assert.strictEqual(status(), 0x51);
    assert.strictEqual(bus.read(B + 1, 1), 0x10, 'IDNF');
  });

  it('WRITE SECTORS: DRQ without IRQ first, IRQ per further block and at completion', () => {
    const master = patternDisk(20000);
    const { bus, irq, lba28, status } = setup(master);
    lba28(50, 2);
    bus.write(B + 7, 1, 0x30);
    assert.strictEqual(irq.level[14], false);
    assert.strictEqual(bus.read(CTRL, 1), 0x58);
    for (let i = 0; i < 256; i++) bus.write(B, 2, 0xbeef);
    assert.strictEqual(irq.level[14], true, 'second block requested');
    assert.strictEqual(status(), 0x58);
    for (let i = 0; i < 128; i++) bus.write(B, 4, 0x12345678);
    assert.strictEqual(irq.level[14], true, 'completion');
    assert.strictEqual(status(), 0x50);
    assert.deepStrictEqual([...master.bytes.subarray(50 * 512, 50 * 512 + 4)], [0xef, 0xbe, 0xef, 0xbe]);
    assert.deepStrictEqual([...master.bytes.subarray(51 * 512, 51 * 512 + 4)], [0x78, 0x56, 0x34, 0x12]);
  });

  it('READ/WRITE MULTIPLE need SET MULTIPLE MODE and move blocks', () => {
    const { bus, irq, lba28, readWords, status } = setup();
    lba28(0, 8);
    bus.write(B + 7, 1, 0xc4);
    assert.strictEqual(status(), 0x51);
    assert.strictEqual(bus.read(B + 1, 1), 0x04, 'ABRT without multiple mode');
    bus.write(B + 2, 1, 3);
    bus.write(B + 7, 1, 0xc6);
    assert.strictEqual(status(), 0x51, '3 is not a power of two');
    bus.write(B + 2, 1, 4);
    bus.write(B + 7, 1, 0xc6);
    assert.strictEqual(status(), 0x50);
    lba28(100, 6);
    bus.write(B + 7, 1, 0xc4);
    let irqs = 0;
    const first: number[] = [];
    while (irq.level[14] && status() & 0x08) {
      irqs++;
      const data = readWords(first.length === 0 ? 4 * 256 : 2 * 256);
      first.push(data[0] | (data[1] << 8));
    }
    assert.deepStrictEqual(first, [100, 104]);
    assert.strictEqual(irqs, 2);
  });

  it('errors: out-of-range LBA gives IDNF, unknown command ABRT, both with ERR and an IRQ', () => {
    const { bus, irq, lba28, status } = setup();
    lba28(19999, 2);
    bus.write(B + 7, 1, 0x20);
    assert.strictEqual(irq.level[14], true);
    assert.strictEqual(status(), 0x51);
    assert.strictEqual(bus.read(B + 1, 1), 0x10);
    bus.write(B + 7, 1, 0xa1); // IDENTIFY PACKET DEVICE on a disk
    assert.strictEqual(status(), 0x51);
    assert.strictEqual(bus.read(B + 1, 1), 0x04);
    bus.write(B + 1, 1, 0x99);
    bus.write(B + 7, 1, 0xef); // SET FEATURES with an unknown subcommand
    assert.strictEqual(bus.read(B + 1, 1), 0x04);
    bus.write(B + 1, 1, 0x03);
    bus.write(B + 2, 1, 0x0c); // PIO mode 4
    bus.write(B + 7, 1, 0xef);
    assert.strictEqual(status(), 0x50);
    assert.strictEqual(bus.read(B + 1, 1), 0x00);
  });

  it('a read-only backend aborts writes with DF-free ERR', () => {
    const { bus, lba28, status } = setup(new MemoryBlockBackend(100, true));
    lba28(1, 1);
    bus.write(B + 7, 1, 0x30);
    assert.strictEqual(status(), 0x51);
    assert.strictEqual(bus.read(B + 1, 1), 0x04);
  });

  it('nIEN masks INTRQ; alternate status does not acknowledge', () => {
    const { bus, irq, lba28, alt, status } = setup();
    bus.write(CTRL, 1, 0x02);
    lba28(1, 1);
    bus.write(B + 7, 1, 0x20);
    assert.strictEqual(irq.level[14], false);
    bus.write(CTRL, 1, 0x00);
    assert.strictEqual(irq.level[14], true, 'still pending, now visible');
    assert.strictEqual(alt(), 0x58);
    assert.strictEqual(irq.level[14], true);
    status();
    assert.strictEqual(irq.level[14], false);
  });

  it('software reset: BSY while SRST, then signature and DRDY', () => {
    const { bus, lba28, alt } = setup();
    lba28(5, 1);
    bus.write(B + 7, 1, 0x20);
    bus.write(CTRL, 1, 0x04);
    assert.strictEqual(alt() & 0x80, 0x80);
    bus.write(CTRL, 1, 0x00);
    assert.strictEqual(alt(), 0x50);
    assert.deepStrictEqual([1, 2, 3, 4, 5].map((r) => bus.read(B + r, 1)), [0x01, 0x01, 0x01, 0x00, 0x00]);
  });

  it('master and slave: absent slave reads status 0, present slave answers', () => {
    const one = setup();
    one.bus.write(B + 6, 1, 0xb0);
    assert.strictEqual(one.status(), 0x00);
    one.bus.write(B + 7, 1, 0xec);
    assert.strictEqual(one.irq.level[14], false, 'commands to an absent device are ignored');
    const two = setup(patternDisk(100), patternDisk(300));
    two.lba28(299, 1, 1);
    two.bus.write(B + 7, 1, 0x20);
    assert.strictEqual(two.status(), 0x58);
    const d = two.readWords(1);
    assert.strictEqual(d[0] | (d[1] << 8), 299);
    const empty = new IdeChannel({ irq: new IrqRecorder(), line: 15 });
    const bus = new IoBus();
    empty.attach(bus, 0x170, 0x376);
    assert.strictEqual(bus.read(0x177, 1), 0xff, 'empty channel floats');
  });

  it('copy-on-write overlay keeps the base image untouched unless write-through', () => {
    const base = patternDisk(64);
    const baseCopy = base.bytes.slice();
    const cow = new CowOverlayBackend(new MemoryBlockBackend(base.bytes, true));
    const { bus, lba28, status, readWords } = setup(cow);
    lba28(10, 1);
    bus.write(B + 7, 1, 0x30);
    for (let i = 0; i < 256; i++) bus.write(B, 2, 0xaaaa);
    assert.strictEqual(status(), 0x50);
    assert.deepStrictEqual(base.bytes, baseCopy);
    assert.strictEqual(cow.dirtySectors, 1);
    lba28(9, 3);
    bus.write(B + 7, 1, 0x20);
    const got: number[] = [];
    for (let s = 0; s < 3; s++) {
      status();
      const d = readWords(256);
      got.push(d[0] | (d[1] << 8));
    }
    assert.deepStrictEqual(got, [9, 0xaaaa, 11]);
    const wt = new CowOverlayBackend(base, { writeThrough: true });
    wt.write(3, 1, new Uint8Array(512).fill(0x55));
    assert.strictEqual(base.bytes[3 * 512 + 7], 0x55);
    assert.throws(() => new CowOverlayBackend(new MemoryBlockBackend(4, true), { writeThrough: true }));
  });
});
