import type { Cpu } from './cpu';
import { ExitReason, StopReason } from './cpu-host';

/**
 * Reports a monitor exit (a privileged or sensitive action) to the host. If the host wants to stop (the
 * debugger breaks on this kind of event), run() returns StopReason.MonitorEvent after the instruction.
 */
export function monitorExit(c: Cpu, reason: ExitReason, detail: number): void {
  c.exitCounts[reason]++;
  if (c.host.exit(c.index, reason, detail)) {
    c.stopReq = StopReason.MonitorEvent;
    c.attn = true;
  }
}
