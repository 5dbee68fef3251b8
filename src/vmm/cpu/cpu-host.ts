import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { IoBus } from '../devices/io-bus';
import type { ShadowMmu } from '../memory/shadow/shadow-mmu';

/** Why `Cpu.run` returned. Small ints so the run loop stays monomorphic. */
export const enum StopReason {
  /** The instruction budget ran out; nothing special happened. */
  Budget = 0,
  /** HLT with interrupts that may wake it: the machine should advance time to the next timer. */
  Halted = 1,
  /** EIP reached an engine breakpoint (before executing the instruction there). */
  Breakpoint = 2,
  /** A data watchpoint hit (after the accessing instruction completed). */
  Watchpoint = 3,
  /** Triple fault or an unrecoverable state: the VM stops with its state kept. */
  Shutdown = 4,
  /** A monitor event the debugger asked to stop on (exception vector, port, CR3 write...). */
  MonitorEvent = 5,
  /** The host asked to stop (pause request) at an instruction boundary. */
  Paused = 6,
}

/** Reasons for monitor exits: every privileged or sensitive action the guest kernel performs. */
export const enum ExitReason {
  IoIn = 0,
  IoOut = 1,
  CrWrite = 2,
  CrRead = 3,
  DrWrite = 4,
  DescriptorTableLoad = 5, // LGDT, LIDT, LLDT, LTR
  Hlt = 6,
  Invlpg = 7,
  Msr = 8, // RDMSR / WRMSR
  InterruptFlag = 9, // CLI / STI / POPF changing IF
  Exception = 10, // a CPU exception was delivered to the guest
  ExternalInterrupt = 11,
  SoftwareInterrupt = 12, // INT n, INT3, INTO
  Cpuid = 13,
  Hypercall = 14,
  TaskSwitch = 15,
  ModeSwitch = 16, // CR0.PE / CR0.PG change, entering or leaving V86
  RingTransition = 17, // CPL change (user->kernel or back)
  Clts = 18,
  Lmsw = 19,
  DrRead = 20,
  CacheFlush = 21, // INVD / WBINVD
  /**
   * Direct engine only: an unprivileged instruction that faulted only because the guest kernel runs at ring 1
   * (a selector with RPL 0 loaded into SS, a far return to RPL 0...), emulated at the guest's virtual CPL 0.
   */
  RingCompression = 22,
  Count = 23,
}

/** Everything the CPU needs from the machine around it. */
export interface CpuHost {
  readonly phys: GuestPhysicalMemory;
  readonly io: IoBus;
  /** The VM's shadow MMU, shared by its vCPUs; a vCPU without one gets its own. */
  readonly shadow?: ShadowMmu;
  /** True if an external (maskable) interrupt is pending for this vCPU (PIC or local APIC). */
  interruptPending(cpuIndex: number): boolean;
  /** Acknowledges the highest-priority pending interrupt and returns its vector, or -1 if it vanished. */
  acknowledgeInterrupt(cpuIndex: number): number;
  /** Virtual time in ns (for RDTSC and the local APIC timer). */
  now(): number;
  /**
   * A monitor exit happened. Returns true if the debugger wants the run to stop after it (StopReason.MonitorEvent).
   * `detail` is reason-specific: the port, the CR number, the vector...
   */
  exit(cpuIndex: number, reason: ExitReason, detail: number): boolean;
  /** FERR#: an x87 error with CR0.NE=0 (IRQ 13 on a PC). Hosts without the line make it a #MF. */
  fpuError?(cpuIndex: number): void;
  /**
   * The monitor's hypercall interface (VMCALL at CPL 0, after its Hypercall exit): reads the arguments from
   * and writes the result to the vCPU's registers. Absent: no hypervisor, VMCALL is #UD as on a bare P6.
   */
  hypercall?(cpuIndex: number): void;
  /** CPUID 0x40000001 as [EAX, EBX, ECX, EDX]; absent = all zero. */
  readonly hypervisorInfo?: Int32Array;
}
