import type { MmioHandler } from '../memory/guest-physical';
import type { TimerHandle, TimerService } from '../monitor/virtual-clock';
import { type ApicBus, type ApicMessage, type ApicTarget, DeliveryMode } from './apic-bus';

export const LAPIC_BASE = 0xfee00000;

const REG_ID = 0x02;
const REG_VERSION = 0x03;
const REG_TPR = 0x08;
const REG_APR = 0x09;
const REG_PPR = 0x0a;
const REG_EOI = 0x0b;
const REG_LDR = 0x0d;
const REG_DFR = 0x0e;
const REG_SVR = 0x0f;
const REG_ISR = 0x10;
const REG_TMR = 0x18;
const REG_IRR = 0x20;
const REG_ESR = 0x28;
const REG_LVT_CMCI = 0x2f;
const REG_ICR_LO = 0x30;
const REG_ICR_HI = 0x31;
const REG_LVT_TIMER = 0x32;
const REG_LVT_THERMAL = 0x33;
const REG_LVT_PERF = 0x34;
const REG_LVT_LINT0 = 0x35;
const REG_LVT_LINT1 = 0x36;
const REG_LVT_ERROR = 0x37;
const REG_TIMER_INITIAL = 0x38;
const REG_TIMER_CURRENT = 0x39;
const REG_TIMER_DIVIDE = 0x3e;

const LVT_MASKED = 0x10000;
const LVT_PERIODIC = 0x20000;
const SVR_ENABLE = 0x100;
/** P6-family integrated APIC: version 0x14, six LVT entries. */
const VERSION = 0x00050014;

const LVT_REGS = [REG_LVT_TIMER, REG_LVT_THERMAL, REG_LVT_PERF, REG_LVT_LINT0, REG_LVT_LINT1, REG_LVT_ERROR];
const LVT_WRITABLE: Record<number, number> = {
  [REG_LVT_TIMER]: 0x300ff,
  [REG_LVT_THERMAL]: 0x107ff,
  [REG_LVT_PERF]: 0x107ff,
  [REG_LVT_LINT0]: 0x1a7ff,
  [REG_LVT_LINT1]: 0x1a7ff,
  [REG_LVT_ERROR]: 0x100ff,
  [REG_LVT_CMCI]: 0x107ff,
};

function highestBit(bits: Uint32Array): number {
  for (let i = 7; i >= 0; i--) if (bits[i]) return i * 32 + 31 - Math.clz32(bits[i]);
  return -1;
}

function testBit(bits: Uint32Array, v: number): boolean {
  return (bits[v >> 5] & (1 << (v & 31))) !== 0;
}

function setBit(bits: Uint32Array, v: number, on: boolean): void {
  if (on) bits[v >> 5] |= 1 << (v & 31);
  else bits[v >> 5] &= ~(1 << (v & 31));
}

export interface LocalApicOptions {
  id: number;
  clock: TimerService;
  bus: ApicBus;
  /** The bootstrap processor: LINT0 starts as ExtINT so the 8259 reaches it (what the BIOS would set up). */
  bsp: boolean;
  /** Timer input clock before the divider; 1 GHz like QEMU unless told otherwise. */
  busHz?: number;
  /** Level-triggered EOI: the machine forwards it to the I/O APICs. */
  onEoi?: (vector: number) => void;
  onInit?: () => void;
  onStartup?: (vector: number) => void;
  onNmi?: () => void;
  /** IRR gained a deliverable interrupt: wake the vCPU if halted. */
  onInterrupt?: () => void;
}

/**
 * One vCPU's local APIC (Intel SDM vol. 3, chapter 10, xAPIC mode). The machine asks `hasInterrupt()` and
 * `acknowledge()` per vCPU, falling back to the 8259 when `acceptsPicInterrupt()`; `LocalApicMmio` routes the
 * 0xFEE00000 page to the APIC of whichever vCPU is executing.
 */
export class LocalApic implements ApicTarget {
  id: number;
  readonly bsp: boolean;
  private readonly clock: TimerService;
  private readonly bus: ApicBus;
  private readonly busHz: number;
  readonly irr = new Uint32Array(8);
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  tpr = 0;
  ldr = 0;
  dfr = 0xffffffff;
  svr = 0xff;
  esr = 0;
  icrLo = 0;
  icrHi = 0;
  readonly lvt = new Map<number, number>();
  /** IA32_APIC_BASE: base address, global enable (bit 11), BSP (bit 8). */
  baseMsr: number;
  private divideConfig = 0;
  private initialCount = 0;
  private timerStart = 0;
  private timerHandle: TimerHandle | undefined;
  onEoi?: (vector: number) => void;
  onInit?: () => void;
  onStartup?: (vector: number) => void;
  onNmi?: () => void;
  onInterrupt?: () => void;
  timerFires = 0;

  constructor(opts: LocalApicOptions) {
    this.id = opts.id;
    this.bsp = opts.bsp;
    this.clock = opts.clock;
    this.bus = opts.bus;
    this.busHz = opts.busHz ?? 1e9;
    this.onEoi = opts.onEoi;
    this.onInit = opts.onInit;
    this.onStartup = opts.onStartup;
    this.onNmi = opts.onNmi;
    this.onInterrupt = opts.onInterrupt;
    this.baseMsr = LAPIC_BASE | 0x800 | (opts.bsp ? 0x100 : 0);
    this.reset();
    opts.bus.add(this);
  }

  /** Power-on / INIT state (the APIC ID and base MSR survive INIT). */
  reset(): void {
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = 0xffffffff;
    this.svr = 0xff;
    this.esr = 0;
    this.icrLo = this.icrHi = 0;
    for (const r of [...LVT_REGS, REG_LVT_CMCI]) this.lvt.set(r, LVT_MASKED);
    if (this.bsp) this.lvt.set(REG_LVT_LINT0, 0x700);
    this.divideConfig = 0;
    this.initialCount = 0;
    this.clock.cancel(this.timerHandle);
    this.timerHandle = undefined;
  }

  get hardwareEnabled(): boolean {
    return (this.baseMsr & 0x800) !== 0;
  }

  get softwareEnabled(): boolean {
    return this.hardwareEnabled && (this.svr & SVR_ENABLE) !== 0;
  }

  matchesLogical(dest: number): boolean {
    if (!this.softwareEnabled) return false;
    const ldr = this.ldr >>> 24;
    if ((this.dfr >>> 28) === 0xf) return (ldr & dest) !== 0; // flat model
    return (ldr >> 4) === (dest >> 4) && (ldr & dest & 0x0f) !== 0; // cluster model
  }

  /** Processor priority: the higher of TPR and the class of the highest in-service vector. */
  get ppr(): number {
    const isrv = highestBit(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  /** Whether the 8259's INTR reaches this CPU through LINT0 in ExtINT (virtual wire) mode. */
  acceptsPicInterrupt(): boolean {
    if (!this.hardwareEnabled) return true;
    const lint0 = this.lvt.get(REG_LVT_LINT0)!;
    return (lint0 & LVT_MASKED) === 0 && ((lint0 >> 8) & 7) === DeliveryMode.ExtInt;
  }

  hasInterrupt(): boolean {
    if (!this.softwareEnabled) return false;
    const v = highestBit(this.irr);
    return v >= 0 && (v & 0xf0) > (this.ppr & 0xf0);
  }

  /** INTA: moves the highest deliverable IRR vector into service; the spurious vector if it vanished. */
  acknowledge(): number {
    if (!this.hasInterrupt()) return this.svr & 0xff;
    const v = highestBit(this.irr);
    setBit(this.irr, v, false);
    setBit(this.isr, v, true);
    return v;
  }

  accept(msg: ApicMessage): void {
    switch (msg.mode) {
      case DeliveryMode.Fixed:
      case DeliveryMode.LowestPriority:
        this.setIrr(msg.vector, msg.level);
        return;
      case DeliveryMode.Nmi:
        this.onNmi?.();
        return;
      case DeliveryMode.Init:
        if (!msg.assert && msg.level) return; // INIT level de-assert
        this.reset();
        this.onInit?.();
        return;
      case DeliveryMode.StartUp:
        this.onStartup?.(msg.vector);
        return;
      default:
        return; // SMI and ExtINT are not modelled
    }
  }

  private setIrr(vector: number, level: boolean): void {
    if (vector < 16) {
      this.esr |= 0x40; // received illegal vector
      return;
    }
    // Kept pending even while software-disabled (delivery is then gated by hasInterrupt), so a level
    // interrupt that raced the guest's enabling of the APIC is not lost.
    setBit(this.irr, vector, true);
    setBit(this.tmr, vector, level);
    if (this.hasInterrupt()) this.onInterrupt?.();
  }

  private eoi(): void {
    const v = highestBit(this.isr);
    if (v < 0) return;
    setBit(this.isr, v, false);
    if (testBit(this.tmr, v)) {
      setBit(this.tmr, v, false);
      this.onEoi?.(v);
    }
    if (this.hasInterrupt()) this.onInterrupt?.();
  }

  // --- timer ---

  private get divisor(): number {
    const d = ((this.divideConfig & 8) >> 1) | (this.divideConfig & 3);
    return d === 7 ? 1 : 2 << d;
  }

  private get tickNs(): number {
    return (1e9 / this.busHz) * this.divisor;
  }

  currentCount(now = this.clock.now()): number {
    if (this.initialCount === 0) return 0;
    const elapsed = Math.floor((now - this.timerStart) / this.tickNs);
    const lvt = this.lvt.get(REG_LVT_TIMER)!;
    if (lvt & LVT_PERIODIC) return this.initialCount - (elapsed % this.initialCount);
    return Math.max(0, this.initialCount - elapsed);
  }

  private startTimer(from: number): void {
    this.clock.cancel(this.timerHandle);
    this.timerHandle = undefined;
    if (this.initialCount === 0) return;
    this.timerStart = from;
    this.armTimer(from + this.initialCount * this.tickNs);
  }

  private armTimer(deadline: number): void {
    this.timerHandle = this.clock.schedule(deadline, () => {
      this.timerHandle = undefined;
      this.timerFires++;
      const lvt = this.lvt.get(REG_LVT_TIMER)!;
      if (!(lvt & LVT_MASKED) && this.softwareEnabled) this.setIrr(lvt & 0xff, false);
      if (lvt & LVT_PERIODIC) {
        // Periods are counted from the original start so they do not drift with timer lateness.
        this.armTimer(deadline + this.initialCount * this.tickNs);
      }
    });
  }

  // --- registers ---

  /** Reads the 32-bit register at byte offset `offset` (16-byte aligned) of the APIC page. */
  readRegister(offset: number): number {
    const r = offset >> 4;
    if (r >= REG_ISR && r < REG_ISR + 8) return this.isr[r - REG_ISR] | 0;
    if (r >= REG_TMR && r < REG_TMR + 8) return this.tmr[r - REG_TMR] | 0;
    if (r >= REG_IRR && r < REG_IRR + 8) return this.irr[r - REG_IRR] | 0;
    switch (r) {
      case REG_ID:
        return this.id << 24;
      case REG_VERSION:
        return VERSION;
      case REG_TPR:
        return this.tpr;
      case REG_APR:
        return 0;
      case REG_PPR:
        return this.ppr;
      case REG_LDR:
        return this.ldr | 0;
      case REG_DFR:
        return this.dfr | 0;
      case REG_SVR:
        return this.svr;
      case REG_ESR:
        return this.esr;
      case REG_ICR_LO:
        return this.icrLo & ~0x1000; // delivery is instantaneous: never "send pending"
      case REG_ICR_HI:
        return this.icrHi | 0;
      case REG_TIMER_INITIAL:
        return this.initialCount;
      case REG_TIMER_CURRENT:
        return this.currentCount();
      case REG_TIMER_DIVIDE:
        return this.divideConfig;
      default:
        if (this.lvt.has(r)) return this.lvt.get(r)!;
        return 0;
    }
  }

  writeRegister(offset: number, value: number): void {
    const r = offset >> 4;
    value >>>= 0;
    switch (r) {
      case REG_ID:
        this.id = value >>> 24;
        return;
      case REG_TPR:
        this.tpr = value & 0xff;
        if (this.hasInterrupt()) this.onInterrupt?.();
        return;
      case REG_EOI:
        this.eoi();
        return;
      case REG_LDR:
        this.ldr = value & 0xff000000;
        return;
      case REG_DFR:
        this.dfr = value | 0x0fffffff;
        return;
      case REG_SVR:
        this.svr = value & 0x3ff;
        if (!(value & SVR_ENABLE)) {
          // Software disable masks every LVT entry.
          for (const l of LVT_REGS) this.lvt.set(l, this.lvt.get(l)! | LVT_MASKED);
        } else if (this.hasInterrupt()) {
          this.onInterrupt?.();
        }
        return;
      case REG_ESR:
        this.esr = 0; // a write latches and clears errors
        return;
      case REG_ICR_HI:
        this.icrHi = value & 0xff000000;
        return;
      case REG_ICR_LO:
        this.icrLo = value & 0xcdfff;
        this.sendIpi();
        return;
      case REG_TIMER_INITIAL:
        this.initialCount = value;
        this.startTimer(this.clock.now());
        return;
      case REG_TIMER_DIVIDE: {
        const count = this.currentCount();
        this.divideConfig = value & 0x0b;
        // Keep the current count continuous across the divider change.
        if (this.initialCount) {
          this.clock.cancel(this.timerHandle);
          this.timerHandle = undefined;
          const now = this.clock.now();
          this.timerStart = now - (this.initialCount - count) * this.tickNs;
          this.armTimer(now + count * this.tickNs);
        }
        return;
      }
      default: {
        const mask = LVT_WRITABLE[r];
        if (mask === undefined) return;
        let v = value & mask;
        if (!(this.svr & SVR_ENABLE)) v |= LVT_MASKED;
        const wasPeriodic = (this.lvt.get(r)! & LVT_PERIODIC) !== 0;
        this.lvt.set(r, v);
        if (r === REG_LVT_TIMER && wasPeriodic !== ((v & LVT_PERIODIC) !== 0) && this.initialCount) {
          this.startTimer(this.clock.now());
        }
      }
    }
  }

  private sendIpi(): void {
    const lo = this.icrLo;
    const msg: ApicMessage = {
      vector: lo & 0xff,
      mode: (lo >> 8) & 7,
      logical: (lo & 0x800) !== 0,
      dest: this.icrHi >>> 24,
      level: (lo & 0x8000) !== 0,
      assert: (lo & 0x4000) !== 0,
    };
    switch ((lo >> 18) & 3) {
      case 1:
        this.accept(msg);
        return;
      case 2:
        this.bus.deliver(msg, this.bus.apics.slice());
        return;
      case 3:
        this.bus.deliver(
          msg,
          this.bus.apics.filter((a) => a !== this),
        );
        return;
      default:
        this.bus.deliver(msg);
    }
  }
}

/**
 * The APIC page at 0xFEE00000 as one MMIO handler: each access goes to the APIC of the vCPU that makes it.
 * Sub-dword accesses see the containing register (software should not make them; Linux never does).
 */
export class LocalApicMmio implements MmioHandler {
  readonly name = 'lapic';

  constructor(
    private readonly apics: LocalApic[],
    private readonly currentCpu: () => number,
    readonly base = LAPIC_BASE,
  ) {}

  read(addr: number, size: 1 | 2 | 4): number {
    const off = (addr - this.base) & 0xfff;
    const v = this.apics[this.currentCpu()].readRegister(off & 0xff0);
    const shifted = v >>> (8 * (off & 3));
    return size === 4 ? shifted | 0 : shifted & (size === 2 ? 0xffff : 0xff);
  }

  write(addr: number, size: 1 | 2 | 4, value: number): void {
    const off = (addr - this.base) & 0xfff;
    if (size !== 4 || off & 3) return;
    this.apics[this.currentCpu()].writeRegister(off, value);
  }
}
