import type { Cpu } from '../cpu/cpu';
import { ExitReason, StopReason } from '../cpu/cpu-host';
import { Seg } from '../cpu/constants';
import type { Machine } from './machine';

/**
 * Debugger stepping on one vCPU, done inside the monitor so a step costs no message round trips per instruction.
 * Asynchronous interrupts are stepped over by default: single-stepped instructions take none (Cpu.stepInterrupts),
 * and when one is delivered while the step runs freely (over a call, out of a function), the vCPU runs until it
 * is back in the interrupted context (same CS:EIP and ESP). With skipInterrupts off, a pending interrupt is
 * delivered before the next single-stepped instruction, so the step lands in its handler.
 *
 * Ring transitions need nothing special: `int n`, `sysenter` and faults move EIP out of the line's ranges, so a
 * step in stops at the handler's first instruction; `iret`/`sysexit` likewise land in the interrupted code, in
 * whatever ring. Stepping *over* a line with `int n` runs the whole system call and stops after it; so does `sysenter`, by SYSEXIT's convention
 * (it returns to EDX with ESP = ECX, which the user side sets before entering).
 */
export type StepGoal =
  | { kind: 'instruction' }
  | { kind: 'range'; ranges: [number, number][]; over: boolean }
  | { kind: 'return'; address: number; esp: number };

export interface StepResult {
  /** Done: the goal was reached. Otherwise the reason the machine stopped first (breakpoint, shutdown...). */
  done: boolean;
  stop?: StopReason;
  /** Instructions spent, so the caller can slice long steps and stay responsive. */
  spent: number;
}

interface Context {
  cs: number;
  eip: number;
  esp: number;
}

const linearPc = (cpu: Cpu): number => (cpu.segBase[Seg.CS] + cpu.eip) >>> 0;
const contextOf = (cpu: Cpu): Context => ({ cs: cpu.segSel[Seg.CS], eip: cpu.eip, esp: cpu.reg[4] });
const sameContext = (cpu: Cpu, c: Context): boolean => cpu.segSel[Seg.CS] === c.cs && cpu.eip === c.eip && cpu.reg[4] === c.esp;
/**
 * How far above the expected ESP a return may land and still be ours (a `ret n` pops arguments). Another task's
 * kernel stack, a page away, reaching the same return address is not our caller.
 */
const RETURN_ESP_WINDOW = 0x400;

export class Stepper {
  /** Interrupted context we are running back to, while stepping over an asynchronous interrupt. */
  private returnTo?: Context;
  /** Stack pointer at the start of a step over a call: the call returns when ESP is back above it. */
  private callEsp?: number;
  private callReturn?: number;
  private first = true;

  constructor(private readonly machine: Machine, private readonly cpu: Cpu, private readonly goal: StepGoal, private readonly skipInterrupts: boolean) {}

  private inRanges(pc: number): boolean {
    if (this.goal.kind !== 'range') return false;
    for (const [s, e] of this.goal.ranges) if (pc >= s && pc < e) return true;
    return false;
  }

  /** Advances the step by up to `budget` instructions. */
  advance(budget: number): StepResult {
    const cpu = this.cpu;
    let spent = 0;
    while (spent < budget) {
      if (this.returnTo || this.callEsp !== undefined) {
        // Run freely (other vCPUs too) until the target context comes back; a temporary engine breakpoint stops us.
        const target = this.returnTo ? (cpu.segBase[Seg.CS] + this.returnTo.eip) >>> 0 : this.callReturn!;
        const had = cpu.breakpoints.has(target);
        if (!had) cpu.addBreakpoint(target);
        const before = cpu.icount;
        const r = this.machine.run(Math.min(budget - spent, 100_000));
        if (!had) cpu.removeBreakpoint(target);
        spent += Math.max(1, cpu.icount - before);
        if (r.reason === StopReason.Breakpoint && r.cpu === cpu.index && linearPc(cpu) === target) {
          const esp = cpu.reg[4] >>> 0;
          const matched = this.returnTo ? sameContext(cpu, this.returnTo) : esp > this.callEsp! && esp - this.callEsp! <= RETURN_ESP_WINDOW;
          if (matched) {
            this.returnTo = undefined;
            this.callEsp = undefined;
            this.callReturn = undefined;
            if (this.goal.kind === 'return' || this.goal.kind === 'instruction') return { done: true, spent };
            if (this.goal.kind === 'range' && !this.inRanges(linearPc(cpu))) return { done: true, spent };
            continue;
          }
          // Same address, other context (recursion, another task): the user's own breakpoint there still counts.
          if (had) return { done: false, stop: StopReason.Breakpoint, spent };
          continue;
        }
        if (r.reason !== StopReason.Budget) return { done: false, stop: r.reason, spent };
        continue;
      }

      if (this.goal.kind === 'return' && this.first) {
        this.first = false;
        this.callEsp = this.goal.esp >>> 0;
        this.callReturn = this.goal.address >>> 0;
        continue;
      }
      this.first = false;

      const ctx = contextOf(cpu);
      const irqsBefore = this.machine.exitCounts[ExitReason.ExternalInterrupt];
      const pcBefore = linearPc(cpu);
      const espBefore = cpu.reg[4] >>> 0;
      // SYSEXIT returns to EDX with ESP = ECX: the user side of a SYSENTER sets them before the call.
      const sysexitTo = { eip: cpu.reg[2], esp: cpu.reg[1] };
      const savedStepInterrupts = cpu.stepInterrupts;
      cpu.stepInterrupts = !this.skipInterrupts;
      let r: StopReason;
      try {
        r = cpu.step();
      } finally {
        cpu.stepInterrupts = savedStepInterrupts;
      }
      spent++;
      if (r === StopReason.Shutdown || r === StopReason.Watchpoint || r === StopReason.MonitorEvent) return { done: false, stop: r, spent };
      if (this.skipInterrupts && this.machine.exitCounts[ExitReason.ExternalInterrupt] !== irqsBefore) {
        this.returnTo = ctx;
        continue;
      }
      if (r === StopReason.Halted && cpu.halted) {
        // HLT: with interrupts not skipped, the step ends in the handler of the interrupt that wakes the vCPU.
        if (!this.skipInterrupts && this.wakeIntoHandler()) return { done: true, spent: spent + 1 };
        // Otherwise let time pass until an interrupt wakes the vCPU, and come back here.
        this.returnTo = contextOf(cpu);
        continue;
      }
      if (this.goal.kind === 'instruction') return { done: true, spent };
      const pc = linearPc(cpu);
      if (this.goal.kind === 'range' && this.goal.over && (cpu.reg[4] >>> 0) < espBefore && this.isCall(pcBefore)) {
        // A call from inside the line: run until it returns.
        this.callEsp = cpu.reg[4] >>> 0;
        this.callReturn = this.afterCall(pcBefore);
        continue;
      }
      if (this.goal.kind === 'range' && this.goal.over && !this.inRanges(pc) && this.isSoftwareInterrupt(pcBefore)) {
        // `int n` inside the line, stepped over: run the handler until it returns here (iret restores CS:EIP, ESP).
        this.returnTo = { cs: ctx.cs, eip: (ctx.eip + this.callLength) | 0, esp: ctx.esp };
        continue;
      }
      if (this.goal.kind === 'range' && this.goal.over && !this.inRanges(pc) && this.isSysenter(pcBefore)) {
        this.returnTo = { cs: ctx.cs, eip: sysexitTo.eip, esp: sysexitTo.esp };
        continue;
      }
      if (!this.inRanges(pc)) return { done: true, spent };
    }
    return { done: false, spent };
  }

  /**
   * Advances virtual time to the timers that wake a halted vCPU and lets it take the interrupt (and, the CPU
   * being what it is, the handler's first instruction). False if nothing could ever wake it.
   */
  private wakeIntoHandler(): boolean {
    const cpu = this.cpu;
    for (let i = 0; i < 1000 && cpu.halted; i++) {
      const deadline = this.machine.clock.nextDeadline();
      if (deadline === Infinity) return false;
      this.machine.clock.advanceTo(deadline);
      if (!this.machine.interruptPending(cpu.index)) continue;
      const saved = cpu.stepInterrupts;
      cpu.stepInterrupts = true;
      try {
        cpu.step();
      } finally {
        cpu.stepInterrupts = saved;
      }
    }
    return !cpu.halted;
  }

  private callLength = 0;

  /** True if the instruction at `pc` (already executed) was a CALL; remembers its length. */
  private isCall(pc: number): boolean {
    const b = this.readCode(pc, 7);
    if (!b) return false;
    let i = 0;
    let osz16 = false;
    while (i < 4 && (b[i] === 0x66 || b[i] === 0x67 || b[i] === 0x2e || b[i] === 0x3e || b[i] === 0x26 || b[i] === 0x36 || b[i] === 0x64 || b[i] === 0x65)) {
      if (b[i] === 0x66) osz16 = true;
      i++;
    }
    const op = b[i];
    const wide = this.cpu.describeMode() === 'protected32' ? !osz16 : osz16;
    if (op === 0xe8) {
      this.callLength = i + 1 + (wide ? 4 : 2);
      return true;
    }
    if (op === 0x9a) {
      this.callLength = i + 1 + (wide ? 6 : 4);
      return true;
    }
    if (op === 0xff) {
      const modrm = b[i + 1];
      const reg = (modrm >> 3) & 7;
      if (reg !== 2 && reg !== 3) return false;
      this.callLength = i + 2 + modrmExtra(modrm, b[i + 2], this.cpu.describeMode() === 'protected32');
      return true;
    }
    return false;
  }

  /** True if the instruction at `pc` (already executed) was INT n / INT3 / INTO; remembers its length. */
  private isSoftwareInterrupt(pc: number): boolean {
    const b = this.readCode(pc, 2);
    if (!b) return false;
    if (b[0] === 0xcd) this.callLength = 2;
    else if (b[0] === 0xcc || b[0] === 0xce) this.callLength = 1;
    else return false;
    return true;
  }

  private isSysenter(pc: number): boolean {
    const b = this.readCode(pc, 2);
    return !!b && b[0] === 0x0f && b[1] === 0x34;
  }

  private afterCall(pc: number): number {
    return (pc + this.callLength) >>> 0;
  }

  private readCode(pc: number, n: number): Uint8Array | undefined {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.cpu.linearToPhysical((pc + i) | 0);
      if (p < 0) return i ? out.subarray(0, i) : undefined;
      out[i] = this.machine.phys.read8(p);
    }
    return out;
  }
}

/** Bytes a ModRM operand adds after the ModRM byte (SIB and displacement), for 32- or 16-bit addressing. */
function modrmExtra(modrm: number, sib: number, addr32: boolean): number {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod === 3) return 0;
  if (!addr32) {
    if (mod === 0) return rm === 6 ? 2 : 0;
    return mod === 1 ? 1 : 2;
  }
  let n = 0;
  if (rm === 4) {
    n = 1;
    if (mod === 0 && (sib & 7) === 5) return n + 4;
  }
  if (mod === 0) return rm === 5 ? 4 : n;
  return n + (mod === 1 ? 1 : 4);
}
