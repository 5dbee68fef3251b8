import * as assert from 'node:assert';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { IrqLines } from '../../../src/vmm/devices/irq';
import { Pit8254, PIT_HZ, pitNsOfTick, pitTickAt } from '../../../src/vmm/devices/pit';
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

function setup(): { bus: IoBus; clock: VirtualClock; irq: IrqRecorder; pit: Pit8254; toTick: (t: number) => void } {
  const bus = new IoBus();
  const clock = new VirtualClock();
  const irq = new IrqRecorder();
  const pit = new Pit8254({ clock, irq });
  pit.attach(bus);
  return { bus, clock, irq, pit, toTick: (t) => clock.advanceTo(pitNsOfTick(t)) };
}

function readCount16(bus: IoBus, port: number): number {
  const lo = bus.read(port, 1);
  return lo | (bus.read(port, 1) << 8);
}

describe('8254 PIT', () => {
  it('converts between ticks and ns exactly', () => {
    for (const t of [0, 1, 1193181, 1193182, 1193183, 123456789012]) {
      assert.strictEqual(pitTickAt(pitNsOfTick(t)), t);
      assert.strictEqual(pitTickAt(pitNsOfTick(t) - 1), t - 1 < 0 ? -1 : t - 1);
    }
    assert.strictEqual(pitTickAt(1e9), PIT_HZ);
  });

  it('mode 0: OUT low while counting, raises IRQ0 at terminal count, latched reads', () => {
    const { bus, irq, toTick } = setup();
    bus.write(0x43, 1, 0x30); // counter 0, lo/hi, mode 0
    bus.write(0x40, 1, 100);
    bus.write(0x40, 1, 0);
    assert.strictEqual(irq.level[0], false);
    toTick(50);
    bus.write(0x43, 1, 0x00); // latch counter 0
    toTick(60);
    assert.strictEqual(readCount16(bus, 0x40), 51, 'latched at tick 50, loaded at tick 1');
    assert.strictEqual(readCount16(bus, 0x40), 41, 'latch released after both bytes');
    toTick(100);
    assert.strictEqual(irq.level[0], false);
    toTick(101);
    assert.strictEqual(irq.level[0], true);
    assert.strictEqual(irq.rising, 1);
    toTick(5000);
    assert.strictEqual(irq.rising, 1, 'one-shot');
    bus.write(0x43, 1, 0x00);
    assert.strictEqual(readCount16(bus, 0x40), (100 - 4999 + 0x10000) & 0xffff, 'keeps counting and wraps');
  });

  it('mode 2: periodic rate generator at count 1193 gives ~1000 IRQs per second', () => {
    const { bus, clock, irq } = setup();
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 1193 & 0xff);
    bus.write(0x40, 1, 1193 >> 8);
    for (let ns = 0; ns <= 1e9; ns += 100_000) clock.advanceTo(ns);
    assert.strictEqual(irq.rising, 1 + Math.floor((PIT_HZ - 1) / 1193), "the control word raises OUT once, then one edge per period");
  });

  it('mode 2: counts N..1 and latch/read-back return it', () => {
    const { bus, toTick } = setup();
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 10);
    bus.write(0x40, 1, 0);
    toTick(1); // loaded
    bus.write(0x43, 1, 0x00);
    assert.strictEqual(readCount16(bus, 0x40), 10);
    toTick(10);
    bus.write(0x43, 1, 0x00);
    assert.strictEqual(readCount16(bus, 0x40), 1);
    toTick(11);
    bus.write(0x43, 1, 0xc2); // read-back count+status of counter 0
    assert.strictEqual(bus.read(0x40, 1), 0xb4, 'status: OUT high, count loaded, lo/hi, mode 2');
    assert.strictEqual(readCount16(bus, 0x40), 10, 'reloaded');
  });

  it('mode 2: a new count takes effect at the end of the current period', () => {
    const { bus, toTick } = setup();
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 100);
    bus.write(0x40, 1, 0);
    toTick(31); // count 70
    bus.write(0x40, 1, 20);
    bus.write(0x40, 1, 0);
    bus.write(0x43, 1, 0xe2); // read-back status only
    assert.strictEqual(bus.read(0x40, 1) & 0x40, 0x40, 'null count until the reload');
    bus.write(0x43, 1, 0x00);
    assert.strictEqual(readCount16(bus, 0x40), 70);
    toTick(101);
    bus.write(0x43, 1, 0x00);
    assert.strictEqual(readCount16(bus, 0x40), 20);
  });

  it('mode 3: square wave decrements by two, OUT high for the first half', () => {
    const { bus, irq, toTick } = setup();
    bus.write(0x43, 1, 0x36);
    bus.write(0x40, 1, 8);
    bus.write(0x40, 1, 0);
    const seen: number[] = [];
    const outs: boolean[] = [];
    for (let t = 1; t <= 9; t++) {
      toTick(t);
      bus.write(0x43, 1, 0x00);
      seen.push(readCount16(bus, 0x40));
      outs.push(irq.level[0]);
    }
    assert.deepStrictEqual(seen, [8, 6, 4, 2, 8, 6, 4, 2, 8]);
    assert.deepStrictEqual(outs, [true, true, true, true, false, false, false, false, true]);
    bus.write(0x43, 1, 0xe2);
    assert.strictEqual(bus.read(0x40, 1), 0xb6, 'status: OUT high, lo/hi, mode 3');
  });

  it('mode 4: one-clock strobe at terminal count', () => {
    const { bus, irq, toTick } = setup();
    bus.write(0x43, 1, 0x38);
    bus.write(0x40, 1, 5);
    bus.write(0x40, 1, 0);
    assert.strictEqual(irq.level[0], true);
    toTick(6);
    assert.strictEqual(irq.level[0], false);
    toTick(7);
    assert.strictEqual(irq.level[0], true);
  });

  it('BCD counting and lobyte-only access', () => {
    const { bus, toTick } = setup();
    bus.write(0x43, 1, 0x51); // counter 1, lobyte only, mode 0, BCD
    bus.write(0x41, 1, 0x25); // 25 decimal
    toTick(11); // 10 clocks counted
    assert.strictEqual(bus.read(0x41, 1), 0x15);
    bus.write(0x43, 1, 0x61); // counter 1, hibyte only, mode 0, BCD
    bus.write(0x41, 1, 0x12); // 1200 decimal
    toTick(12 + 1);
    assert.strictEqual(bus.read(0x41, 1), 0x11, '1199 -> hibyte 0x11');
  });

  it('read-back latches status before count and ignores a second latch', () => {
    const { bus, toTick } = setup();
    bus.write(0x43, 1, 0xb0); // counter 2, lo/hi, mode 0
    bus.write(0x43, 1, 0xe8); // status of counter 2 before any count
    assert.strictEqual(bus.read(0x42, 1), 0x70, 'OUT low, null count, lo/hi, mode 0');
    bus.write(0x61, 1, 0x01); // gate 2 on
    bus.write(0x42, 1, 0x00);
    bus.write(0x42, 1, 0x10); // 4096
    toTick(100);
    bus.write(0x43, 1, 0xc8); // count and status of counter 2
    bus.write(0x43, 1, 0x80); // second latch ignored
    assert.strictEqual(bus.read(0x42, 1), 0x30);
    assert.strictEqual(readCount16(bus, 0x42), 4096 - 99);
  });

  it('port 0x61: gate 2 stops counter 2 in mode 0 and OUT2 shows in bit 5', () => {
    const { bus, toTick } = setup();
    bus.write(0x61, 1, 0x00);
    bus.write(0x43, 1, 0xb0);
    bus.write(0x42, 1, 50);
    bus.write(0x42, 1, 0);
    toTick(200);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0, 'gate low: not counting');
    bus.write(0x61, 1, 0x01);
    toTick(240);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0);
    toTick(252);
    assert.strictEqual(bus.read(0x61, 1) & 0x21, 0x21);
  });

  it('port 0x61: refresh bit toggles with virtual time', () => {
    const { bus, clock } = setup();
    const a = bus.read(0x61, 1) & 0x10;
    clock.advanceTo(15085);
    const b = bus.read(0x61, 1) & 0x10;
    assert.notStrictEqual(a, b);
  });

  it('mode 3 on counter 2 reports a speaker frequency when enabled', () => {
    const { bus, pit } = setup();
    bus.write(0x43, 1, 0xb6);
    bus.write(0x42, 1, 1193 & 0xff);
    bus.write(0x42, 1, 1193 >> 8);
    assert.strictEqual(pit.speakerHz(), 0);
    bus.write(0x61, 1, 0x03);
    assert.ok(Math.abs(pit.speakerHz() - 1000.15) < 0.01);
  });

  it('survives a clock jump over several periods with one IRQ edge per wakeup', () => {
    const { bus, clock, irq } = setup();
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 100);
    bus.write(0x40, 1, 0);
    clock.advanceTo(pitNsOfTick(1000));
    assert.ok(irq.rising >= 1 && irq.rising <= 10);
    assert.ok(clock.nextDeadline() > clock.now());
  });

  it('mode 1 on counter 2: one-shot triggered by the gate, retriggerable', () => {
    const { bus, toTick } = setup();
    bus.write(0x43, 1, 0xb2); // counter 2, lo/hi, mode 1
    bus.write(0x42, 1, 20);
    bus.write(0x42, 1, 0);
    toTick(50);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0x20, 'OUT high until triggered');
    bus.write(0x61, 1, 0x01); // rising gate at tick 50: loads at 51
    toTick(60);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0, 'OUT low while counting');
    bus.write(0x61, 1, 0x00);
    bus.write(0x61, 1, 0x01); // retrigger at 60: ends at 61 + 20
    toTick(80);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0);
    toTick(81);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0x20);
  });

  it('mode 5 on counter 2: strobe one clock after the triggered count', () => {
    const { bus, toTick } = setup();
    bus.write(0x43, 1, 0xba); // counter 2, lo/hi, mode 5
    bus.write(0x42, 1, 10);
    bus.write(0x42, 1, 0);
    bus.write(0x61, 1, 0x01); // trigger at tick 0, loaded at 1
    toTick(10);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0x20);
    toTick(11);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0, 'strobe');
    toTick(12);
    assert.strictEqual(bus.read(0x61, 1) & 0x20, 0x20);
  });
});
