import type { Monitor } from '../vmm/monitor/monitor';
import { cpuState, monitorCommand, readMemory, setRegister, writeMemory } from '../vmm/monitor/inspect';
import type { StopEvent } from '../vmm/monitor/protocol';
import { REG, REGISTERS, type RegisterValues } from './registers';
import type { GdbTarget, TargetStop, TargetWatch } from './target';

/** Registers the debugger may write, by gdb number, under the monitor's names (inspect.ts setRegister). */
const WRITABLE = new Set(['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'cr0', 'cr2', 'cr3', 'cr4']);

/**
 * One VM of an in-process Monitor as a GdbTarget. Addresses are linear, as in QEMU's stub: with the flat
 * segments every 32-bit kernel uses, that is the address in gdb's symbols.
 */
export class MonitorTarget implements GdbTarget {
  private watchList: TargetWatch[] = [];
  private isRunning = false;

  constructor(private readonly monitor: Monitor, private readonly vm: number) {}

  get cpuCount(): number {
    return this.monitor.machine(this.vm).cpus.length;
  }

  get running(): boolean {
    return this.isRunning;
  }

  registers(cpu: number): RegisterValues {
    const m = this.monitor.machine(this.vm);
    const s = cpuState(m, this.vm, cpu);
    const values: number[] = [];
    for (const [name, v] of Object.entries(s.gpr)) values[REG[name]] = v;
    values[REG.eip] = s.eip;
    values[REG.eflags] = s.eflags;
    for (const [name, seg] of Object.entries(s.seg)) values[REG[name]] = seg.selector;
    values[REG.cr0] = s.cr.cr0;
    values[REG.cr2] = s.cr.cr2;
    values[REG.cr3] = s.cr.cr3;
    values[REG.cr4] = s.cr.cr4;
    const fpu = m.cpus[cpu].fpu?.snapshot();
    if (!fpu) return { values };
    values[REG.fctrl] = fpu.cw;
    values[REG.fstat] = fpu.sw;
    values[REG.ftag] = fpu.tw;
    // The instruction and operand pointers (fiseg..fop) are not kept by the x87 model: they read as 0.
    return { values, st: fpu.st };
  }

  setRegister(cpu: number, regno: number, value: number): boolean {
    const name = REGISTERS[regno]?.name;
    if (!name || !WRITABLE.has(name)) return false;
    setRegister(this.monitor.machine(this.vm), cpu, name, value);
    return true;
  }

  readMemory(cpu: number, address: number, length: number): Buffer {
    return Buffer.from(readMemory(this.monitor.machine(this.vm), cpu, address >>> 0, length, 'linear').data, 'base64');
  }

  writeMemory(cpu: number, address: number, data: Buffer): number {
    return writeMemory(this.monitor.machine(this.vm), cpu, address >>> 0, data, 'linear');
  }

  setBreakpoints(linear: number[]): void {
    this.monitor.setBreakpoints(linear.map((address, i) => ({ id: i + 1, address, space: 'linear' })));
  }

  setWatchpoints(list: TargetWatch[]): void {
    this.watchList = list;
    const access = { write: 'write', read: 'read', access: 'readWrite' } as const;
    this.monitor.setWatchpoints(list.map((w, i) => ({ id: i + 1, address: w.address, length: w.length, access: access[w.kind] })));
  }

  resume(): void {
    this.isRunning = true;
    this.monitor.resume();
  }

  step(cpu: number): void {
    this.isRunning = true;
    // Asynchronous interrupts are stepped over, as QEMU's stub does by default: `stepi` never lands in the
    // timer handler.
    this.monitor.step(this.vm, cpu, { kind: 'instruction' }, true);
  }

  pause(): void {
    this.monitor.pause();
  }

  command(cpu: number, text: string): string {
    return monitorCommand(this.monitor.machine(this.vm), cpu, text);
  }

  /** Translates a monitor stop event; the session passes every stop through here. */
  stopOf(e: StopEvent): TargetStop {
    this.isRunning = false;
    switch (e.kind) {
      case 'breakpoint':
        return { cpu: e.cpu, reason: 'breakpoint' };
      case 'step':
        return { cpu: e.cpu, reason: 'step' };
      case 'pause':
        return { cpu: e.cpu, reason: 'interrupt' };
      case 'data breakpoint': {
        const hit = this.monitor.lastWatchHit;
        const watch = hit ? this.watchList[hit.id - 1] : undefined;
        return { cpu: e.cpu, reason: watch ? 'watch' : 'other', watch, description: e.text };
      }
      default:
        return { cpu: e.cpu, reason: 'other', description: [e.description, e.text].filter(Boolean).join(': ') };
    }
  }

  /** The guest ended: nothing runs any more. */
  ended(): void {
    this.isRunning = false;
  }
}
