import type { RegisterValues } from './registers';

/**
 * What the GDB stub needs from a machine: one VM's vCPUs (gdb threads 1..n), registers, memory by linear
 * address, engine breakpoints and watchpoints, and run control. The stub knows nothing else of the monitor,
 * so its tests run against a fake.
 */
export type WatchKind = 'write' | 'read' | 'access';

export interface TargetWatch {
  address: number;
  length: number;
  kind: WatchKind;
}

/** Why the target stopped, in the stub's terms. */
export interface TargetStop {
  cpu: number;
  reason: 'breakpoint' | 'step' | 'interrupt' | 'watch' | 'other';
  /** For 'watch': the hit watchpoint (as the stub set it) and the access. */
  watch?: TargetWatch;
  /** Shown on the stub's log (triple fault, halted...). */
  description?: string;
}

export interface GdbTarget {
  readonly cpuCount: number;
  registers(cpu: number): RegisterValues;
  /** Writes one register by gdb number; false if that register cannot be written. */
  setRegister(cpu: number, regno: number, value: number): boolean;
  /** The readable prefix of [address, address + length), by linear address. */
  readMemory(cpu: number, address: number, length: number): Buffer;
  /** Bytes written (a prefix: stops at the first unmapped or non-RAM byte). */
  writeMemory(cpu: number, address: number, data: Buffer): number;
  setBreakpoints(linear: number[]): void;
  setWatchpoints(list: TargetWatch[]): void;
  resume(): void;
  step(cpu: number): void;
  /** Stops a running target; it reports the stop through the stub's `stopped`. */
  pause(): void;
  readonly running: boolean;
  /** gdb's `monitor ...` command (qRcmd): the monitor's own commands (walk, gdt, idt, info tlb, exits). */
  command(cpu: number, text: string): string;
}
