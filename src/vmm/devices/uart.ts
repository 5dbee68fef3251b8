import type { TimerHandle, TimerService } from '../monitor/virtual-clock';
import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';

// Register offsets (TI/National PC16550D datasheet).
const RBR_THR_DLL = 0;
const IER_DLM = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;

const IER_RDA = 0x01;
const IER_THRE = 0x02;
/** Upper bound on the THRE interrupt's return after a THR write (see writeThr). */
const THRE_MAX_NS = 10_000;
const IER_RLS = 0x04;
const IER_MS = 0x08;

const IIR_NONE = 0x01;
const IIR_MS = 0x00;
const IIR_THRE = 0x02;
const IIR_RDA = 0x04;
const IIR_RLS = 0x06;
const IIR_TIMEOUT = 0x0c;
const IIR_FIFO = 0xc0;

const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;

const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;

const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];
/** 1.8432 MHz / 16. */
const BASE_BAUD = 115200;

export interface UartOptions {
  name?: string;
  clock: TimerService;
  irq: IrqLines;
  /** 4 for COM1, 3 for COM2. */
  line: number;
  /** A byte leaving the transmitter for the host terminal (not called in loopback mode). */
  onTransmit?: (byte: number) => void;
}

/**
 * A 16550A UART. Transmission is instantaneous in virtual time: THR writes reach `onTransmit` at once and LSR
 * always shows the transmitter empty, so polled console output costs the guest nothing. Only the THRE
 * *interrupt* is re-armed one character time after a write, so an interrupt-driven driver (Linux's 8250)
 * sends its 16-byte bursts at line rate instead of looping in its handler. Host input enters the receive FIFO
 * at line rate too, never faster than the guest drains it, so pasted text is not lost to overruns.
 */
export class Uart16550 implements IoDevice {
  readonly name: string;
  private readonly clock: TimerService;
  private readonly irq: IrqLines;
  private readonly line: number;
  onTransmit?: (byte: number) => void;

  private rx: number[] = [];
  private hostQueue: number[] = [];
  private lastRead = 0;
  ier = 0;
  lcr = 0;
  mcr = 0;
  scr = 0;
  dll = 0x0c; // 9600 baud, what a BIOS leaves
  dlm = 0;
  private lineErrors = 0;
  private fifoEnabled = false;
  private fcrBits = 0;
  private trigger = 1;
  private threPending = false;
  private timeoutPending = false;
  /** Modem inputs from the host side (CTS, DSR, DCD asserted: a terminal is attached). */
  private hostModem = MSR_CTS | MSR_DSR | MSR_DCD;
  private msrStatus = 0;
  private msrDelta = 0;
  private irqHigh = false;
  private feedTimer: TimerHandle | undefined;
  private timeoutTimer: TimerHandle | undefined;
  private threTimer: TimerHandle | undefined;
  /** Bytes sent to the host and bytes accepted from it, for statistics. */
  txCount = 0;
  rxCount = 0;
  overruns = 0;

  constructor(opts: UartOptions) {
    this.name = opts.name ?? 'uart';
    this.clock = opts.clock;
    this.irq = opts.irq;
    this.line = opts.line;
    this.onTransmit = opts.onTransmit;
    this.msrStatus = this.modemInputs();
  }

  attach(bus: IoBus, base: number): void {
    bus.register(this, base, 8);
  }

  /** Host input: queued, then fed into the receive FIFO one character time apart. */
  receive(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.hostQueue.push(bytes[i] & 0xff);
    this.startFeed();
  }

  /** Host-side modem inputs (MSR bits 4-7) for tests or a real serial bridge. */
  setModemInputs(msrBits: number): void {
    this.hostModem = msrBits & 0xf0;
    this.updateModemStatus();
    this.updateIrq();
  }

  /** Virtual ns one character takes on the wire with the current divisor and frame format. */
  charTimeNs(): number {
    const divisor = this.dll | (this.dlm << 8) || 0x10000;
    const dataBits = 5 + (this.lcr & 3);
    const stopBits = this.lcr & 4 ? (dataBits === 5 ? 1.5 : 2) : 1;
    const parity = this.lcr & 8 ? 1 : 0;
    return ((1 + dataBits + parity + stopBits) * 1e9 * divisor) / BASE_BAUD;
  }

  private get capacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private get loopback(): boolean {
    return (this.mcr & MCR_LOOP) !== 0;
  }

  /**
   * Timer callbacks run with the clock already at the end of the step that reached them, so chained events
   * are timed from their own deadline (`from`), not from `now()`, or they would drift with the step size.
   */
  private startFeed(from = this.clock.now()): void {
    if (this.feedTimer || this.hostQueue.length === 0) return;
    const at = from + this.charTimeNs();
    this.feedTimer = this.clock.schedule(at, () => {
      this.feedTimer = undefined;
      this.feedOne(at);
    });
  }

  private feedOne(at: number): void {
    // In loopback the receiver is cut off from the line; the host's bytes wait. A full FIFO waits too (flow
    // control on the host side); a guest read restarts the feed.
    if (this.loopback || this.rx.length >= this.capacity || this.hostQueue.length === 0) return;
    this.rxCount++;
    this.pushRx(this.hostQueue.shift()!, at);
    this.updateIrq();
    this.startFeed(at);
  }

  private pushRx(byte: number, at = this.clock.now()): void {
    if (this.rx.length >= this.capacity) {
      this.lineErrors |= LSR_OE;
      this.overruns++;
      // The 16450 holding register is overwritten; a full 16550 FIFO drops the new character instead.
      if (!this.fifoEnabled) this.rx[0] = byte;
    } else {
      this.rx.push(byte);
    }
    this.restartTimeout(at);
  }

  /** The character timeout: four character times with data in the FIFO and no read or arrival. */
  private restartTimeout(from = this.clock.now()): void {
    this.clock.cancel(this.timeoutTimer);
    this.timeoutTimer = undefined;
    if (!this.fifoEnabled || this.rx.length === 0) return;
    this.timeoutTimer = this.clock.schedule(from + 4 * this.charTimeNs(), () => {
      this.timeoutTimer = undefined;
      if (this.rx.length > 0) {
        this.timeoutPending = true;
        this.updateIrq();
      }
    });
  }

  private modemInputs(): number {
    if (!this.loopback) return this.hostModem;
    const m = this.mcr;
    return (
      (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) | (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0)
    );
  }

  private updateModemStatus(): void {
    const now = this.modemInputs();
    const changed = now ^ this.msrStatus;
    if (changed & MSR_CTS) this.msrDelta |= 0x01;
    if (changed & MSR_DSR) this.msrDelta |= 0x02;
    if (changed & MSR_RI && !(now & MSR_RI)) this.msrDelta |= 0x04; // trailing edge of RI only
    if (changed & MSR_DCD) this.msrDelta |= 0x08;
    this.msrStatus = now;
  }

  private rdaReady(): boolean {
    return this.fifoEnabled ? this.rx.length >= this.trigger : this.rx.length > 0;
  }

  /** The highest-priority pending interrupt as IIR bits 0-3. */
  private interruptId(): number {
    const ier = this.ier;
    if (ier & IER_RLS && this.lineErrors) return IIR_RLS;
    if (ier & IER_RDA && this.rdaReady()) return IIR_RDA;
    if (ier & IER_RDA && this.timeoutPending) return IIR_TIMEOUT;
    if (ier & IER_THRE && this.threPending) return IIR_THRE;
    if (ier & IER_MS && this.msrDelta) return IIR_MS;
    return IIR_NONE;
  }

  /**
   * The INTRQ pin reaches the ISA bus through a driver enabled by OUT2 on PC boards; in loopback the part
   * forces OUT2 inactive, so no interrupt leaves the chip then.
   */
  private updateIrq(): void {
    const high = this.interruptId() !== IIR_NONE && (this.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2;
    if (high === this.irqHigh) return;
    this.irqHigh = high;
    if (high) this.irq.raise(this.line);
    else this.irq.lower(this.line);
  }

  private lsr(): number {
    return (this.rx.length ? LSR_DR : 0) | this.lineErrors | LSR_THRE | LSR_TEMT;
  }

  portRead(port: number, _size: 1 | 2 | 4): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (port & 7) {
      case RBR_THR_DLL:
        return dlab ? this.dll : this.readRbr();
      case IER_DLM:
        return dlab ? this.dlm : this.ier;
      case IIR_FCR: {
        const id = this.interruptId();
        // Reading IIR is how the THRE interrupt is acknowledged, but only when it is the one reported.
        if (id === IIR_THRE) {
          this.threPending = false;
          this.updateIrq();
        }
        return id | (this.fifoEnabled ? IIR_FIFO : 0);
      }
      case LCR:
        return this.lcr;
      case MCR:
        return this.mcr;
      case LSR: {
        const v = this.lsr();
        this.lineErrors = 0;
        this.updateIrq();
        return v;
      }
      case MSR: {
        const v = this.msrStatus | this.msrDelta;
        this.msrDelta = 0;
        this.updateIrq();
        return v;
      }
      default:
        return this.scr;
    }
  }

  private readRbr(): number {
    if (this.rx.length) this.lastRead = this.rx.shift()!;
    this.timeoutPending = false;
    this.restartTimeout();
    this.updateIrq();
    this.startFeed();
    return this.lastRead;
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    const dlab = (this.lcr & 0x80) !== 0;
    switch (port & 7) {
      case RBR_THR_DLL:
        if (dlab) this.dll = value;
        else this.writeThr(value);
        break;
      case IER_DLM:
        if (dlab) {
          this.dlm = value;
        } else {
          const old = this.ier;
          this.ier = value & 0x0f;
          // Enabling THRE while the transmitter is empty raises it at once (Linux's startup test checks this).
          if (this.ier & IER_THRE && !(old & IER_THRE)) this.threPending = true;
        }
        break;
      case IIR_FCR:
        this.writeFcr(value);
        break;
      case LCR:
        this.lcr = value;
        break;
      case MCR: {
        const wasLoop = this.loopback;
        this.mcr = value & 0x1f;
        this.updateModemStatus();
        if (wasLoop && !this.loopback) this.startFeed();
        break;
      }
      case LSR:
        break; // factory test only
      case MSR:
        break;
      default:
        this.scr = value;
    }
    this.updateIrq();
  }

  private writeThr(value: number): void {
    this.threPending = false;
    if (this.loopback) {
      this.pushRx(value);
    } else {
      this.txCount++;
      this.onTransmit?.(value);
    }
    if (!this.threTimer) {
      // At most THRE_MAX_NS: long enough that Linux's handler leaves after one 16-byte burst, short enough that
      // a 9600-baud console drains before a guest powers off right after writing (as on QEMU).
      this.threTimer = this.clock.schedule(this.clock.now() + Math.min(this.charTimeNs(), THRE_MAX_NS), () => {
        this.threTimer = undefined;
        this.threPending = true;
        this.updateIrq();
      });
    }
  }

  private writeFcr(value: number): void {
    const enable = (value & 1) !== 0;
    if (enable !== this.fifoEnabled) {
      this.rx = [];
      this.timeoutPending = false;
    }
    this.fifoEnabled = enable;
    if (!enable) {
      this.fcrBits = 0;
      this.trigger = 1;
      this.restartTimeout();
      return;
    }
    if (value & 0x02) {
      this.rx = [];
      this.timeoutPending = false;
      this.lineErrors &= ~LSR_OE;
    }
    this.fcrBits = value & 0xc8;
    this.trigger = TRIGGER_LEVELS[value >> 6];
    this.restartTimeout();
    this.startFeed();
  }

  /** Host-side break condition (e.g. a terminal's "send break"). */
  sendBreak(): void {
    if (this.rx.length < this.capacity) this.rx.push(0);
    this.lineErrors |= LSR_BI;
    this.updateIrq();
  }

  /** FCR bits as last written (DMA mode, trigger), for the debugger's device view. */
  get fcr(): number {
    return this.fcrBits | (this.fifoEnabled ? 1 : 0);
  }
}

/** The PC's standard ports and lines. */
export const COM1 = { base: 0x3f8, line: 4 } as const;
export const COM2 = { base: 0x2f8, line: 3 } as const;
export const COM3 = { base: 0x3e8, line: 4 } as const;
export const COM4 = { base: 0x2e8, line: 3 } as const;
