/**
 * The monitor's control API: what a front end (debug adapter, command line, GDB stub) may ask of a running
 * monitor, and the events it sends back. Plain structured-cloneable data, because the monitor runs in a worker
 * thread and these cross `postMessage`.
 */
import type { MonitorConfig } from './launch-config';
import type { PageTableSnapshot } from './page-table-snapshot';
import type { ShadowStats } from '../memory/shadow/counters';
import type { ScreenSnapshot } from './screen-snapshot';

export type AddressSpace = 'virtual' | 'linear' | 'physical';

export interface SegmentState {
  selector: number;
  base: number;
  limit: number;
  /** Access rights byte and flags as in a descriptor (type, S, DPL, P, AVL, D/B, G). */
  access: number;
}

export interface CpuState {
  vm: number;
  cpu: number;
  gpr: { eax: number; ecx: number; edx: number; ebx: number; esp: number; ebp: number; esi: number; edi: number };
  eip: number;
  eflags: number;
  seg: { es: SegmentState; cs: SegmentState; ss: SegmentState; ds: SegmentState; fs: SegmentState; gs: SegmentState };
  cr: { cr0: number; cr2: number; cr3: number; cr4: number };
  dr: number[];
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  ldtr: SegmentState;
  tr: SegmentState;
  cpl: number;
  mode: 'real' | 'protected16' | 'protected32' | 'v86';
  halted: boolean;
  instructions: number;
  fpu?: { cw: number; sw: number; tw: number; st: number[] };
  /** The SYSENTER MSRs (0x174-0x176): where the fast system-call door leads. */
  sysenter?: { cs: number; esp: number; eip: number };
}

export type StopKind =
  | 'entry'
  | 'breakpoint'
  | 'step'
  | 'pause'
  | 'data breakpoint'
  | 'exception'
  | 'shutdown'
  | 'event';

export interface StopEvent {
  kind: StopKind;
  vm: number;
  cpu: number;
  /** One line for the user: "triple fault", "#PF at 0xc0101000"... */
  description: string;
  /** Longer text: the fault chain of a triple fault, the watch hit... */
  text?: string;
  breakpointIds?: number[];
}

export interface EngineBreakpoint {
  id: number;
  address: number;
  space: 'linear' | 'physical';
}

export interface Watchpoint {
  id: number;
  address: number;
  length: number;
  access: 'read' | 'write' | 'readWrite';
}

export interface MonitorEventFilter {
  /** Exception vectors (0-31) to stop on when delivered to the guest. */
  vectors: number[];
  /** Stop on any monitor exit of these reasons (see ExitReason names). */
  exits: string[];
  /** Port filter for I/O exits; empty = all ports. */
  ports: number[];
  /** CR numbers the CrWrite filter applies to (the CR3 filter); absent or empty = any CR. */
  crs?: number[];
}

export interface MemoryRead {
  /** Base64 of the readable prefix. */
  data: string;
  /** Bytes after the readable prefix that could not be read (unmapped). */
  unreadable: number;
}

/** Requests: method name -> [params, result]. */
export interface MonitorMethods {
  launch: [{ config: MonitorConfig; stopOnEntry: boolean }, { vms: { name: string; cpus: number }[] }];
  resume: [Record<string, never>, void];
  pause: [Record<string, never>, void];
  stepInstruction: [{ vm: number; cpu: number; skipInterrupts: boolean }, void];
  /** Runs one vCPU while EIP stays in one of the linear ranges [start, end); `over` steps over calls. */
  stepRange: [{ vm: number; cpu: number; ranges: [number, number][]; over: boolean; skipInterrupts: boolean }, void];
  /** Goes on with the step a stop cut short (after a breakpoint condition turned out false); resumes if none. */
  continueStep: [Record<string, never>, void];
  /** Runs until the vCPU returns to `address` with ESP above `esp` (step out). */
  runToReturn: [{ vm: number; cpu: number; address: number; esp: number; skipInterrupts: boolean }, void];
  setBreakpoints: [{ breakpoints: EngineBreakpoint[] }, void];
  setWatchpoints: [{ watchpoints: Watchpoint[] }, void];
  setEventFilter: [{ filter: MonitorEventFilter }, void];
  getState: [{ vm: number; cpu: number }, CpuState];
  setRegister: [{ vm: number; cpu: number; name: string; value: number }, CpuState];
  readMemory: [{ vm: number; cpu: number; address: number; length: number; space: AddressSpace }, MemoryRead];
  writeMemory: [{ vm: number; cpu: number; address: number; data: string; space: AddressSpace }, { written: number }];
  translate: [{ vm: number; cpu: number; address: number }, { physical: number | null; text: string }];
  command: [{ vm: number; cpu: number; text: string }, string];
  serialInput: [{ vm: number; port: number; data: string }, void];
  stats: [Record<string, never>, MonitorStats];
  /** The page-table panel's snapshot of one address space (the vCPU's current CR3 when cr3 is omitted). */
  pageTables: [{ vm: number; cpu: number; cr3?: number }, PageTableSnapshot];
  /** The VGA text screen (screen panel). */
  screen: [{ vm: number }, ScreenSnapshot];
  /** Set-1 scancodes into the i8042's keyboard. */
  keyInput: [{ vm: number; scancodes: number[] }, void];
  terminate: [Record<string, never>, void];
}

export interface MonitorStats {
  vms: {
    name: string;
    instructions: number;
    exits: Record<string, number>;
    devices: Record<string, number>;
    /** The VM's shadow page-table counters (memory/shadow/counters.ts). */
    shadow: ShadowStats;
    /** The execution engine the VM runs under. */
    engine: string;
    /** The most recent exits (up to 32), oldest first, each as its exit-trace line (syntaxes/README.md). */
    recentExits: string[];
    /** Exits recorded since the VM started (the ring keeps the last 4096). */
    exitTotal: number;
  }[];
}

export type MonitorEvent =
  | { event: 'stopped'; body: StopEvent }
  | { event: 'continued'; body: { vm: number } }
  | { event: 'output'; body: { vm: number; channel: 'serial0' | 'serial1' | 'debugcon' | 'monitor'; text: string } }
  | { event: 'exited'; body: { vm: number; code: number; reason: string } };

export type WorkerRequest = { kind: 'request'; id: number; method: keyof MonitorMethods; params: unknown };
export type WorkerReply =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string }
  | ({ kind: 'event' } & MonitorEvent);

/** Indices into the shared control block (an Int32Array over a SharedArrayBuffer). */
export const enum ControlSlot {
  /** Non-zero: stop at the next instruction boundary (pause). Polled by the CPU's run loop. */
  PauseRequest = 0,
  Size = 4,
}
