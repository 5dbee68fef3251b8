import type { Cpu } from '../cpu/cpu';
import { deliverException } from '../cpu/interrupts';
import type { Machine } from './machine';

/**
 * The debugger's side of intercepted CPU events. An exception filter stops the vCPU *before* the exception
 * reaches the guest (the CPU's `intercept[]`), so the user sees the faulting instruction with the state intact;
 * when the user continues or steps, the exception must then be delivered, exactly once: re-executing the
 * instruction would only fault, and stop, again.
 */
export function deliverIntercepted(machines: Machine[]): void {
  for (const m of machines) {
    for (const cpu of m.cpus) {
      const e = cpu.takeIntercepted();
      if (!e || e.vector >= 32) continue;
      const saved = cpu.intercept[e.vector];
      cpu.intercept[e.vector] = 0;
      try {
        cpu.eip = e.eip | 0;
        deliverException(cpu, e.vector, e.errorCode);
      } finally {
        cpu.intercept[e.vector] = saved;
      }
      cpu.stateChanged();
    }
  }
}

/** The ids of the watchpoint behind a Watchpoint stop, read before the stop description takes the hit. */
export function watchpointIds(cpu: Cpu): number[] | undefined {
  return cpu.watchHit ? [cpu.watchHit.id] : undefined;
}
