import type { ExitReason } from '../cpu/cpu-host';

/** Exits kept per VM: enough to see what led up to a stop, small enough (92 KiB) to keep for every VM. */
export const EXIT_RING_SIZE = 4096;

/** One recorded exit, as plain data for views and the trace writer. */
export interface ExitRecord {
  /** Sequence number since the VM started (the ring keeps the last EXIT_RING_SIZE). */
  seq: number;
  reason: ExitReason;
  cpu: number;
  /** EIP of the instruction that caused the exit (the boundary's EIP for interrupts). */
  eip: number;
  cs: number;
  detail: number;
  /** That vCPU's retired-instruction count when the exit happened. */
  icount: number;
}

/**
 * The recent monitor exits of one VM: a ring of parallel typed arrays, so recording an exit (which happens
 * for every port access and interrupt) allocates nothing. `total` counts every exit ever recorded; entry
 * `seq` lives at `seq % size` while `seq >= total - size`.
 */
export class ExitRing {
  readonly reason: Uint8Array;
  readonly cpu: Uint8Array;
  readonly eip: Int32Array;
  readonly cs: Uint16Array;
  readonly detail: Int32Array;
  readonly icount: Float64Array;
  /** Exits recorded since the VM started (a double: never wraps). */
  total = 0;
  /**
   * A reader that must see every exit (the exit trace) sets this: it is called when the ring is full of exits
   * after `readUpTo`, before the oldest of them is overwritten, and must read them (advancing readUpTo).
   */
  onFull: (() => void) | null = null;
  readUpTo = 0;

  constructor(readonly size = EXIT_RING_SIZE) {
    this.reason = new Uint8Array(size);
    this.cpu = new Uint8Array(size);
    this.eip = new Int32Array(size);
    this.cs = new Uint16Array(size);
    this.detail = new Int32Array(size);
    this.icount = new Float64Array(size);
  }

  record(reason: ExitReason, cpu: number, eip: number, cs: number, detail: number, icount: number): void {
    if (this.onFull !== null && this.total - this.readUpTo >= this.size) this.onFull();
    const i = this.total % this.size;
    this.reason[i] = reason;
    this.cpu[i] = cpu;
    this.eip[i] = eip;
    this.cs[i] = cs;
    this.detail[i] = detail;
    this.icount[i] = icount;
    this.total++;
  }

  /** The oldest sequence number still held. */
  get first(): number {
    return Math.max(0, this.total - this.size);
  }

  /** Entry `seq` (must be in [first, total)). */
  at(seq: number): ExitRecord {
    const i = seq % this.size;
    return { seq, reason: this.reason[i], cpu: this.cpu[i], eip: this.eip[i] >>> 0, cs: this.cs[i], detail: this.detail[i], icount: this.icount[i] };
  }

  /** The last `n` exits, oldest first. */
  recent(n: number): ExitRecord[] {
    const out: ExitRecord[] = [];
    for (let s = Math.max(this.first, this.total - n); s < this.total; s++) out.push(this.at(s));
    return out;
  }

  clear(): void {
    this.total = 0;
  }
}
