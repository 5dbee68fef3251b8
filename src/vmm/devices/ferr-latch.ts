import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';

/**
 * The PC's FERR# latch (MS-DOS compatible x87 error reporting). With CR0.NE=0 an unmasked x87 exception is not
 * a #MF: the FPU's FERR# output drives IRQ 13 through the chipset, and the IRQ 13 handler acknowledges it by
 * writing any value to port 0xF0 (which clears the latch). The line stays asserted until then, as the
 * chipset's latch holds it.
 */
export class FerrLatch implements IoDevice {
  readonly name = 'ferr';
  asserted = false;
  signals = 0;

  constructor(private readonly irq: IrqLines, private readonly line = 13) {}

  attach(bus: IoBus, port = 0xf0): void {
    bus.register(this, port, 1);
  }

  /** FERR# from a vCPU's FPU. */
  signal(): void {
    this.signals++;
    if (this.asserted) return;
    this.asserted = true;
    this.irq.raise(this.line);
  }

  portRead(_port: number, _size: 1 | 2 | 4): number {
    return 0xff;
  }

  portWrite(_port: number, _size: 1 | 2 | 4, _value: number): void {
    if (!this.asserted) return;
    this.asserted = false;
    this.irq.lower(this.line);
  }
}
