import type { TimerHandle, TimerService } from '../monitor/virtual-clock';
import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';

/** The PC's PIT input clock: 14.31818 MHz / 12. */
export const PIT_HZ = 1193182;
const NS_PER_S = 1e9;

/**
 * PIT clock edges since virtual time zero. Split into whole seconds so the products stay exact in a double for
 * any run length (a plain ns * HZ overflows 2^53 after a few hours).
 */
export function pitTickAt(ns: number): number {
  const n = Math.floor(ns);
  const q = Math.floor(n / NS_PER_S);
  const r = n - q * NS_PER_S;
  return q * PIT_HZ + Math.floor((r * PIT_HZ) / NS_PER_S);
}

/** First virtual ns at which `pitTickAt` reaches `tick`. */
export function pitNsOfTick(tick: number): number {
  const q = Math.floor(tick / PIT_HZ);
  const r = tick - q * PIT_HZ;
  return q * NS_PER_S + Math.ceil((r * NS_PER_S) / PIT_HZ);
}

function toBcd(v: number): number {
  return (v % 10) | (Math.floor(v / 10) % 10 << 4) | (Math.floor(v / 100) % 10 << 8) | (Math.floor(v / 1000) % 10 << 12);
}

function fromBcd(v: number): number {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

const RW_LSB = 1;
const RW_MSB = 2;
const RW_BOTH = 3;

/**
 * One 8254 counter (Intel datasheet 231164). Nothing ticks: the counting element's value and OUT are computed
 * from the virtual clock, `loadTick` being the clock edge at which the count register went into the counter.
 */
export class PitCounter {
  /** Programmed mode 0-5 (6 and 7 are stored as written, behave as 2 and 3). */
  modeBits = 0;
  bcd = false;
  rw = RW_BOTH;
  /** Count register as the guest wrote it, 0 meaning the maximum. */
  countRegister = 0;
  /** Initial count in use, as a number of clocks (1..65536, or 1..10000 in BCD). */
  n = 0x10000;
  /** The counting element holds a count and runs (subject to the gate). */
  counting = false;
  loadTick = 0;
  /** Gate low in mode 0/4 suspends counting: the elapsed clocks at the moment it fell. */
  frozenAt = -1;
  gate: boolean;
  /** Modes 2 and 3 take a new count at the end of the current period. */
  pendingN = -1;
  pendingTick = 0;
  /** Tick until which the null-count status bit reads 1 (Infinity: no count loaded yet). */
  nullUntil = Infinity;
  /** A count was written since the last control word. */
  hasCount = false;
  private writeMsbNext = false;
  private lsbWritten = 0;
  private readMsbNext = false;
  latched: number[] = [];
  private statusLatched = -1;

  constructor(gate: boolean) {
    this.gate = gate;
  }

  get mode(): number {
    return this.modeBits > 5 ? this.modeBits - 4 : this.modeBits;
  }

  private get modulus(): number {
    return this.bcd ? 10000 : 0x10000;
  }

  /** Clocks since the count was loaded; negative before the first clock edge after the write. */
  elapsed(t: number): number {
    this.applyPending(t);
    if (this.frozenAt >= 0) return this.frozenAt;
    return t - this.loadTick;
  }

  applyPending(t: number): void {
    if (this.pendingN >= 0 && t >= this.pendingTick) {
      this.n = this.pendingN;
      this.loadTick = this.pendingTick;
      this.pendingN = -1;
    }
  }

  /** Value of the counting element at tick `t`, in binary. */
  value(t: number): number {
    if (!this.counting) return this.n % this.modulus;
    const d = this.elapsed(t);
    const n = this.n;
    if (d < 0) return n % this.modulus;
    switch (this.mode) {
      case 2:
        return n - (d % n);
      case 3: {
        const v = (n - ((2 * d) % n)) & ~1;
        return v === 0 ? n & ~1 : v;
      }
      default: {
        const m = this.modulus;
        return (((n - d) % m) + m) % m;
      }
    }
  }

  /** Level of OUT at tick `t`. */
  out(t: number): boolean {
    const mode = this.mode;
    if (!this.counting) return mode !== 0;
    const d = this.elapsed(t);
    const n = this.n;
    switch (mode) {
      case 0:
        return d >= n;
      case 1:
        return d < 0 || d >= n;
      case 2:
        if (!this.gate) return true;
        return d < 0 || d % n !== n - 1;
      case 3:
        if (!this.gate) return true;
        return d < 0 || d % n < (n + 1) >> 1;
      default:
        return d !== n;
    }
  }

  /** The next tick after `t` at which OUT may change, or Infinity. */
  nextEdge(t: number): number {
    if (!this.counting || this.frozenAt >= 0) return Infinity;
    const d = this.elapsed(t);
    const n = this.n;
    let next: number;
    switch (this.mode) {
      case 0:
      case 1:
        next = d < n ? n : Infinity;
        break;
      case 2: {
        if (!this.gate) return Infinity;
        const r = d < 0 ? -1 : d % n;
        next = d < 0 ? n - 1 : r < n - 1 ? d - r + n - 1 : d + 1;
        break;
      }
      case 3: {
        if (!this.gate) return Infinity;
        const h = (n + 1) >> 1;
        const r = d < 0 ? 0 : d % n;
        const base = d < 0 ? 0 : d - r;
        next = r < h ? base + h : base + n;
        break;
      }
      default:
        next = d < n ? n : d === n ? n + 1 : Infinity;
    }
    let tick = this.loadTick + next;
    if (this.pendingN >= 0 && this.pendingTick < tick) tick = this.pendingTick;
    return tick;
  }

  /** A control word for this counter (not a latch command). */
  control(value: number): void {
    this.rw = (value >> 4) & 3;
    this.modeBits = (value >> 1) & 7;
    this.bcd = (value & 1) !== 0;
    this.counting = false;
    this.frozenAt = -1;
    this.pendingN = -1;
    this.nullUntil = Infinity;
    this.hasCount = false;
    this.writeMsbNext = false;
    this.readMsbNext = false;
  }

  latchCount(t: number): void {
    if (this.latched.length) return; // a second latch before the read is ignored
    const v = this.bcd ? toBcd(this.value(t)) : this.value(t) & 0xffff;
    if (this.rw === RW_LSB) this.latched = [v & 0xff];
    else if (this.rw === RW_MSB) this.latched = [(v >> 8) & 0xff];
    else this.latched = [v & 0xff, (v >> 8) & 0xff];
  }

  latchStatus(t: number): void {
    if (this.statusLatched >= 0) return;
    this.statusLatched =
      (this.out(t) ? 0x80 : 0) | (t < this.nullUntil ? 0x40 : 0) | (this.rw << 4) | (this.modeBits << 1) | (this.bcd ? 1 : 0);
  }

  read(t: number): number {
    if (this.statusLatched >= 0) {
      const s = this.statusLatched;
      this.statusLatched = -1;
      return s;
    }
    if (this.latched.length) return this.latched.shift()!;
    const raw = this.value(t);
    const v = this.bcd ? toBcd(raw) : raw & 0xffff;
    switch (this.rw) {
      case RW_LSB:
        return v & 0xff;
      case RW_MSB:
        return (v >> 8) & 0xff;
      default: {
        const msb = this.readMsbNext;
        this.readMsbNext = !msb;
        return msb ? (v >> 8) & 0xff : v & 0xff;
      }
    }
  }

  /** A data-port write; returns true when a complete count was written. */
  write(t: number, byte: number): boolean {
    let reg: number;
    switch (this.rw) {
      case RW_LSB:
        reg = byte;
        break;
      case RW_MSB:
        reg = byte << 8;
        break;
      case RW_BOTH:
        if (!this.writeMsbNext) {
          this.writeMsbNext = true;
          this.lsbWritten = byte;
          // Mode 0: writing the first byte stops the count, so OUT stays low until the second arrives.
          if (this.mode === 0) this.counting = false;
          return false;
        }
        this.writeMsbNext = false;
        reg = this.lsbWritten | (byte << 8);
        break;
      default:
        return false;
    }
    this.loadCount(t, reg);
    return true;
  }

  private loadCount(t: number, reg: number): void {
    this.countRegister = reg;
    this.hasCount = true;
    let n = this.bcd ? fromBcd(reg) : reg;
    if (n === 0) n = this.modulus;
    const mode = this.mode;
    // Counts of 1 are illegal in modes 2 and 3; the part never produces a period shorter than two clocks.
    if ((mode === 2 || mode === 3) && n < 2) n = 2;
    const start = t + 1;
    if ((mode === 2 || mode === 3) && this.counting && this.gate) {
      const d = Math.max(0, this.elapsed(t));
      this.pendingN = n;
      this.pendingTick = this.loadTick + (Math.floor(d / this.n) + 1) * this.n;
      this.nullUntil = this.pendingTick;
      return;
    }
    this.n = n;
    this.pendingN = -1;
    if (mode === 1 || mode === 5) {
      // Hardware-triggered: waits for a rising gate. A running one-shot keeps its count until then.
      this.nullUntil = Infinity;
      return;
    }
    this.counting = true;
    this.loadTick = start;
    this.frozenAt = -1;
    this.nullUntil = start;
    if (!this.gate) {
      if (mode === 0 || mode === 4) this.frozenAt = 0;
      else this.counting = false; // modes 2 and 3 start on the gate's rising edge
    }
  }

  setGate(t: number, high: boolean): void {
    if (high === this.gate) return;
    const mode = this.mode;
    if (!high) {
      // Modes 0 and 4 suspend counting; modes 2 and 3 stop and force OUT high until the gate rises again.
      if (this.counting && this.frozenAt < 0) this.frozenAt = Math.max(0, this.elapsed(t));
      this.gate = false;
      return;
    }
    this.gate = true;
    if (mode === 0 || mode === 4) {
      if (this.counting && this.frozenAt >= 0) {
        this.loadTick = t - this.frozenAt;
        this.frozenAt = -1;
      }
      return;
    }
    if (!this.hasCount) return;
    // Rising gate: modes 1 and 5 trigger, modes 2 and 3 restart from the initial count.
    if (this.pendingN >= 0) {
      this.n = this.pendingN;
      this.pendingN = -1;
    }
    this.counting = true;
    this.loadTick = t + 1;
    this.frozenAt = -1;
    if (this.nullUntil > t + 1) this.nullUntil = t + 1;
  }
}

const PORT_COUNTER0 = 0x40;
const PORT_CONTROL = 0x43;
const PORT_B = 0x61;
/** DRAM refresh request period on the PC/AT: counter 1 at count 18. */
const REFRESH_NS = 15085;

export interface PitOptions {
  clock: TimerService;
  irq: IrqLines;
  /** Line OUT0 drives; 0 on a PC (the I/O APIC sees it as GSI 2 via the platform's override). */
  line?: number;
}

/**
 * The 8254 PIT at ports 0x40-0x43, plus system control port B (0x61) whose bit 0 gates counter 2 and whose
 * bits 4 and 5 show the refresh toggle and OUT2, as BIOSes and Linux's TSC calibration poll them.
 * Counter 0's OUT level drives the IRQ line; timers are scheduled only at its edges.
 */
export class Pit8254 implements IoDevice {
  readonly name = 'pit';
  readonly counters: PitCounter[] = [new PitCounter(true), new PitCounter(true), new PitCounter(false)];
  private readonly clock: TimerService;
  private readonly irq: IrqLines;
  private readonly line: number;
  private timer: TimerHandle | undefined;
  private timerTick = Infinity;
  private lineHigh = false;
  /** Port B bits 1-3 as written (speaker data, parity and channel check enables). */
  private portB = 0;
  /** Counter 0 edges delivered as IRQ edges, for statistics. */
  irqEdges = 0;

  constructor(opts: PitOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    this.line = opts.line ?? 0;
  }

  attach(bus: IoBus): void {
    bus.register(this, PORT_COUNTER0, 4);
    bus.register(this, PORT_B, 1);
  }

  private tick(): number {
    return pitTickAt(this.clock.now());
  }

  /** OUT2 gated by port B bit 1 is what reaches the speaker; its frequency for a host beeper, or 0. */
  speakerHz(): number {
    const c = this.counters[2];
    if (!(this.portB & 2) || !c.gate || !c.counting || c.mode !== 3) return 0;
    return PIT_HZ / c.n;
  }

  portRead(port: number, _size: 1 | 2 | 4): number {
    const t = this.tick();
    if (port === PORT_B) {
      const c2 = this.counters[2];
      const refresh = Math.floor(this.clock.now() / REFRESH_NS) & 1;
      return (c2.gate ? 1 : 0) | (this.portB & 0x0e) | (refresh << 4) | (c2.out(t) ? 0x20 : 0);
    }
    if (port === PORT_CONTROL) return 0xff; // write-only on the 8254
    return this.counters[port - PORT_COUNTER0].read(t);
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    const t = this.tick();
    if (port === PORT_B) {
      this.portB = value & 0x0e;
      this.counters[2].setGate(t, (value & 1) !== 0);
      return;
    }
    if (port === PORT_CONTROL) {
      this.controlWord(t, value);
    } else {
      const i = port - PORT_COUNTER0;
      this.counters[i].write(t, value);
    }
    this.reschedule(t);
  }

  private controlWord(t: number, value: number): void {
    const sc = value >> 6;
    if (sc === 3) {
      // Read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status, bits 1-3 select counters.
      for (let i = 0; i < 3; i++) {
        if (!(value & (2 << i))) continue;
        const c = this.counters[i];
        if (!(value & 0x10)) c.latchStatus(t);
        if (!(value & 0x20)) c.latchCount(t);
      }
      return;
    }
    const c = this.counters[sc];
    if ((value & 0x30) === 0) {
      c.latchCount(t);
      return;
    }
    c.control(value);
  }

  private setLine(high: boolean): void {
    if (high === this.lineHigh) return;
    this.lineHigh = high;
    if (high) {
      this.irqEdges++;
      this.irq.raise(this.line);
    } else {
      this.irq.lower(this.line);
    }
  }

  /** Brings IRQ0 to counter 0's OUT now and schedules the next edge. */
  private reschedule(t: number): void {
    const c0 = this.counters[0];
    this.setLine(c0.out(t));
    const next = c0.nextEdge(t);
    if (next === this.timerTick) return;
    this.clock.cancel(this.timer);
    this.timer = undefined;
    this.timerTick = next;
    if (next !== Infinity) this.timer = this.clock.schedule(pitNsOfTick(next), () => this.onEdge(next));
  }

  private onEdge(at: number): void {
    this.timer = undefined;
    this.timerTick = Infinity;
    const c0 = this.counters[0];
    // Show the level at the scheduled edge first: if virtual time jumped past a whole period, the PIC still
    // sees a rising edge rather than nothing.
    this.setLine(c0.out(at));
    // Timers fire with the clock already at the end of the step that reached them. A small lag is replayed
    // edge by edge (the past deadlines fire within the same advance); a long jump skips to the present, since
    // the PIC could latch only one of the missed edges anyway.
    const now = this.tick();
    this.reschedule(now - at > 2 * c0.n ? now : at);
  }
}
