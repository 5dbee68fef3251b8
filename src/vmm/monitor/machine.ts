import { Cpu } from '../cpu/cpu';
import { checkPhysGen } from '../cpu/access';
import { ExitReason, StopReason, type CpuHost } from '../cpu/cpu-host';
import { AR, CR0, Seg } from '../cpu/constants';
import { X87Fpu } from '../cpu/fpu/x87';
import { IoBus } from '../devices/io-bus';
import type { BlockBackend } from '../devices/block-backend';
import { PcPlatform } from '../devices/pc-platform';
import { GuestPhysicalMemory } from '../memory/guest-physical';
import { ShadowMmu } from '../memory/shadow/shadow-mmu';
import type { MachineMemory } from '../memory/machine-memory';
import type { EntryState } from '../boot/entry-state';
import { AcpiPm } from '../firmware/acpi-pm';
import { acpiLayout, writePlatformTables } from '../firmware/platform-tables';
import { publishAcpiTables } from '../firmware/acpi-fw-cfg';
import { VirtualClock } from './virtual-clock';
import { HC_ALL_FEATURES, HC_VERSION, PV_BLOCK_PORT, PV_CONSOLE_PORT } from '../devices/pv-abi';
import { handleHypercall, HC_COUNT } from './hypercalls/hypercalls';
import { ExitRing } from './exit-ring';
import { createEngine, type ExecutionEngine } from '../engine/engine';
import type { EngineKind } from './launch-config';

export { EXIT_NAMES } from './exit-names';

export interface MachineStop {
  reason: StopReason;
  cpu: number;
  /** For MonitorEvent: the exit that stopped the run. */
  exit?: { reason: ExitReason; detail: number };
}

/** What the PC's devices tell the world outside the VM. */
export interface MachineEvents {
  /** A byte left serial port `port` (0 = COM1). */
  onSerial(port: number, byte: number): void;
  /** A byte written to the debug console port 0xE9. */
  onDebugCon(byte: number): void;
  /** The guest powered off, reset, or wrote the isa-debug-exit port: `code` is the process exit status QEMU gives. */
  onPowerOff(code: number, reason: string): void;
}

/** IDE positions: primary master, primary slave, secondary master, secondary slave. */
export type IdeDisks = [BlockBackend?, BlockBackend?, BlockBackend?, BlockBackend?];

export interface MachineOptions {
  name: string;
  memoryMB: number;
  cpus: number;
  nsPerInstruction: number;
  debugExitPort?: number;
  disks?: IdeDisks;
  /** Wall-clock time at virtual time zero, for the RTC; fixed in tests so runs repeat exactly. */
  startTimeMs?: number;
  /** Run the shadow page-table audit every N events (0 = off; absent = RINGSIDE_SHADOW_AUDIT or off). */
  shadowAudit?: number;
  /** The execution engine (default: interpret). */
  engine?: EngineKind;
}

/**
 * The VM's clock as the guest sees it: the virtual time at the start of the current run slice plus the
 * instructions the running vCPU has retired since. Without the live part RDTSC, the PIT and the PM timer would
 * stand still for a whole slice and then jump, and Linux's PIT calibration (which times short loops with
 * RDTSC) would fail.
 */
class LiveClock extends VirtualClock {
  live: () => number = () => 0;

  override now(): number {
    return super.now() + this.live();
  }
}

/** Up to this many vCPUs: the MP table, MADT and APIC IDs are laid out for it. */
export const MAX_CPUS = 8;

/**
 * Instructions each vCPU runs before the next one gets its turn: small enough that a CPU spinning on a lock
 * held by another wastes little, large enough that switching costs nothing measurable.
 */
const SMP_QUANTUM = 2000;
/**
 * Each turn is up to this many instructions shorter, by a fixed pseudo-random sequence (so runs still repeat
 * exactly). With equal turns a spin loop whose length divides the quantum ends every turn at the same point:
 * SeaBIOS's BSP, which drops its SMP lock for two instructions per loop, always held it when the AP got its
 * turn, and the AP never got in.
 */
const SMP_JITTER = 512;

/**
 * One VM: its guest-physical memory, vCPUs, the PC platform and virtual clock, run deterministically (vCPUs
 * take turns in index order, time advances with retired instructions). Everything the guest does that a real
 * machine monitor would trap arrives here through CpuHost.exit, is counted, and can stop the run.
 */
export class Machine implements CpuHost {
  readonly phys: GuestPhysicalMemory;
  /** The shadow page tables all this VM's vCPUs translate through. */
  readonly shadow: ShadowMmu;
  readonly io = new IoBus();
  readonly clock = new LiveClock();
  readonly cpus: Cpu[] = [];
  readonly platform: PcPlatform;
  readonly acpiPm: AcpiPm;
  readonly engine: ExecutionEngine;
  readonly exitCounts = new Float64Array(ExitReason.Count);
  /** Per exit reason: stop the run after it (the debugger's monitor-event filters). */
  readonly stopOnExit = new Uint8Array(ExitReason.Count);
  /** Ports the I/O filter applies to; empty = all. */
  stopPorts = new Set<number>();
  /** Bit n: stop on CR n writes only (the debugger's CR3 filter); 0 = any CR write. */
  stopCrs = 0;
  /** The recent exits, for the debug console and the exit trace. */
  readonly exitRing = new ExitRing();
  /** The exit that stopped the run; `seq` is its place in exitRing. */
  lastExit?: { cpu: number; reason: ExitReason; detail: number; seq: number };
  /** Set once the guest powered off, reset, or asked the isa-debug-exit device to end it. */
  poweredOff?: { code: number; reason: string };
  /** Hypercalls served per number (hypercalls.ts); CPUID 0x40000001's answer. */
  readonly hypercallCounts = new Float64Array(HC_COUNT);
  readonly hypervisorInfo = Int32Array.of(HC_VERSION, PV_CONSOLE_PORT, PV_BLOCK_PORT, HC_ALL_FEATURES);
  /** A vCPU asked to yield: the run returns after its instruction so other VMs get the host. */
  private yielded = false;
  /** The IDE disks, also what the BIOS's INT 13h reads. */
  readonly disks: IdeDisks;
  /** The vCPU being run, so the shared local APIC page reaches that CPU's APIC. */
  private current = 0;
  /** The running vCPU's instruction count when its slice began (see LiveClock). */
  private sliceStart = 0;
  private running?: Cpu;
  private readonly nsPerInstruction: number;

  constructor(readonly options: MachineOptions, machine: MachineMemory, private readonly events: MachineEvents) {
    if (options.cpus < 1 || options.cpus > MAX_CPUS) throw new RangeError(`a VM has 1 to ${MAX_CPUS} vCPUs, not ${options.cpus}`);
    this.phys = new GuestPhysicalMemory(machine, options.memoryMB << 20);
    this.shadow = new ShadowMmu(this.phys);
    if (options.shadowAudit !== undefined) this.shadow.auditEvery = options.shadowAudit;
    this.nsPerInstruction = options.nsPerInstruction;
    this.clock.live = () => (this.running ? (this.running.icount - this.sliceStart) * this.nsPerInstruction : 0);
    const d = (this.disks = options.disks ?? [undefined, undefined, undefined, undefined]);
    this.platform = new PcPlatform({
      io: this.io,
      phys: this.phys,
      clock: this.clock,
      cpus: options.cpus,
      ramBytes: this.phys.ramBytes,
      startTimeMs: options.startTimeMs ?? Date.now(),
      disks: { primaryMaster: d[0], primarySlave: d[1], secondaryMaster: d[2], secondarySlave: d[3] },
      debugExit: options.debugExitPort === undefined ? false : { iobase: options.debugExitPort },
      currentCpu: () => this.current,
      onSerial: (com, b) => events.onSerial(com, b),
      onDebugOutput: (b) => events.onDebugCon(b),
      // QEMU's convention: the process exit status is (value << 1) | 1, modulo 256.
      onExit: (status) => this.powerOff(status & 0xff, `isa-debug-exit wrote ${(status - 1) / 2}`),
      onA20: (on) => this.setA20(on),
      onReset: () => this.powerOff(0, 'the guest reset the machine (reset line pulsed; Ringside stops instead of rebooting)'),
      onInit: (cpu) => this.cpus[cpu].init(),
      onStartup: (cpu, vector) => this.cpus[cpu].sipi(vector),
      onNmi: (cpu) => this.cpus[cpu].raiseNmi(),
      onWake: (cpu) => {
        const c = this.cpus[cpu];
        if (c) c.attn = true;
      },
    });
    // The MADT and MP table give the I/O APIC the first ID after the CPUs'; its register must agree.
    if (this.platform.ioapic) this.platform.ioapic.id = options.cpus;
    this.acpiPm = new AcpiPm({ clock: this.clock, onSleep: (type) => this.onSleep(type) });
    this.acpiPm.attach(this.io);
    writePlatformTables(this.phys, options.cpus);
    publishAcpiTables(this.platform.fwCfg, acpiLayout(this.phys.ramBytes, options.cpus));
    this.engine = createEngine(options.engine ?? 'interpret');
    for (let i = 0; i < options.cpus; i++) {
      const c = new Cpu(i, this, new X87Fpu());
      this.engine.attach(c);
      this.cpus.push(c);
    }
  }

  /** The vCPU whose instruction is being emulated (for devices that act on the caller, like the BIOS). */
  get currentCpu(): Cpu {
    return this.cpus[this.current];
  }

  /** Ends the VM: the run loop returns and the monitor reports `reason`. */
  powerOff(code: number, reason: string): void {
    if (this.poweredOff) return;
    this.poweredOff = { code, reason };
    for (const c of this.cpus) {
      c.stopReq = StopReason.MonitorEvent;
      c.attn = true;
    }
    this.events.onPowerOff(code, reason);
  }

  private onSleep(type: number): void {
    if (type === AcpiPm.S5) this.powerOff(0, 'ACPI power-off (S5)');
  }

  // ---- A20 ----

  get a20Enabled(): boolean {
    return this.phys.a20;
  }

  /**
   * The A20 gate as the chipset drives it (i8042 output port, port 0x92, INT 15h 24xx). GuestPhysicalMemory
   * masks address bit 20 while it is off; every vCPU drops its cached translations at once, so the
   * instruction after the OUT that flipped the gate already sees the new mapping.
   */
  setA20(on: boolean): void {
    if (this.phys.setA20(on)) this.flushTranslations();
  }

  /**
   * The guest-physical map changed under every vCPU (phys.generation): drop the shadows and each vCPU's fetch
   * window before the next access.
   */
  flushTranslations(): void {
    for (const c of this.cpus) checkPhysGen(c);
  }

  // ---- CpuHost ----

  interruptPending(cpuIndex: number): boolean {
    return this.platform.interruptPending(cpuIndex);
  }

  acknowledgeInterrupt(cpuIndex: number): number {
    return this.platform.acknowledgeInterrupt(cpuIndex);
  }

  now(): number {
    return this.clock.now();
  }

  fpuError(_cpuIndex: number): void {
    this.platform.ferr.signal();
  }

  exit(cpuIndex: number, reason: ExitReason, detail: number): boolean {
    this.exitCounts[reason]++;
    const c = this.cpus[cpuIndex];
    this.exitRing.record(reason, cpuIndex, c.instrStart, c.segSel[Seg.CS], detail, c.icount);
    if (this.stopOnExit[reason] === 0) return false;
    if ((reason === ExitReason.IoIn || reason === ExitReason.IoOut) && this.stopPorts.size && !this.stopPorts.has(detail & 0xffff)) return false;
    if (reason === ExitReason.CrWrite && this.stopCrs !== 0 && ((this.stopCrs >>> detail) & 1) === 0) return false;
    this.lastExit = { cpu: cpuIndex, reason, detail, seq: this.exitRing.total - 1 };
    return true;
  }

  hypercall(cpuIndex: number): void {
    handleHypercall(this, this.cpus[cpuIndex]);
  }

  /** The paravirtual console's output: the guest's console, COM1's terminal. */
  consoleOut(b: number): void {
    this.events.onSerial(0, b);
  }

  requestYield(): void {
    this.yielded = true;
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
    cpu.setEflags(entry.kind === 'real' && entry.interrupts ? 0x202 : 2);
    cpu.stateChanged();
    this.setA20(true);
  }

  // ---- running ----

  get instructions(): number {
    let n = 0;
    for (const c of this.cpus) n += c.icount;
    return n;
  }

  /**
   * Runs up to `budget` instructions (all vCPUs together), advancing virtual time, and returns why it
   * stopped. Budget means "nothing happened": the caller decides whether to keep going.
   *
   * vCPUs take turns of SMP_QUANTUM instructions, and virtual time advances during each turn by that vCPU's
   * own instructions: one host core time-slicing the vCPUs, as an overcommitted hypervisor does. So every
   * clock the guest can read (TSC, PIT, PM timer, APIC timers) is one monotonic time seen alike by all vCPUs;
   * running the vCPUs "side by side" over the same interval instead made the TSC jump back by up to a quantum
   * between CPUs, and Linux's TSC synchronization check then disabled the TSC.
   */
  private turnSeed = 0x2545f491;

  /** The next SMP turn length: SMP_QUANTUM minus an xorshift32 jitter. */
  private nextQuantum(): number {
    let x = this.turnSeed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.turnSeed = x;
    return SMP_QUANTUM - ((x >>> 0) % SMP_JITTER);
  }

  run(budget: number): MachineStop {
    let done = 0;
    const smp = this.cpus.length > 1;
    while (done < budget) {
      let progressed = 0;
      let deadline = Infinity;
      for (const cpu of this.cpus) {
        if (this.poweredOff) return { reason: StopReason.Shutdown, cpu: cpu.index };
        const now = this.clock.now();
        deadline = this.clock.nextDeadline();
        let slice = Math.min(budget - done, smp ? this.nextQuantum() : Infinity);
        if (deadline !== Infinity) slice = Math.max(1, Math.min(slice, Math.ceil((deadline - now) / this.nsPerInstruction)));
        this.current = cpu.index;
        const before = cpu.icount;
        this.sliceStart = before;
        this.running = cpu;
        let r: StopReason;
        try {
          r = this.engine.run(cpu, slice);
        } finally {
          this.running = undefined;
        }
        const n = cpu.icount - before;
        if (n > 0) {
          this.clock.advanceTo(now + n * this.nsPerInstruction);
          progressed += n;
          done += n;
        }
        if (r !== StopReason.Budget && r !== StopReason.Halted) {
          if (this.poweredOff) return { reason: StopReason.Shutdown, cpu: cpu.index };
          const stop: MachineStop = { reason: r, cpu: cpu.index };
          if (r === StopReason.MonitorEvent && this.lastExit) stop.exit = { reason: this.lastExit.reason, detail: this.lastExit.detail };
          return stop;
        }
        if (this.yielded) {
          this.yielded = false;
          return { reason: StopReason.Budget, cpu: cpu.index };
        }
        if (done >= budget) break;
      }
      if (progressed === 0) {
        if (this.poweredOff) return { reason: StopReason.Shutdown, cpu: 0 };
        // Every vCPU is halted: jump to the next timer. None pending means nothing can ever wake the machine.
        deadline = this.clock.nextDeadline();
        if (deadline === Infinity) return { reason: StopReason.Halted, cpu: 0 };
        this.clock.advanceTo(deadline);
        done += 1;
      }
    }
    return { reason: StopReason.Budget, cpu: 0 };
  }
}
