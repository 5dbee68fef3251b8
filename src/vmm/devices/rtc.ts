import type { TimerHandle, TimerService } from '../monitor/virtual-clock';
import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';

const REG_SECONDS = 0x00;
const REG_SECONDS_ALARM = 0x01;
const REG_MINUTES = 0x02;
const REG_MINUTES_ALARM = 0x03;
const REG_HOURS = 0x04;
const REG_HOURS_ALARM = 0x05;
const REG_DAY_OF_WEEK = 0x06;
const REG_DAY_OF_MONTH = 0x07;
const REG_MONTH = 0x08;
const REG_YEAR = 0x09;
const REG_A = 0x0a;
const REG_B = 0x0b;
const REG_C = 0x0c;
const REG_D = 0x0d;
/** IBM's century byte, which Linux and ACPI's FADT point at. */
const REG_CENTURY = 0x32;

const A_UIP = 0x80;
const A_DV_MASK = 0x70;
const A_DV_NORMAL = 0x20;
const B_SET = 0x80;
const B_PIE = 0x40;
const B_AIE = 0x20;
const B_UIE = 0x10;
const B_DM_BINARY = 0x04;
const B_24H = 0x02;
const C_IRQF = 0x80;
const C_PF = 0x40;
const C_AF = 0x20;
const C_UF = 0x10;
const D_VRT = 0x80;

const NS_PER_S = 1e9;
/** UIP rises this long before each update (MC146818A datasheet, 32.768 kHz time base). */
const UIP_LEAD_NS = 244_000;

/** Periodic interrupt period for rate-select bits RS3-RS0 with the 32.768 kHz time base; 0 = off. */
export function periodicNs(rs: number): number {
  if (rs === 0) return 0;
  const divisor = rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
  return (divisor * NS_PER_S) / 32768;
}

interface Fields {
  sec: number;
  min: number;
  hour: number;
  dow: number; // 1 = Sunday
  dom: number;
  month: number; // 1-12
  year: number; // full year
}

function fieldsOf(seconds: number): Fields {
  const d = new Date(seconds * 1000);
  return {
    sec: d.getUTCSeconds(),
    min: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    dow: d.getUTCDay() + 1,
    dom: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    year: d.getUTCFullYear(),
  };
}

function secondsOf(f: Fields): number {
  return Math.floor(Date.UTC(f.year, f.month - 1, f.dom, f.hour, f.min, f.sec) / 1000);
}

export interface RtcOptions {
  clock: TimerService;
  irq: IrqLines;
  /** 8 on a PC. */
  line?: number;
  /**
   * Wall-clock time at virtual time zero, as ms since the epoch. Its UTC fields become the RTC's fields; the
   * host decides whether that is UTC or local time. Afterwards only virtual time moves it.
   */
  startTimeMs: number;
  /** Guest RAM below 4 GiB and above it, for the BIOS memory-size bytes. */
  ramBytes?: number;
  highRamBytes?: number;
  cpus?: number;
}

/**
 * The MC146818A real-time clock and its CMOS RAM (ports 0x70/0x71). The time is never stored ticking: it is
 * `baseSeconds` at virtual time `baseNs` (a second boundary), so reads compute it and nothing runs while no
 * interrupt is enabled. PF/UF/AF are accounted lazily between reads of register C; timers exist only for the
 * enabled interrupts.
 */
export class Rtc implements IoDevice {
  readonly name = 'rtc';
  private readonly clock: TimerService;
  private readonly irq: IrqLines;
  private readonly line: number;
  readonly cmos = new Uint8Array(128);
  private index = 0;
  /** Bit 7 of the last index write: NMI disabled. The machine consults it before delivering an NMI. */
  nmiDisabled = false;
  private baseSeconds: number;
  private baseNs = 0;
  /** While SET or a divider reset holds the clock: the time it holds. */
  private frozenSeconds = -1;
  private dowOffset = 0;
  private flags = 0;
  private accountedNs = 0;
  private irqHigh = false;
  private timer: TimerHandle | undefined;
  /** Interrupts delivered, for statistics. */
  interrupts = 0;

  constructor(opts: RtcOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    this.line = opts.line ?? 8;
    this.baseSeconds = Math.floor(opts.startTimeMs / 1000);
    this.baseNs = this.clock.now() - (opts.startTimeMs % 1000) * 1e6;
    this.accountedNs = this.clock.now();
    this.cmos[REG_A] = A_DV_NORMAL | 0x06;
    this.cmos[REG_B] = B_24H;
    this.cmos[REG_D] = D_VRT;
    this.initCmosLayout(opts);
  }

  attach(bus: IoBus): void {
    bus.register(this, 0x70, 2);
  }

  /**
   * The BIOS data the PC's firmware and old kernels read: memory sizes (0x15-0x18, 0x30/0x31, 0x34/0x35,
   * 0x5B-0x5D as QEMU and SeaBIOS lay them out), the equipment byte, the CPU count and the checksum.
   */
  private initCmosLayout(opts: RtcOptions): void {
    const c = this.cmos;
    const ram = opts.ramBytes ?? 0;
    c[0x14] = 0x02 | 0x04; // x87 present, display and keyboard present (bits 4-5 = 0: EGA/VGA)
    c[0x15] = 0x80; // 640 KiB base memory
    c[0x16] = 0x02;
    const extKb = Math.min(0xffff, Math.max(0, Math.floor(ram / 1024) - 1024));
    c[0x17] = c[0x30] = extKb & 0xff;
    c[0x18] = c[0x31] = extKb >> 8;
    const above16M = ram > 16 << 20 ? Math.min(0xffff, Math.floor((ram - (16 << 20)) / 65536)) : 0;
    c[0x34] = above16M & 0xff;
    c[0x35] = above16M >> 8;
    const high64k = Math.floor((opts.highRamBytes ?? 0) / 65536);
    c[0x5b] = high64k & 0xff;
    c[0x5c] = (high64k >> 8) & 0xff;
    c[0x5d] = (high64k >> 16) & 0xff;
    c[0x5f] = Math.max(0, (opts.cpus ?? 1) - 1);
    c[0x3d] = 0x02; // boot from the first hard disk (QEMU/SeaBIOS convention)
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += c[i];
    c[0x2e] = (sum >> 8) & 0xff;
    c[0x2f] = sum & 0xff;
  }

  private get running(): boolean {
    return this.frozenSeconds < 0;
  }

  /** Current RTC time in seconds. */
  seconds(now = this.clock.now()): number {
    if (!this.running) return this.frozenSeconds;
    return this.baseSeconds + Math.floor((now - this.baseNs) / NS_PER_S);
  }

  private get binary(): boolean {
    return (this.cmos[REG_B] & B_DM_BINARY) !== 0;
  }

  private encode(v: number): number {
    return this.binary ? v : ((Math.floor(v / 10) % 10) << 4) | v % 10;
  }

  private decode(v: number): number {
    return this.binary ? v : ((v >> 4) & 0xf) * 10 + (v & 0xf);
  }

  private encodeHour(h: number): number {
    if (this.cmos[REG_B] & B_24H) return this.encode(h);
    return this.encode(h % 12 || 12) | (h >= 12 ? 0x80 : 0);
  }

  private decodeHour(v: number): number {
    if (this.cmos[REG_B] & B_24H) return this.decode(v);
    const h = this.decode(v & 0x7f) % 12;
    return v & 0x80 ? h + 12 : h;
  }

  private readTimeRegister(reg: number): number {
    const f = fieldsOf(this.seconds());
    switch (reg) {
      case REG_SECONDS:
        return this.encode(f.sec);
      case REG_MINUTES:
        return this.encode(f.min);
      case REG_HOURS:
        return this.encodeHour(f.hour);
      case REG_DAY_OF_WEEK:
        return this.encode(((f.dow - 1 + this.dowOffset) % 7) + 1);
      case REG_DAY_OF_MONTH:
        return this.encode(f.dom);
      case REG_MONTH:
        return this.encode(f.month);
      case REG_YEAR:
        return this.encode(f.year % 100);
      default:
        return this.encode(Math.floor(f.year / 100));
    }
  }

  private writeTimeRegister(reg: number, value: number): void {
    const now = this.clock.now();
    const f = fieldsOf(this.seconds(now));
    switch (reg) {
      case REG_SECONDS:
        f.sec = this.decode(value & 0x7f);
        break;
      case REG_MINUTES:
        f.min = this.decode(value);
        break;
      case REG_HOURS:
        f.hour = this.decodeHour(value);
        break;
      case REG_DAY_OF_WEEK:
        // The chip counts the weekday independently of the date; remember how far the guest moved it.
        this.dowOffset = (((this.decode(value) - f.dow) % 7) + 7) % 7;
        return;
      case REG_DAY_OF_MONTH:
        f.dom = this.decode(value);
        break;
      case REG_MONTH:
        f.month = this.decode(value);
        break;
      case REG_YEAR:
        f.year = Math.floor(f.year / 100) * 100 + (this.decode(value) % 100);
        break;
      default:
        f.year = this.decode(value) * 100 + (f.year % 100);
    }
    const s = secondsOf(f);
    if (!this.running) {
      this.frozenSeconds = s;
    } else {
      this.baseSeconds = s - Math.floor((now - this.baseNs) / NS_PER_S);
    }
  }

  /** Update-in-progress: high from 244 us before each update until it happens. */
  private uip(now: number): boolean {
    if (!this.running) return false;
    const phase = (((now - this.baseNs) % NS_PER_S) + NS_PER_S) % NS_PER_S;
    return phase >= NS_PER_S - UIP_LEAD_NS;
  }

  /** Number of multiples of `period` (offset by baseNs) in (a, b]. */
  private boundaries(a: number, b: number, period: number): number {
    if (period <= 0 || b <= a) return 0;
    return Math.floor((b - this.baseNs) / period) - Math.floor((a - this.baseNs) / period);
  }

  /** Whether the alarm registers match second `s` (0xC0-0xFF in an alarm byte is "don't care"). */
  private alarmMatches(s: number): boolean {
    const f = fieldsOf(s);
    const c = this.cmos;
    const ok = (alarm: number, actual: number) => (alarm & 0xc0) === 0xc0 || alarm === actual;
    return (
      ok(c[REG_SECONDS_ALARM], this.encode(f.sec)) &&
      ok(c[REG_MINUTES_ALARM], this.encode(f.min)) &&
      ok(c[REG_HOURS_ALARM], this.encodeHour(f.hour))
    );
  }

  /** True if some second in (s0, s1] matches the alarm; searches minute by minute, at most one day. */
  private alarmBetween(s0: number, s1: number): boolean {
    if (s1 <= s0) return false;
    const c = this.cmos;
    const hourAny = (c[REG_HOURS_ALARM] & 0xc0) === 0xc0;
    const minAny = (c[REG_MINUTES_ALARM] & 0xc0) === 0xc0;
    const end = Math.min(s1, s0 + 86400);
    let minuteStart = s0 + 1 - (((s0 + 1) % 60) + 60) % 60;
    for (; minuteStart <= end; minuteStart += 60) {
      const f = fieldsOf(minuteStart);
      if (!hourAny && c[REG_HOURS_ALARM] !== this.encodeHour(f.hour)) continue;
      if (!minAny && c[REG_MINUTES_ALARM] !== this.encode(f.min)) continue;
      for (let s = Math.max(minuteStart, s0 + 1); s < minuteStart + 60 && s <= end; s++) {
        if (this.alarmMatches(s)) return true;
      }
    }
    return false;
  }

  /** Sets PF/UF/AF for everything that happened in (accountedNs, upTo]. */
  private account(upTo: number): void {
    const from = this.accountedNs;
    if (upTo <= from) return;
    this.accountedNs = upTo;
    const rs = this.cmos[REG_A] & 0x0f;
    if (this.running && this.boundaries(from, upTo, periodicNs(rs)) > 0) this.flags |= C_PF;
    if (this.running && !(this.cmos[REG_B] & B_SET) && this.boundaries(from, upTo, NS_PER_S) > 0) {
      this.flags |= C_UF;
      if (this.alarmBetween(this.seconds(from), this.seconds(upTo))) this.flags |= C_AF;
    }
  }

  private irqf(): boolean {
    return (this.flags & this.cmos[REG_B] & (C_PF | C_AF | C_UF)) !== 0;
  }

  private updateIrq(): void {
    const high = this.irqf();
    if (high === this.irqHigh) return;
    this.irqHigh = high;
    if (high) {
      this.interrupts++;
      this.irq.raise(this.line);
    } else {
      this.irq.lower(this.line);
    }
  }

  /** Schedules the next event that could raise IRQ8 under the enabled interrupts. */
  private reschedule(from = this.clock.now()): void {
    this.clock.cancel(this.timer);
    this.timer = undefined;
    if (!this.running || this.irqHigh) return; // IRQF stays set until C is read; nothing new can show
    const b = this.cmos[REG_B];
    let next = Infinity;
    const p = periodicNs(this.cmos[REG_A] & 0x0f);
    if (b & B_PIE && p > 0) next = this.baseNs + (Math.floor((from - this.baseNs) / p) + 1) * p;
    if (b & (B_UIE | B_AIE) && !(b & B_SET)) {
      next = Math.min(next, this.baseNs + (Math.floor((from - this.baseNs) / NS_PER_S) + 1) * NS_PER_S);
    }
    if (next === Infinity) return;
    this.timer = this.clock.schedule(next, () => {
      this.timer = undefined;
      this.account(next);
      this.updateIrq();
      this.reschedule(next);
    });
  }

  portRead(port: number, _size: 1 | 2 | 4): number {
    if (port === 0x70) return 0xff; // the index register is write-only
    const reg = this.index;
    const now = this.clock.now();
    switch (reg) {
      case REG_SECONDS:
      case REG_MINUTES:
      case REG_HOURS:
      case REG_DAY_OF_WEEK:
      case REG_DAY_OF_MONTH:
      case REG_MONTH:
      case REG_YEAR:
      case REG_CENTURY:
        return this.readTimeRegister(reg);
      case REG_A:
        return (this.cmos[REG_A] & 0x7f) | (this.uip(now) ? A_UIP : 0);
      case REG_C: {
        this.account(now);
        const v = this.flags | (this.irqf() ? C_IRQF : 0);
        this.flags = 0;
        this.updateIrq();
        this.reschedule();
        return v;
      }
      case REG_D:
        return D_VRT;
      default:
        return this.cmos[reg];
    }
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port === 0x70) {
      this.index = value & 0x7f;
      this.nmiDisabled = (value & 0x80) !== 0;
      return;
    }
    const reg = this.index;
    const now = this.clock.now();
    this.account(now);
    switch (reg) {
      case REG_SECONDS:
      case REG_MINUTES:
      case REG_HOURS:
      case REG_DAY_OF_WEEK:
      case REG_DAY_OF_MONTH:
      case REG_MONTH:
      case REG_YEAR:
      case REG_CENTURY:
        this.writeTimeRegister(reg, value);
        break;
      case REG_A:
        this.writeA(value, now);
        break;
      case REG_B:
        this.writeB(value, now);
        break;
      case REG_C:
      case REG_D:
        break; // read-only
      default:
        this.cmos[reg] = value;
    }
    this.updateIrq();
    this.reschedule();
  }

  private writeA(value: number, now: number): void {
    const oldDv = this.cmos[REG_A] & A_DV_MASK;
    const dv = value & A_DV_MASK;
    this.cmos[REG_A] = value & 0x7f;
    if (dv === oldDv) return;
    const holding = !(this.cmos[REG_B] & B_SET);
    if (dv !== A_DV_NORMAL && this.running) {
      this.frozenSeconds = this.seconds(now); // divider reset or oscillator off: the clock stops
    } else if (dv === A_DV_NORMAL && !this.running && holding) {
      // Leaving divider reset: the first update comes 500 ms later.
      this.baseSeconds = this.frozenSeconds;
      this.baseNs = now - NS_PER_S / 2;
      this.frozenSeconds = -1;
      this.accountedNs = now;
    }
  }

  private writeB(value: number, now: number): void {
    const old = this.cmos[REG_B];
    // SET going high aborts updates and clears UIE, as the datasheet says.
    if (value & B_SET && !(old & B_SET)) {
      value &= ~B_UIE;
      if (this.running) this.frozenSeconds = this.seconds(now);
    }
    this.cmos[REG_B] = value;
    if (!(value & B_SET) && old & B_SET && (this.cmos[REG_A] & A_DV_MASK) === A_DV_NORMAL) {
      this.baseSeconds = this.frozenSeconds;
      this.baseNs = now;
      this.frozenSeconds = -1;
      this.accountedNs = now;
    }
  }
}
