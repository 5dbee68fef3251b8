import * as assert from 'node:assert';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { IrqLines } from '../../../src/vmm/devices/irq';
import { periodicNs, Rtc } from '../../../src/vmm/devices/rtc';
import { VirtualClock } from '../../../src/vmm/monitor/virtual-clock';

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

const START = Date.UTC(2024, 1, 29, 23, 59, 58); // a Thursday, leap day

function setup(ramBytes = 128 << 20) {
  const bus = new IoBus();
  const clock = new VirtualClock();
  const irq = new IrqRecorder();
  const rtc = new Rtc({ clock, irq, startTimeMs: START, ramBytes, cpus: 2 });
  rtc.attach(bus);
  const rd = (reg: number) => {
    bus.write(0x70, 1, reg);
    return bus.read(0x71, 1);
  };
  const wr = (reg: number, v: number) => {
    bus.write(0x70, 1, reg);
    bus.write(0x71, 1, v);
  };
  const at = (ns: number) => clock.advanceTo(ns);
  return { bus, clock, irq, rtc, rd, wr, at };
}

describe('MC146818 RTC/CMOS', () => {
  it('reads the start time in BCD, 24-hour, with the century byte', () => {
    const { rd } = setup();
    assert.deepStrictEqual(
      [0, 2, 4, 6, 7, 8, 9, 0x32].map(rd),
      [0x58, 0x59, 0x23, 0x05, 0x29, 0x02, 0x24, 0x20],
    );
    assert.strictEqual(rd(0x0a), 0x26);
    assert.strictEqual(rd(0x0b), 0x02);
    assert.strictEqual(rd(0x0d), 0x80);
  });

  it('advances with virtual time across a month boundary', () => {
    const { rd, at } = setup();
    at(2e9);
    assert.deepStrictEqual([0, 2, 4, 6, 7, 8].map(rd), [0x00, 0x00, 0x00, 0x06, 0x01, 0x03]);
  });

  it('binary and 12-hour modes', () => {
    const { rd, wr, at } = setup();
    wr(0x0b, 0x04); // binary, 12h
    assert.strictEqual(rd(0x04), 0x80 | 11, '23h = 11 PM');
    assert.strictEqual(rd(0x00), 58);
    at(2e9);
    assert.strictEqual(rd(0x04), 12, 'midnight = 12 AM');
    wr(0x0b, 0x00); // BCD 12h
    wr(0x04, 0x81); // 1 PM
    wr(0x0b, 0x02);
    assert.strictEqual(rd(0x04), 0x13);
  });

  it('UIP is set only in the 244 us before an update', () => {
    const { rd, at } = setup();
    // Start time had 0 ms, so updates happen at whole virtual seconds.
    at(500e6);
    assert.strictEqual(rd(0x0a) & 0x80, 0);
    at(1e9 - 200_000);
    assert.strictEqual(rd(0x0a) & 0x80, 0x80);
    assert.strictEqual(rd(0x00), 0x58, 'old second still visible while UIP');
    at(1e9);
    assert.strictEqual(rd(0x0a) & 0x80, 0);
    assert.strictEqual(rd(0x00), 0x59);
  });

  it('SET holds the clock while the guest writes a new time, clearing UIE', () => {
    const { rd, wr, at } = setup();
    wr(0x0b, 0x12);
    wr(0x0b, 0x92);
    assert.strictEqual(rd(0x0b), 0x82, 'UIE cleared by SET');
    wr(0x00, 0x30);
    wr(0x02, 0x15);
    wr(0x04, 0x08);
    wr(0x07, 0x04);
    wr(0x08, 0x07);
    wr(0x09, 0x99);
    wr(0x32, 0x19);
    at(5e9);
    assert.strictEqual(rd(0x00), 0x30, 'held');
    wr(0x0b, 0x02);
    at(5e9 + 3e9);
    assert.deepStrictEqual([0, 2, 4, 7, 8, 9, 0x32].map(rd), [0x33, 0x15, 0x08, 0x04, 0x07, 0x99, 0x19]);
  });

  it('periodic interrupt at 1024 Hz on IRQ8, acknowledged by reading C', () => {
    const { rd, wr, at, irq } = setup();
    assert.ok(Math.abs(periodicNs(6) - 976562.5) < 1e-6);
    assert.ok(Math.abs(periodicNs(1) - 3906250) < 1e-6);
    assert.ok(Math.abs(periodicNs(15) - 500e6) < 1e-6);
    rd(0x0c);
    wr(0x0b, 0x42);
    at(900_000);
    assert.strictEqual(irq.level[8], false);
    at(1_000_000);
    assert.strictEqual(irq.level[8], true);
    assert.strictEqual(rd(0x0c), 0xc0);
    assert.strictEqual(irq.level[8], false);
    at(2_000_000);
    assert.strictEqual(irq.level[8], true);
    assert.strictEqual(irq.rising, 2);
    at(100_000_000);
    assert.strictEqual(irq.rising, 2, 'no new interrupt until C is read');
  });

  it('update-ended interrupt once per second', () => {
    const { rd, wr, at, irq } = setup();
    wr(0x0b, 0x12);
    at(999_999_999);
    assert.strictEqual(irq.level[8], false);
    at(1e9);
    assert.strictEqual(irq.level[8], true);
    assert.strictEqual(rd(0x0c) & 0xf0, 0xd0, 'IRQF, UF (and PF, which sets regardless of PIE)');
  });

  it('alarm interrupt, with and without "don\'t care" bytes', () => {
    const { rd, wr, at, irq } = setup();
    wr(0x01, 0x03);
    wr(0x03, 0x00);
    wr(0x05, 0x00); // 00:00:03, 5 seconds after 23:59:58
    wr(0x0b, 0x22);
    at(4e9);
    assert.strictEqual(irq.level[8], false);
    at(5e9);
    assert.strictEqual(irq.level[8], true);
    assert.strictEqual(rd(0x0c) & 0xb0, 0xb0);
    wr(0x01, 0x10);
    wr(0x03, 0xc0);
    wr(0x05, 0xff); // every minute at :10
    at(11e9);
    assert.strictEqual(irq.level[8], false);
    at(12e9 - 1);
    assert.strictEqual(irq.level[8], false);
    at(12e9); // 00:00:10
    assert.strictEqual(irq.level[8], true);
  });

  it('flags accumulate without interrupts enabled and read back without IRQF', () => {
    const { rd, at, irq } = setup();
    rd(0x0c);
    at(1.5e9);
    assert.strictEqual(rd(0x0c), 0x50);
    assert.strictEqual(rd(0x0c), 0x00);
    assert.strictEqual(irq.rising, 0);
  });

  it('a divider reset stops the clock; the first update comes 500 ms after it ends', () => {
    const { rd, wr, at } = setup();
    wr(0x0a, 0x76);
    at(3e9);
    assert.strictEqual(rd(0x00), 0x58);
    wr(0x0a, 0x26);
    at(3e9 + 499e6);
    assert.strictEqual(rd(0x00), 0x58);
    at(3e9 + 500e6);
    assert.strictEqual(rd(0x00), 0x59);
  });

  it('CMOS memory: sizes, equipment, CPUs, checksum, NMI mask bit', () => {
    const { rd, wr, bus, rtc } = setup();
    assert.strictEqual(rd(0x15) | (rd(0x16) << 8), 640);
    assert.strictEqual(rd(0x17) | (rd(0x18) << 8), 0xffff, '127 MiB above 1 MiB is capped');
    assert.strictEqual(rd(0x30) | (rd(0x31) << 8), 0xffff);
    assert.strictEqual(rd(0x34) | (rd(0x35) << 8), (112 << 20) / 65536);
    assert.strictEqual(rd(0x5f), 1);
    assert.strictEqual(rd(0x14) & 0x02, 0x02);
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += rd(i);
    assert.strictEqual((rd(0x2e) << 8) | rd(0x2f), sum);
    wr(0x0f, 0x0a); // shutdown status byte survives as plain CMOS
    assert.strictEqual(rd(0x0f), 0x0a);
    bus.write(0x70, 1, 0x8f);
    assert.strictEqual(rtc.nmiDisabled, true);
    assert.strictEqual(bus.read(0x71, 1), 0x0a, 'bit 7 of the index is the NMI mask, not part of the index');
    bus.write(0x70, 1, 0x0f);
    assert.strictEqual(rtc.nmiDisabled, false);
    const small = setup(8 << 20);
    assert.strictEqual(small.rd(0x17) | (small.rd(0x18) << 8), 7 * 1024);
    assert.strictEqual(small.rd(0x34) | (small.rd(0x35) << 8), 0);
  });
});
