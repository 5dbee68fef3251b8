import * as assert from 'node:assert';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { IrqLines } from '../../../src/vmm/devices/irq';
import { COM1, Uart16550 } from '../../../src/vmm/devices/uart';
import { VirtualClock } from '../../../src/vmm/monitor/virtual-clock';

class IrqRecorder implements IrqLines {
  level: boolean[] = new Array(16).fill(false);
  raise(line: number): void {
    this.level[line] = true;
  }
  lower(line: number): void {
    this.level[line] = false;
  }
}

const B = COM1.base;

function setup() {
  const bus = new IoBus();
  const clock = new VirtualClock();
  const irq = new IrqRecorder();
  const out: number[] = [];
  const uart = new Uart16550({ name: 'com1', clock, irq, line: COM1.line, onTransmit: (b) => out.push(b) });
  uart.attach(bus, B);
  // 115200 8N1, as Linux and most kernels program it.
  bus.write(B + 3, 1, 0x80);
  bus.write(B + 0, 1, 0x01);
  bus.write(B + 1, 1, 0x00);
  bus.write(B + 3, 1, 0x03);
  const step = (ns: number) => clock.advanceTo(clock.now() + ns);
  return { bus, clock, irq, out, uart, step };
}

describe('16550A UART', () => {
  it('transmits to the host, LSR always shows THRE and TEMT', () => {
    const { bus, out } = setup();
    for (const c of 'hi\n') bus.write(B, 1, c.charCodeAt(0));
    assert.strictEqual(String.fromCharCode(...out), 'hi\n');
    assert.strictEqual(bus.read(B + 5, 1), 0x60);
  });

  it('DLAB exposes the divisor latch and hides RBR/IER', () => {
    const { bus, uart } = setup();
    bus.write(B + 1, 1, 0x05);
    bus.write(B + 3, 1, 0x83);
    assert.strictEqual(bus.read(B + 0, 1), 0x01);
    assert.strictEqual(bus.read(B + 1, 1), 0x00);
    bus.write(B + 1, 1, 0x02);
    bus.write(B + 3, 1, 0x03);
    assert.strictEqual(bus.read(B + 1, 1), 0x05);
    assert.ok(Math.abs(uart.charTimeNs() - (10 * 1e9 * 513) / 115200) < 1e-6);
  });

  it('IER keeps only the low nibble; scratch register holds a byte', () => {
    const { bus } = setup();
    bus.write(B + 1, 1, 0xff);
    assert.strictEqual(bus.read(B + 1, 1), 0x0f);
    bus.write(B + 7, 1, 0xa5);
    assert.strictEqual(bus.read(B + 7, 1), 0xa5);
  });

  it('identifies as a 16550A: FCR enable sets IIR bits 7:6', () => {
    const { bus } = setup();
    assert.strictEqual(bus.read(B + 2, 1), 0x01);
    bus.write(B + 2, 1, 0xe7);
    assert.strictEqual(bus.read(B + 2, 1) & 0xc0, 0xc0);
    bus.write(B + 2, 1, 0x00);
    assert.strictEqual(bus.read(B + 2, 1), 0x01);
  });

  it('THRE interrupt: raised on enabling, cleared by IIR read, re-raised by re-enabling (Linux startup test)', () => {
    const { bus, irq } = setup();
    bus.write(B + 4, 1, 0x0b); // DTR RTS OUT2
    bus.write(B + 1, 1, 0x02);
    assert.strictEqual(irq.level[4], true);
    assert.strictEqual(bus.read(B + 2, 1), 0x02);
    assert.strictEqual(irq.level[4], false);
    assert.strictEqual(bus.read(B + 2, 1), 0x01, 'cleared by the read that reported it');
    bus.write(B + 1, 1, 0x00);
    bus.write(B + 1, 1, 0x02);
    assert.strictEqual(bus.read(B + 2, 1), 0x02);
  });

  it('THRE interrupt returns one character time after a THR write', () => {
    const { bus, irq, uart, step } = setup();
    bus.write(B + 4, 1, 0x08);
    bus.write(B + 1, 1, 0x02);
    bus.read(B + 2, 1);
    for (let i = 0; i < 16; i++) bus.write(B, 1, 0x41);
    assert.strictEqual(irq.level[4], false);
    step(uart.charTimeNs());
    assert.strictEqual(irq.level[4], true);
    assert.strictEqual(bus.read(B + 2, 1), 0x02);
  });

  it('OUT2 gates the IRQ line', () => {
    const { bus, irq } = setup();
    bus.write(B + 1, 1, 0x02);
    assert.strictEqual(irq.level[4], false);
    bus.write(B + 4, 1, 0x08);
    assert.strictEqual(irq.level[4], true);
    bus.write(B + 4, 1, 0x00);
    assert.strictEqual(irq.level[4], false);
  });

  it('loopback: TX goes to RX, MSR mirrors MCR, no IRQ leaves the chip, host sees nothing', () => {
    const { bus, irq, out } = setup();
    bus.write(B + 4, 1, 0x1f); // LOOP + all outputs
    assert.strictEqual(bus.read(B + 6, 1) & 0xf0, 0xf0);
    bus.write(B + 4, 1, 0x1a); // LOOP + OUT2 + RTS
    assert.strictEqual(bus.read(B + 6, 1), 0x90 | 0x04 | 0x02, 'CTS DCD, TERI (RI fell), DDSR (DTR dropped)');
    assert.strictEqual(bus.read(B + 6, 1), 0x90, 'deltas cleared by the read');
    bus.write(B + 1, 1, 0x01);
    bus.write(B, 1, 0x55);
    assert.strictEqual(bus.read(B + 5, 1) & 1, 1);
    assert.strictEqual(irq.level[4], false);
    assert.strictEqual(bus.read(B, 1), 0x55);
    assert.deepStrictEqual(out, []);
  });

  it('non-FIFO overrun replaces the holding register and sets OE (with RLS interrupt)', () => {
    const { bus } = setup();
    bus.write(B + 4, 1, 0x10);
    bus.write(B + 1, 1, 0x04);
    bus.write(B, 1, 1);
    bus.write(B, 1, 2);
    assert.strictEqual(bus.read(B + 2, 1), 0x06);
    assert.strictEqual(bus.read(B + 5, 1), 0x63);
    assert.strictEqual(bus.read(B + 5, 1), 0x61, 'OE cleared by reading LSR');
    assert.strictEqual(bus.read(B, 1), 2);
  });

  it('FIFO trigger levels 1/4/8/14 and FIFO reset', () => {
    for (const [fcr, level] of [
      [0x01, 1],
      [0x41, 4],
      [0x81, 8],
      [0xc1, 14],
    ]) {
      const { bus } = setup();
      bus.write(B + 2, 1, fcr);
      bus.write(B + 4, 1, 0x10);
      bus.write(B + 1, 1, 0x01);
      for (let i = 0; i < level - 1; i++) bus.write(B, 1, i);
      assert.strictEqual(bus.read(B + 2, 1), 0xc1, `below trigger ${level}`);
      bus.write(B, 1, 0x99);
      assert.strictEqual(bus.read(B + 2, 1), 0xc4, `at trigger ${level}`);
      bus.write(B + 2, 1, fcr | 0x02);
      assert.strictEqual(bus.read(B + 5, 1) & 1, 0, 'RX FIFO reset');
    }
  });

  it('FIFO holds 16 bytes, the 17th overruns and is dropped', () => {
    const { bus } = setup();
    bus.write(B + 2, 1, 0x07);
    bus.write(B + 4, 1, 0x10);
    for (let i = 0; i < 17; i++) bus.write(B, 1, i);
    assert.strictEqual(bus.read(B + 5, 1) & 0x03, 0x03);
    const got: number[] = [];
    while (bus.read(B + 5, 1) & 1) got.push(bus.read(B, 1));
    assert.deepStrictEqual(got, [...Array(16).keys()]);
  });

  it('character timeout interrupt after four character times below the trigger', () => {
    const { bus, irq, uart, step } = setup();
    bus.write(B + 2, 1, 0xc7); // trigger 14
    bus.write(B + 4, 1, 0x0b);
    bus.write(B + 1, 1, 0x01);
    uart.receive([0x61, 0x62]);
    step(2 * uart.charTimeNs() + 10);
    assert.strictEqual(bus.read(B + 5, 1) & 1, 1);
    assert.strictEqual(irq.level[4], false);
    step(3 * uart.charTimeNs());
    assert.strictEqual(irq.level[4], false);
    step(uart.charTimeNs());
    assert.strictEqual(irq.level[4], true);
    assert.strictEqual(bus.read(B + 2, 1), 0xcc);
    assert.strictEqual(bus.read(B, 1), 0x61);
    assert.strictEqual(irq.level[4], false, 'a read clears the timeout');
    assert.strictEqual(bus.read(B, 1), 0x62);
    step(10 * uart.charTimeNs());
    assert.strictEqual(irq.level[4], false, 'empty FIFO: no timeout');
  });

  it('host input is paced and never overruns a FIFO the guest drains', () => {
    const { bus, uart, step } = setup();
    bus.write(B + 2, 1, 0x07);
    const text = 'the quick brown fox jumps over the lazy dog';
    uart.receive(Buffer.from(text));
    let got = '';
    for (let i = 0; i < 200 && got.length < text.length; i++) {
      step(10 * uart.charTimeNs());
      while (bus.read(B + 5, 1) & 1) got += String.fromCharCode(bus.read(B, 1));
    }
    assert.strictEqual(got, text);
    assert.strictEqual(uart.overruns, 0);
  });

  it('modem status interrupt on a host CTS change', () => {
    const { bus, irq, uart } = setup();
    bus.write(B + 4, 1, 0x08);
    bus.write(B + 1, 1, 0x08);
    uart.setModemInputs(0xa0); // CTS dropped
    assert.strictEqual(irq.level[4], true);
    assert.strictEqual(bus.read(B + 2, 1), 0x00);
    assert.strictEqual(bus.read(B + 6, 1), 0xa1);
    assert.strictEqual(irq.level[4], false);
  });

  it('interrupt priority: line status over received data over THRE', () => {
    const { bus } = setup();
    bus.write(B + 4, 1, 0x10);
    bus.write(B, 1, 1);
    bus.write(B, 1, 2); // overrun
    bus.write(B + 1, 1, 0x07);
    assert.strictEqual(bus.read(B + 2, 1), 0x06);
    bus.read(B + 5, 1);
    assert.strictEqual(bus.read(B + 2, 1), 0x04);
    bus.read(B, 1);
    assert.strictEqual(bus.read(B + 2, 1), 0x02);
  });
});
