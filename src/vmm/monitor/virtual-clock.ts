/**
 * Virtual time for one VM. It advances with retired guest instructions (and jumps forward while every vCPU
 * halts), never with host time, so a run is deterministic: the same guest, the same inputs, the same trace.
 */
export interface Clock {
  /** Virtual nanoseconds since the VM was created. */
  now(): number;
}

export interface TimerHandle {
  readonly id: number;
}

export interface TimerService extends Clock {
  /** Calls `fn` once virtual time reaches `deadlineNs`. */
  schedule(deadlineNs: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle | undefined): void;
}

interface Timer {
  id: number;
  deadline: number;
  fn: () => void;
}

export class VirtualClock implements TimerService {
  private nowNs = 0;
  private nextId = 1;
  /** Sorted by deadline; short, so an insertion sort beats a heap. */
  private timers: Timer[] = [];

  now(): number {
    return this.nowNs;
  }

  schedule(deadlineNs: number, fn: () => void): TimerHandle {
    const t = { id: this.nextId++, deadline: Math.max(deadlineNs, this.nowNs), fn };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].deadline > t.deadline) i--;
    this.timers.splice(i, 0, t);
    return t;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const i = this.timers.findIndex((t) => t.id === handle.id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Deadline of the next timer, or Infinity. */
  nextDeadline(): number {
    return this.timers.length ? this.timers[0].deadline : Infinity;
  }

  /** Moves time forward to `ns` and fires every timer due by then, in deadline order. */
  advanceTo(ns: number): void {
    if (ns > this.nowNs) this.nowNs = ns;
    while (this.timers.length && this.timers[0].deadline <= this.nowNs) {
      const t = this.timers.shift()!;
      t.fn();
    }
  }
}
