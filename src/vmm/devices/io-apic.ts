import type { MmioHandler } from '../memory/guest-physical';
import { type ApicBus, DeliveryMode } from './apic-bus';
import type { IrqLines } from './irq';

export const IOAPIC_BASE = 0xfec00000;
const PINS = 24;

const RTE_MASKED = 0x10000;
const RTE_LEVEL = 0x8000;
const RTE_REMOTE_IRR = 0x4000;
const RTE_DELIVERY_STATUS = 0x1000;
const RTE_LOGICAL = 0x800;
/** Writable bits of an entry's low dword: vector, mode, dest mode, polarity, trigger, mask. */
const RTE_LOW_WRITABLE = 0x1afff;

/**
 * An 82093AA-style I/O APIC: 24 pins, an index/window register pair at IOAPIC_BASE (+0x00 IOREGSEL, +0x10
 * IOWIN). Its pins are `IrqLines` lines numbered as GSIs; "raise" means asserted whatever the programmed
 * polarity (the platform's wiring, not the guest's polarity bit, decides what asserted means).
 */
export class IoApic implements IrqLines, MmioHandler {
  readonly name = 'ioapic';
  id = 0;
  private select = 0;
  readonly low = new Uint32Array(PINS).fill(RTE_MASKED);
  readonly high = new Uint32Array(PINS);
  /** Pin input levels. */
  private levels = 0;
  /** Messages sent, per pin, for statistics. */
  readonly delivered = new Uint32Array(PINS);

  constructor(
    private readonly bus: ApicBus,
    readonly base = IOAPIC_BASE,
  ) {}

  raise(line: number): void {
    if (line >= PINS) return;
    const bit = 1 << line;
    const wasHigh = (this.levels & bit) !== 0;
    this.levels |= bit;
    const rte = this.low[line];
    if (rte & RTE_LEVEL) this.service(line);
    else if (!wasHigh) this.send(line); // edge: only the rising edge counts
  }

  lower(line: number): void {
    if (line >= PINS) return;
    this.levels &= ~(1 << line);
  }

  /** A level-triggered interrupt asks again after EOI while the pin is still asserted. */
  private service(pin: number): void {
    const rte = this.low[pin];
    if (!(this.levels & (1 << pin)) || rte & RTE_REMOTE_IRR || rte & RTE_MASKED) return;
    this.low[pin] |= RTE_REMOTE_IRR;
    this.send(pin);
  }

  private send(pin: number): void {
    const rte = this.low[pin];
    if (rte & RTE_MASKED) return;
    this.delivered[pin]++;
    this.bus.deliver({
      vector: rte & 0xff,
      mode: ((rte >> 8) & 7) as DeliveryMode,
      logical: (rte & RTE_LOGICAL) !== 0,
      dest: this.high[pin] >>> 24,
      level: (rte & RTE_LEVEL) !== 0,
      assert: true,
    });
  }

  /** Broadcast EOI from a local APIC for a level-triggered `vector`. */
  eoi(vector: number): void {
    for (let pin = 0; pin < PINS; pin++) {
      if ((this.low[pin] & 0xff) !== vector || !(this.low[pin] & RTE_REMOTE_IRR)) continue;
      this.low[pin] &= ~RTE_REMOTE_IRR;
      this.service(pin);
    }
  }

  private readRegister(index: number): number {
    if (index === 0x00) return this.id << 24;
    if (index === 0x01) return ((PINS - 1) << 16) | 0x11;
    if (index === 0x02) return this.id << 24; // arbitration ID
    if (index >= 0x10 && index < 0x10 + 2 * PINS) {
      const pin = (index - 0x10) >> 1;
      return (index & 1 ? this.high[pin] : this.low[pin] & ~RTE_DELIVERY_STATUS) | 0;
    }
    return 0;
  }

  private writeRegister(index: number, value: number): void {
    if (index === 0x00) {
      this.id = (value >>> 24) & 0x0f;
      return;
    }
    if (index < 0x10 || index >= 0x10 + 2 * PINS) return;
    const pin = (index - 0x10) >> 1;
    if (index & 1) {
      this.high[pin] = value & 0xff000000;
      return;
    }
    const old = this.low[pin];
    this.low[pin] = (old & ~RTE_LOW_WRITABLE) | (value & RTE_LOW_WRITABLE);
    // Remote IRR only means something for level entries.
    if (!(this.low[pin] & RTE_LEVEL)) this.low[pin] &= ~RTE_REMOTE_IRR;
    // Unmasking a level entry whose pin is asserted delivers it now.
    if (old & RTE_MASKED && !(this.low[pin] & RTE_MASKED) && this.low[pin] & RTE_LEVEL) this.service(pin);
  }

  read(addr: number, size: 1 | 2 | 4): number {
    const off = (addr - this.base) & 0xff;
    let v = 0;
    if (off >= 0x00 && off < 0x04) v = this.select >>> (8 * off);
    else if (off >= 0x10 && off < 0x14) v = this.readRegister(this.select) >>> (8 * (off - 0x10));
    return size === 4 ? v | 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(addr: number, size: 1 | 2 | 4, value: number): void {
    const off = (addr - this.base) & 0xff;
    if (off === 0x00) this.select = value & 0xff;
    else if (off === 0x10 && size === 4) this.writeRegister(this.select, value >>> 0);
    else if (off === 0x40) this.eoi(value & 0xff); // version 0x20 EOI register; harmless to accept
  }
}
