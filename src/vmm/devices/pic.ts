import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';

/**
 * One 8259A programmable interrupt controller (Intel datasheet 231468). `PicPair` below wires two of them the
 * PC way; this class only knows its own eight request lines and its INT output.
 */
export class Pic8259 {
  irr = 0;
  isr = 0;
  imr = 0;
  /** Current level of each IR input, so edge mode can see rising edges. */
  lines = 0;
  /** Lines programmed level-sensitive through the ELCR (PIIX extension; a plain 8259A has only ICW1.LTIM). */
  elcr = 0;
  levelAll = false;
  vectorBase = 0;
  /** Priority rotation: IR `lowestPriority+1 & 7` has the highest priority. Stored as the offset to add. */
  priorityAdd = 0;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialMask = false;
  specialFullyNested = false;
  readIsr = false;
  poll = false;
  singleMode = false;
  needIcw4 = false;
  /** ICW3: slave bitmap on the master, cascade identity on the slave. */
  icw3 = 0;
  /** 0 = operational; 2, 3, 4 = expecting that ICW on the odd port. */
  initStep = 0;

  constructor(readonly isMaster: boolean) {}

  private isLevel(mask: number): boolean {
    return this.levelAll || (this.elcr & mask) !== 0;
  }

  setLine(irq: number, high: boolean): void {
    const mask = 1 << irq;
    if (this.isLevel(mask)) {
      if (high) {
        this.irr |= mask;
        this.lines |= mask;
      } else {
        // A level request withdrawn before INTA vanishes from the IRR.
        this.irr &= ~mask;
        this.lines &= ~mask;
      }
    } else if (high) {
      if ((this.lines & mask) === 0) this.irr |= mask;
      this.lines |= mask;
    } else {
      // The datasheet wants IR held high until INTA; QEMU, Bochs and Linux all treat a released edge request as
      // still latched, so the IRR bit stays.
      this.lines &= ~mask;
    }
  }

  /** Priority index (0 = highest) of the best bit in `mask` under the current rotation; 8 if none. */
  private priorityOf(mask: number): number {
    if ((mask & 0xff) === 0) return 8;
    let p = 0;
    while ((mask & (1 << ((p + this.priorityAdd) & 7))) === 0) p++;
    return p;
  }

  /** The IR line this chip would present to the CPU now, or -1. */
  pendingIrq(): number {
    const req = this.irr & ~this.imr;
    const p = this.priorityOf(req);
    if (p === 8) return -1;
    let inService = this.isr;
    // Special mask mode: a level masked in the IMR no longer blocks lower levels, which is the whole point.
    if (this.specialMask) inService &= ~this.imr;
    // Special fully nested: a slave's further requests must get through while its first one is in service.
    if (this.specialFullyNested && this.isMaster) inService &= ~this.icw3;
    const cur = this.priorityOf(inService);
    return p < cur ? (p + this.priorityAdd) & 7 : -1;
  }

  /** The INTA cycle for `irq`: ISR set (unless auto-EOI), an edge request consumed. */
  intack(irq: number): void {
    const mask = 1 << irq;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityAdd = (irq + 1) & 7;
    } else {
      this.isr |= mask;
    }
    if (!this.isLevel(mask)) this.irr &= ~mask;
  }

  writeCommand(value: number): void {
    if (value & 0x10) {
      this.icw1(value);
    } else if (value & 0x08) {
      this.ocw3(value);
    } else {
      this.ocw2(value);
    }
  }

  private icw1(value: number): void {
    this.needIcw4 = (value & 0x01) !== 0;
    this.singleMode = (value & 0x02) !== 0;
    this.levelAll = (value & 0x08) !== 0;
    this.imr = 0;
    this.isr = 0;
    // The edge-sense latch is cleared: only level requests still asserted survive.
    this.irr = this.lines & (this.levelAll ? 0xff : this.elcr);
    this.priorityAdd = 0;
    this.specialMask = false;
    this.readIsr = false;
    this.poll = false;
    if (!this.needIcw4) {
      this.autoEoi = false;
      this.specialFullyNested = false;
    }
    this.rotateOnAutoEoi = false;
    this.initStep = 2;
  }

  private ocw2(value: number): void {
    const cmd = value >> 5;
    const level = value & 7;
    switch (cmd) {
      case 0: // clear rotate in auto-EOI mode
        this.rotateOnAutoEoi = false;
        break;
      case 4: // set rotate in auto-EOI mode
        this.rotateOnAutoEoi = true;
        break;
      case 1: // non-specific EOI
      case 5: {
        // rotate on non-specific EOI
        const p = this.priorityOf(this.isr);
        if (p === 8) break;
        const irq = (p + this.priorityAdd) & 7;
        this.isr &= ~(1 << irq);
        if (cmd === 5) this.priorityAdd = (irq + 1) & 7;
        break;
      }
      case 3: // specific EOI
        this.isr &= ~(1 << level);
        break;
      case 7: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.priorityAdd = (level + 1) & 7;
        break;
      case 6: // set priority: `level` becomes the lowest
        this.priorityAdd = (level + 1) & 7;
        break;
      default: // 2: no operation
        break;
    }
  }

  private ocw3(value: number): void {
    if (value & 0x04) this.poll = true;
    if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
    if (value & 0x40) this.specialMask = (value & 0x20) !== 0;
  }

  /** Odd-port write: an ICW while initialising, otherwise OCW1 (the mask). */
  writeData(value: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = this.singleMode ? (this.needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.icw3 = value & 0xff;
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (value & 0x02) !== 0;
        this.specialFullyNested = (value & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value & 0xff;
    }
  }

  /** Even-port read outside poll mode. */
  readStatus(): number {
    return this.readIsr ? this.isr : this.irr;
  }
}

const MASTER_CMD = 0x20;
const MASTER_DATA = 0x21;
const SLAVE_CMD = 0xa0;
const SLAVE_DATA = 0xa1;
const ELCR_MASTER = 0x4d0;
const ELCR_SLAVE = 0x4d1;
/** PIIX: IRQ0-2, IRQ8 and IRQ13 are always edge. */
const ELCR_MASTER_WRITABLE = 0xf8;
const ELCR_SLAVE_WRITABLE = 0xde;

/**
 * The PC's two cascaded 8259As plus the ELCR. Ports 0x20/0x21, 0xA0/0xA1, 0x4D0/0x4D1. ISA IRQ n is line n of
 * `IrqLines`; the slave's INT drives the master's IR2.
 */
export class PicPair implements IoDevice, IrqLines {
  readonly name = 'pic';
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  /** Called when the INT output to the CPU changes, so a halted vCPU can be woken. */
  onOutputChange?: (asserted: boolean) => void;
  private output = false;
  /** INTA cycles that found nothing and returned the spurious vector (IRQ7 or IRQ15). */
  spuriousCount = 0;

  attach(bus: IoBus): void {
    bus.register(this, MASTER_CMD, 2);
    bus.register(this, SLAVE_CMD, 2);
    bus.register(this, ELCR_MASTER, 2);
  }

  raise(line: number): void {
    this.setIrq(line, true);
  }

  lower(line: number): void {
    this.setIrq(line, false);
  }

  setIrq(line: number, high: boolean): void {
    if (line < 8) this.master.setLine(line, high);
    else if (line < 16) this.slave.setLine(line - 8, high);
    else return;
    this.update();
  }

  /** True if the master's INT output is asserted (what the CPU samples when IF=1). */
  hasInterrupt(): boolean {
    return this.master.pendingIrq() >= 0;
  }

  /**
   * The two INTA pulses: returns the vector and moves the request into service. With nothing pending (the
   * request went away between INT and INTA) the 8259A answers IR7 of the chip asked, without setting the ISR:
   * the spurious interrupt kernels learn to ignore.
   */
  acknowledge(): number {
    let vector: number;
    const irq = this.master.pendingIrq();
    if (irq < 0) {
      this.spuriousCount++;
      vector = this.master.vectorBase + 7;
    } else {
      this.master.intack(irq);
      if (irq === 2 && !this.master.singleMode) {
        const irq2 = this.slave.pendingIrq();
        if (irq2 < 0) {
          this.spuriousCount++;
          vector = this.slave.vectorBase + 7;
        } else {
          this.slave.intack(irq2);
          vector = this.slave.vectorBase + irq2;
        }
      } else {
        vector = this.master.vectorBase + irq;
      }
    }
    this.update();
    return vector;
  }

  /** Propagates the slave's INT to master IR2, then the master's INT to the CPU. */
  private update(): void {
    const slaveInt = this.slave.pendingIrq() >= 0;
    this.master.setLine(2, slaveInt);
    // The slave's INT is a level into an edge-mode input: when it drops before INTA the real master forgets
    // the request too. Keeping it latched would turn every serviced slave IRQ into a spurious IRQ15.
    if (!slaveInt) this.master.irr &= ~0x04;
    const out = this.master.pendingIrq() >= 0;
    if (out !== this.output) {
      this.output = out;
      this.onOutputChange?.(out);
    }
  }

  /** Poll command read: acts as INTA on that chip; 0x80 | level if something was pending. */
  private pollRead(pic: Pic8259): number {
    pic.poll = false;
    const irq = pic.pendingIrq();
    if (irq < 0) return 0;
    // A master poll answering 2 leaves the slave's level unread; the kernel polls the slave next.
    pic.intack(irq);
    this.update();
    return 0x80 | irq;
  }

  portRead(port: number, _size: 1 | 2 | 4): number {
    switch (port) {
      case MASTER_CMD:
        return this.master.poll ? this.pollRead(this.master) : this.master.readStatus();
      case SLAVE_CMD:
        return this.slave.poll ? this.pollRead(this.slave) : this.slave.readStatus();
      case MASTER_DATA:
        return this.master.poll ? this.pollRead(this.master) : this.master.imr;
      case SLAVE_DATA:
        return this.slave.poll ? this.pollRead(this.slave) : this.slave.imr;
      case ELCR_MASTER:
        return this.master.elcr;
      case ELCR_SLAVE:
        return this.slave.elcr;
      default:
        return 0xff;
    }
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 1 && port === ELCR_MASTER) {
      // A word write covers both ELCR bytes.
      this.portWrite(ELCR_MASTER, 1, value & 0xff);
      this.portWrite(ELCR_SLAVE, 1, (value >> 8) & 0xff);
      return;
    }
    value &= 0xff;
    switch (port) {
      case MASTER_CMD:
        this.master.writeCommand(value);
        break;
      case MASTER_DATA:
        this.master.writeData(value);
        break;
      case SLAVE_CMD:
        this.slave.writeCommand(value);
        break;
      case SLAVE_DATA:
        this.slave.writeData(value);
        break;
      case ELCR_MASTER:
        this.master.elcr = value & ELCR_MASTER_WRITABLE;
        break;
      case ELCR_SLAVE:
        this.slave.elcr = value & ELCR_SLAVE_WRITABLE;
        break;
      default:
        return;
    }
    this.update();
  }
}
