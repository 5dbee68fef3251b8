import { Monitor } from '../../src/vmm/monitor/monitor';
import type { MonitorConfig } from '../../src/vmm/monitor/launch-config';
import type { StopEvent } from '../../src/vmm/monitor/protocol';

export interface VmEnd {
  /** Serial output (COM1 and the paravirtual console). */
  out: string;
  exited?: { code: number; reason: string };
  stopped?: StopEvent;
}

/**
 * Runs every VM of `config` in one Monitor until each has exited (isa-debug-exit, power-off) or stopped (a
 * triple fault, a halt nothing can wake). A stop ends only its VM: the test resumes the others, as a user
 * would press Continue. `onExited` sees each VM the moment it exits, before any other VM runs again.
 */
export function runMonitor(
  config: MonitorConfig,
  opts: { timeoutMs: number; onExited?: (m: Monitor, vm: number) => void; onStopped?: (m: Monitor, vm: number) => void },
): Promise<{ monitor: Monitor; vms: VmEnd[] }> {
  const vms: VmEnd[] = config.vms.map(() => ({ out: '' }));
  return new Promise((resolve, reject) => {
    const done = () => vms.every((v) => v.exited || v.stopped);
    const monitor: Monitor = new Monitor((e) => {
      if (e.event === 'output' && (e.body.channel === 'serial0' || e.body.channel === 'serial1')) vms[e.body.vm].out += e.body.text;
      else if (e.event === 'exited') {
        vms[e.body.vm].exited = { code: e.body.code, reason: e.body.reason };
        opts.onExited?.(monitor, e.body.vm);
      } else if (e.event === 'stopped') {
        if (!vms[e.body.vm].stopped) {
          vms[e.body.vm].stopped = e.body;
          opts.onStopped?.(monitor, e.body.vm);
        }
        if (!done()) setImmediate(() => monitor.resume());
      }
      if (done()) {
        clearTimeout(timer);
        monitor.terminate();
        resolve({ monitor, vms });
      }
    });
    const timer = setTimeout(() => {
      monitor.terminate();
      reject(new Error(`VMs not done in ${opts.timeoutMs} ms: ${JSON.stringify(vms.map((v) => ({ end: v.exited ?? v.stopped?.description, tail: v.out.slice(-200) })))}`));
    }, opts.timeoutMs);
    monitor.launch(config);
    monitor.resume();
  });
}
