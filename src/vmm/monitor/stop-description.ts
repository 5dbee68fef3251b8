import { StopReason } from '../cpu/cpu-host';
import type { StopEvent } from './protocol';
import { EXIT_NAMES, type Machine, type MachineStop } from './machine';
import { HC_NAMES } from '../devices/pv-abi';
import { formatExit } from './exit-trace';

const VECTOR_NAMES = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', 'coprocessor overrun', '#TS', '#NP', '#SS', '#GP', '#PF', 'reserved', '#MF', '#AC', '#MC', '#XM'];

export function vectorName(v: number): string {
  return VECTOR_NAMES[v] ?? `vector ${v}`;
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16);

/** Turns why a machine stopped into the words the debugger shows. */
export function describeStop(m: Machine, r: MachineStop): Omit<StopEvent, 'vm'> {
  const cpu = m.cpus[r.cpu];
  switch (r.reason) {
    case StopReason.Breakpoint:
      return { kind: 'breakpoint', cpu: r.cpu, description: 'breakpoint' };
    case StopReason.Watchpoint: {
      const h = cpu.takeWatchHit();
      const what = h ? `${h.kind === 2 ? 'write' : 'read'} of ${h.size} byte(s) at ${hex(h.address)} (value ${hex(h.value)}) by ${hex(h.eip)}` : 'data breakpoint';
      return { kind: 'data breakpoint', cpu: r.cpu, description: 'data breakpoint', text: what };
    }
    case StopReason.Shutdown: {
      const chain = cpu.faultChain.map((f, i) => `${i === 0 ? 'fault' : 'then'} ${vectorName(f.vector)} (error code ${hex(f.errorCode)}) at eip ${hex(f.eip)}`);
      return { kind: 'shutdown', cpu: r.cpu, description: 'triple fault', text: ['triple fault: the VM is stopped with its state kept', ...chain].join('\n') };
    }
    case StopReason.MonitorEvent: {
      if (cpu.intercepted) {
        const f = cpu.intercepted;
        const extra = f.vector === 14 ? ` at ${hex(cpu.cr[2])}` : '';
        return { kind: 'exception', cpu: r.cpu, description: `${vectorName(f.vector)}${extra}`, text: `${vectorName(f.vector)} error code ${hex(f.errorCode)} at eip ${hex(f.eip)}${extra}` };
      }
      const e = r.exit;
      const name = e ? EXIT_NAMES[e.reason] : 'monitor event';
      // The exit as its trace line (reason, fields, EIP and CS of the instruction), if the ring still holds it.
      const last = m.lastExit;
      const ring = m.exitRing;
      const line = last && last.seq >= ring.first && last.seq < ring.total ? formatExit(m.options.name, ring.at(last.seq)) : undefined;
      const what = e && name === 'Hypercall' ? `: ${HC_NAMES[e.detail >>> 0] ?? 'unknown'}` : '';
      return { kind: 'event', cpu: r.cpu, description: name, text: e ? `monitor exit ${name} (${hex(e.detail)}${what})${line ? '\n' + line : ''}` : undefined };
    }
    case StopReason.Paused:
      return { kind: 'pause', cpu: r.cpu, description: 'paused' };
    default:
      return { kind: 'pause', cpu: r.cpu, description: 'stopped' };
  }
}
