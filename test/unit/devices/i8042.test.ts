import * as assert from 'node:assert';
import { I8042 } from '../../../src/vmm/devices/i8042';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { IrqLines } from '../../../src/vmm/devices/irq';

class IrqRecorder implements IrqLines {
  level: boolean[] = new Array(16).fill(false);
  rising: number[] = new Array(16).fill(0);
  raise(line: number): void {
    if (!this.level[line]) this.rising[line]++;
    this.level[line] = true;
  }
  lower(line: number): void {
    this.level[line] = false;
  }
}

function setup(mouse = true) {
  const bus = new IoBus();
  const irq = new IrqRecorder();
  const a20: boolean[] = [];
  let resets = 0;
  const kbc = new I8042({ irq, mouse, onA20: (e) => a20.push(e), onReset: () => resets++ });
  kbc.attach(bus);
  const drain = () => {
    const got: number[] = [];
    while (bus.read(0x64, 1) & 1) got.push(bus.read(0x60, 1));
    return got;
  };
  return { bus, irq, kbc, a20, resets: () => resets, drain };
}

describe('i8042 keyboard controller', () => {
  it('self test answers 0x55 and sets the system flag', () => {
    const { bus, drain } = setup();
    bus.write(0x64, 1, 0xaa);
    assert.strictEqual(bus.read(0x64, 1) & 0x0d, 0x0d, 'OBF, SYS, last write was a command');
    assert.deepStrictEqual(drain(), [0x55]);
    bus.write(0x64, 1, 0xab);
    assert.deepStrictEqual(drain(), [0x00]);
  });

  it('reads and writes the command byte', () => {
    const { bus, drain } = setup();
    bus.write(0x64, 1, 0x20);
    assert.deepStrictEqual(drain(), [0x45]);
    bus.write(0x64, 1, 0x60);
    bus.write(0x60, 1, 0x47);
    bus.write(0x64, 1, 0x20);
    assert.deepStrictEqual(drain(), [0x47]);
  });

  it('keyboard scancodes raise IRQ1 one byte at a time with fresh edges', () => {
    const { bus, irq, kbc } = setup();
    kbc.keyboardInput([0x1e, 0x9e]);
    assert.strictEqual(irq.level[1], true);
    assert.strictEqual(bus.read(0x64, 1) & 0x21, 0x01);
    assert.strictEqual(bus.read(0x60, 1), 0x1e);
    assert.strictEqual(irq.level[1], true);
    assert.strictEqual(irq.rising[1], 2, 'a new edge for the second byte');
    assert.strictEqual(bus.read(0x60, 1), 0x9e);
    assert.strictEqual(irq.level[1], false);
    assert.strictEqual(bus.read(0x64, 1) & 1, 0);
  });

  it('no IRQ1 when the command byte disables it; 0xAD holds keyboard data back', () => {
    const { bus, irq, kbc, drain } = setup();
    bus.write(0x64, 1, 0x60);
    bus.write(0x60, 1, 0x44);
    kbc.keyboardInput([0x10]);
    assert.strictEqual(irq.level[1], false);
    assert.deepStrictEqual(drain(), [0x10]);
    bus.write(0x64, 1, 0xad);
    kbc.keyboardInput([0x11]);
    assert.deepStrictEqual(drain(), []);
    bus.write(0x64, 1, 0xae);
    assert.deepStrictEqual(drain(), [0x11]);
  });

  it('keyboard device commands: reset, identify, LEDs, echo, scancode set', () => {
    const { bus, drain, kbc } = setup();
    bus.write(0x60, 1, 0xff);
    assert.deepStrictEqual(drain(), [0xfa, 0xaa]);
    bus.write(0x60, 1, 0xf2);
    assert.deepStrictEqual(drain(), [0xfa, 0xab, 0x41], 'translated identify');
    bus.write(0x60, 1, 0xed);
    bus.write(0x60, 1, 0x07);
    assert.deepStrictEqual(drain(), [0xfa, 0xfa]);
    assert.strictEqual(kbc.keyboard.leds, 7);
    bus.write(0x60, 1, 0xee);
    assert.deepStrictEqual(drain(), [0xee]);
    bus.write(0x60, 1, 0xf0);
    bus.write(0x60, 1, 0x00);
    assert.deepStrictEqual(drain(), [0xfa, 0xfa, 0x02]);
    bus.write(0x60, 1, 0xf5);
    kbc.keyboardInput([0x1e]);
    assert.deepStrictEqual(drain(), [0xfa], 'scanning disabled drops keys');
  });

  it('A20 through the output port (0xD1), 0xDD/0xDF and port 0x92', () => {
    const { bus, kbc, a20, drain } = setup();
    assert.strictEqual(kbc.a20Enabled, true);
    bus.write(0x64, 1, 0xd1);
    bus.write(0x60, 1, 0xdd);
    assert.strictEqual(kbc.a20Enabled, false);
    bus.write(0x64, 1, 0xd0);
    assert.strictEqual(drain()[0] & 0x03, 0x01);
    bus.write(0x64, 1, 0xdf);
    assert.strictEqual(kbc.a20Enabled, true);
    bus.write(0x64, 1, 0xdd);
    bus.write(0x92, 1, 0x02);
    assert.strictEqual(kbc.a20Enabled, true, 'fast A20 ORs with the KBC gate');
    assert.strictEqual(bus.read(0x92, 1), 0x02);
    bus.write(0x92, 1, 0x00);
    assert.deepStrictEqual(a20, [false, true, false, true, false]);
  });

  it('reset: command 0xFE, output port bit 0, port 0x92 bit 0', () => {
    const { bus, resets } = setup();
    bus.write(0x64, 1, 0xfe);
    assert.strictEqual(resets(), 1);
    bus.write(0x64, 1, 0xff);
    assert.strictEqual(resets(), 1, '0xFF pulses nothing');
    bus.write(0x64, 1, 0xd1);
    bus.write(0x60, 1, 0x02);
    assert.strictEqual(resets(), 2);
    bus.write(0x92, 1, 0x01);
    assert.strictEqual(resets(), 3);
    bus.write(0x92, 1, 0x01);
    assert.strictEqual(resets(), 3, 'only a 0->1 transition resets');
  });

  it('mouse: commands through 0xD4, AUX status bit and IRQ12 when enabled', () => {
    const { bus, irq, kbc, drain } = setup();
    bus.write(0x64, 1, 0xa8);
    bus.write(0x64, 1, 0x60);
    bus.write(0x60, 1, 0x47);
    bus.write(0x64, 1, 0xd4);
    bus.write(0x60, 1, 0xff);
    assert.strictEqual(bus.read(0x64, 1) & 0x21, 0x21);
    assert.strictEqual(irq.level[12], true);
    assert.deepStrictEqual(drain(), [0xfa, 0xaa, 0x00]);
    bus.write(0x64, 1, 0xd4);
    bus.write(0x60, 1, 0xf4);
    drain();
    kbc.mouseInput(5, -3, 1);
    assert.deepStrictEqual(drain(), [0x29, 5, 0xfd]);
    bus.write(0x64, 1, 0xd3);
    bus.write(0x60, 1, 0x5a);
    assert.strictEqual(bus.read(0x64, 1) & 0x20, 0x20, 'AUX loopback');
    assert.deepStrictEqual(drain(), [0x5a]);
  });

  it('without a mouse, AUX writes time out and the port test fails', () => {
    const { bus, drain } = setup(false);
    bus.write(0x64, 1, 0xa9);
    assert.deepStrictEqual(drain(), [0x02]);
    bus.write(0x64, 1, 0xd4);
    bus.write(0x60, 1, 0xf2);
    assert.strictEqual(bus.read(0x64, 1) & 0x61, 0x61);
    assert.deepStrictEqual(drain(), [0xfe]);
  });
});
