import { Cpu } from '../cpu/cpu';
import { ExitReason, StopReason, type CpuHost } from '../cpu/cpu-host';
import { AR, CR0, Seg } from '../cpu/constants';
import { X87Fpu } from '../cpu/fpu/x87';
import { IoBus } from '../devices/io-bus';
import { GuestPhysicalMemory } from '../memory/guest-physical';
import type { MachineMemory } from '../memory/machine-memory';
import type { EntryState } from '../boot/entry-state';
import { VirtualClock } from './virtual-clock';
import { PcDevices, type PcDeviceEvents } from './pc-devices';

/** Names of ExitReason values, index = reason, for statistics and filters. */
export const EXIT_NAMES = [
  'IoIn', 'IoOut', 'CrWrite', 'CrRead', 'DrWrite', 'DescriptorTableLoad', 'Hlt', 'Invlpg', 'Msr', 'InterruptFlag',
  'Exception', 'ExternalInterrupt', 'SoftwareInterrupt', 'Cpuid', 'Hypercall', 'TaskSwitch', 'ModeSwitch', 'RingTransition',
];

export interface MachineStop {
  reason: StopReason;
  cpu: number;
  /** For MonitorEvent: the exit that stopped the run. */
  exit?: { reason: ExitReason; detail: number };
}

export interface MachineOptions {
  name: string;
  memoryMB: number;
  cpus: number;
  nsPerInstruction: number;
  debugExitPort?: number;
}

/** Instructions each vCPU runs before the next one gets its turn: small enough for SMP kernels' spin locks. */
const SMP_QUANTUM = 2000;

/**
 * One VM: its guest-physical memory, vCPUs, devices and virtual clock, run deterministically. Everything the
 * guest does that a real machine monitor would trap arrives here through CpuHost.exit, is counted, and can stop
 * the run for the debugger.
 */
export class Machine implements CpuHost {
  readonly phys: GuestPhysicalMemory;
  readonly io = new IoBus();
  readonly clock = new VirtualClock();
  readonly cpus: Cpu[] = [];
  readonly devices: PcDevices;
  readonly exitCounts = new Float64Array(ExitReason.Count);
  /** Per exit reason: stop the run after it (the debugger's monitor-event filters). */
  readonly stopOnExit = new Uint8Array(ExitReason.Count);
  /** Ports the I/O filter applies to; empty = all. */
  stopPorts = new Set<number>();
  lastExit?: { cpu: number; reason: ExitReason; detail: number };
  /** Set once the guest powered off or asked the isa-debug-exit device to end it. */
  poweredOff?: { code: number; reason: string };
  private readonly nsPerInstruction: number;

  constructor(readonly options: MachineOptions, machine: MachineMemory, events: PcDeviceEvents) {
    this.phys = new GuestPhysicalMemory(machine, options.memoryMB << 20);
    this.nsPerInstruction = options.nsPerInstruction;
    this.devices = new PcDevices(this, {
      ...events,
      debugExitPort: options.debugExitPort,
      onPowerOff: (code, reason) => {
        this.poweredOff = { code, reason };
        for (const c of this.cpus) {
          c.stopReq = StopReason.MonitorEvent;
          c.attn = true;
        }
        events.onPowerOff(code, reason);
      },
    });
    for (let i = 0; i < options.cpus; i++) this.cpus.push(new Cpu(i, this, new X87Fpu()));
  }

  // ---- CpuHost ----

  interruptPending(cpuIndex: number): boolean {
    return cpuIndex === 0 && this.devices.pic.hasInterrupt();
  }

  acknowledgeInterrupt(cpuIndex: number): number {
    return cpuIndex === 0 ? this.devices.pic.acknowledge() : -1;
  }

  now(): number {
    return this.clock.now();
  }

  exit(cpuIndex: number, reason: ExitReason, detail: number): boolean {
    this.exitCounts[reason]++;
    if (this.stopOnExit[reason] === 0) return false;
    if ((reason === ExitReason.IoIn || reason === ExitReason.IoOut) && this.stopPorts.size && !this.stopPorts.has(detail & 0xffff)) return false;
    this.lastExit = { cpu: cpuIndex, reason, detail };
    return true;
  }

  // ---- boot ----

  /** Puts the boot vCPU in the state a boot path hands over. */
  applyEntry(entry: EntryState): void {
    const cpu = this.cpus[0];
    const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
    names.forEach((n, i) => (cpu.reg[i] = entry.regs[n] ?? 0));
    if (entry.kind === 'flat32') {
      cpu.cr[0] = CR0.PE | CR0.ET;
      cpu.dtr[0] = entry.gdtBase;
      cpu.dtr[1] = entry.gdtLimit;
      const code = AR.P | AR.S | AR.CODE | AR.RW | AR.ACCESSED | AR.D | AR.G;
      const data = AR.P | AR.S | AR.RW | AR.ACCESSED | AR.D | AR.G;
      cpu.setSegment(Seg.CS, entry.codeSelector, 0, 0xffffffff, code);
      for (const s of [Seg.DS, Seg.ES, Seg.FS, Seg.GS, Seg.SS]) cpu.setSegment(s, entry.dataSelector, 0, 0xffffffff, data);
      cpu.eip = entry.eip;
    } else {
      cpu.cr[0] = CR0.ET;
      const data = AR.P | AR.S | AR.RW | AR.ACCESSED;
      cpu.setSegment(Seg.CS, entry.cs, entry.cs << 4, 0xffff, data | AR.CODE);
      cpu.setSegment(Seg.DS, entry.ds, entry.ds << 4, 0xffff, data);
      cpu.setSegment(Seg.ES, entry.ds, entry.ds << 4, 0xffff, data);
      cpu.setSegment(Seg.SS, entry.ss, entry.ss << 4, 0xffff, data);
      cpu.eip = entry.ip;
    }
    cpu.setEflags(2);
    cpu.stateChanged();
    this.devices.setA20(true);
  }

  // ---- running ----

  get instructions(): number {
    let n = 0;
    for (const c of this.cpus) n += c.icount;
    return n;
  }

  /**
   * Runs up to `budget` instructions per vCPU, advancing virtual time, and returns why it stopped. Budget means
   * "nothing happened": the caller decides whether to keep going.
   */
  run(budget: number): MachineStop {
    let done = 0;
    while (done < budget) {
      if (this.poweredOff) return { reason: StopReason.Shutdown, cpu: 0 };
      const now = this.clock.now();
      const deadline = this.clock.nextDeadline();
      let slice = budget - done;
      if (this.cpus.length > 1) slice = Math.min(slice, SMP_QUANTUM);
      if (deadline !== Infinity) slice = Math.max(1, Math.min(slice, Math.ceil((deadline - now) / this.nsPerInstruction)));
      let progressed = 0;
      for (const cpu of this.cpus) {
        const before = cpu.icount;
        const r = cpu.run(slice);
        progressed = Math.max(progressed, cpu.icount - before);
        if (r !== StopReason.Budget && r !== StopReason.Halted) {
          this.clock.advanceTo(now + Math.max(1, progressed) * this.nsPerInstruction);
          const stop: MachineStop = { reason: r, cpu: cpu.index };
          if (r === StopReason.MonitorEvent && this.lastExit) stop.exit = { reason: this.lastExit.reason, detail: this.lastExit.detail };
          return stop;
        }
      }
      if (progressed === 0) {
        // Every vCPU is halted: jump to the next timer. None pending means nothing can ever wake the machine.
        if (deadline === Infinity) return { reason: StopReason.Halted, cpu: 0 };
        this.clock.advanceTo(deadline);
        done += 1;
      } else {
        this.clock.advanceTo(now + progressed * this.nsPerInstruction);
        done += progressed;
      }
    }
    return { reason: StopReason.Budget, cpu: 0 };
  }
}
