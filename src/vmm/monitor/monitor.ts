import { StopReason } from '../cpu/cpu-host';
import { MachineMemory } from '../memory/machine-memory';
import { bootVm } from '../boot/boot-vm';
import { openDisks } from '../boot/disks';
import { EXIT_NAMES, Machine, type MachineStop } from './machine';
import type { MonitorConfig } from './launch-config';
import type { EngineBreakpoint, MonitorEvent, MonitorEventFilter, MonitorStats, StopEvent, Watchpoint } from './protocol';
import { Stepper, type StepGoal } from './stepper';
import { deliverIntercepted, watchpointIds } from './debug-events';
import { describeStop } from './stop-description';
import { formatExit } from './exit-trace';
import { keyInput } from './screen';

/** Host time a run slice may take before the worker looks at its messages again. */
const SLICE_MS = 8;
const CHUNK = 200_000;

interface Vm {
  name: string;
  machine: Machine;
  /** Serial and debug-console bytes not yet sent to the front end. */
  out: Map<string, number[]>;
  exited: boolean;
  /** Triple-faulted: stopped for good with its state kept; the other VMs go on when the user continues. */
  shutdown: boolean;
}

/**
 * The monitor proper: every VM, the scheduling between them, and the run control the debugger drives. It is
 * synchronous and deterministic; worker-main.ts gives it a thread and a message loop.
 */
export class Monitor {
  readonly vms: Vm[] = [];
  private running = false;
  private stepper?: { vm: number; cpu: number; s: Stepper };
  /** A step that a stop cut short (a breakpoint whose condition may be false): continueStep goes on with it. */
  private suspended?: { vm: number; cpu: number; s: Stepper };
  private scheduled = false;
  private nextVm = 0;
  private breakpoints: EngineBreakpoint[] = [];
  /**
   * The watchpoint hit behind the last 'data breakpoint' stop, kept as data (the stop event only has text) for
   * front ends that must name the watchpoint, like the GDB stub's `watch:ADDR` stop reply.
   */
  lastWatchHit?: { vm: number; cpu: number; id: number; address: number; kind: 'read' | 'write' };
  /** Called after every run slice (a few ms of guest time), e.g. to drain the exit rings into a trace file. */
  afterSlice?: () => void;

  constructor(private readonly emit: (e: MonitorEvent) => void, private readonly pauseFlag?: Int32Array) {}

  launch(config: MonitorConfig): { vms: { name: string; cpus: number }[] } {
    const totalMB = config.vms.reduce((s, v) => s + v.memoryMB, 0);
    const memory = new MachineMemory(totalMB << 20);
    config.vms.forEach((vc, index) => {
      const out = new Map<string, number[]>();
      const push = (ch: string, b: number) => {
        let q = out.get(ch);
        if (!q) out.set(ch, (q = []));
        q.push(b);
      };
      const machine = new Machine(
        {
          name: vc.name,
          memoryMB: vc.memoryMB,
          cpus: vc.cpus,
          nsPerInstruction: config.nsPerInstruction ?? 1,
          debugExitPort: vc.debugExitPort,
          disks: openDisks(vc.disks),
          shadowAudit: vc.shadowAudit,
          engine: vc.engine,
        },
        memory,
        {
          onSerial: (port, b) => push(`serial${port}`, b),
          onDebugCon: (b) => push('debugcon', b),
          onPowerOff: () => undefined,
        },
      );
      if (this.pauseFlag) for (const c of machine.cpus) c.pauseFlag = this.pauseFlag;
      bootVm(machine, vc);
      this.vms.push({ name: vc.name, machine, out, exited: false, shutdown: false });
      void index;
    });
    return { vms: this.vms.map((v) => ({ name: v.name, cpus: v.machine.cpus.length })) };
  }

  private vm(i: number): Vm {
    const v = this.vms[i];
    if (!v) throw new Error(`no VM ${i}`);
    return v;
  }

  machine(i: number): Machine {
    return this.vm(i).machine;
  }

  // ---- run control ----

  resume(): void {
    this.stepper = undefined;
    this.suspended = undefined;
    this.start();
  }

  /** Goes on with the step the last stop interrupted, or simply resumes if there was none. */
  continueStep(): void {
    this.stepper = this.suspended;
    this.suspended = undefined;
    this.start();
  }

  step(vm: number, cpu: number, goal: StepGoal, skipInterrupts: boolean): void {
    const m = this.machine(vm);
    const c = m.cpus[cpu];
    if (!c) throw new Error(`VM ${vm} has no CPU ${cpu}`);
    this.stepper = { vm, cpu, s: new Stepper(m, c, goal, skipInterrupts) };
    this.start();
  }

  pause(): void {
    if (!this.running) return;
    this.stop({ kind: 'pause', vm: this.stepper?.vm ?? 0, cpu: this.stepper?.cpu ?? 0, description: 'paused' });
  }

  terminate(): void {
    this.running = false;
  }

  private start(): void {
    deliverIntercepted(this.vms.map((v) => v.machine));
    if (this.pauseFlag) Atomics.store(this.pauseFlag, 0, 0);
    this.running = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a loop: requests (pause, serial input, reads) get handled between slices.
    setImmediate(() => {
      this.scheduled = false;
      this.slice();
    });
  }

  private slice(): void {
    if (!this.running) return;
    const until = Date.now() + SLICE_MS;
    try {
      while (this.running && Date.now() < until) {
        if (this.stepper) {
          const { vm, cpu, s } = this.stepper;
          const r = s.advance(CHUNK);
          if (r.done) this.stop({ kind: 'step', vm, cpu, description: 'step' });
          else if (r.stop !== undefined) this.onMachineStop(vm, { reason: r.stop, cpu });
          continue;
        }
        const live = this.vms.filter((v) => !v.exited && !v.shutdown);
        if (!live.length) {
          this.running = false;
          break;
        }
        // Round-robin between VMs, one chunk each: fair and deterministic per VM.
        const index = this.vms.indexOf(live[this.nextVm++ % live.length]);
        const r = this.vms[index].machine.run(CHUNK);
        if (r.reason !== StopReason.Budget) this.onMachineStop(index, r);
      }
    } catch (e) {
      this.running = false;
      this.emit({ event: 'output', body: { vm: 0, channel: 'monitor', text: `Ringside monitor error: ${(e as Error).stack ?? e}\n` } });
      this.emit({ event: 'stopped', body: { kind: 'exception', vm: 0, cpu: 0, description: 'monitor error', text: String(e) } });
    }
    this.flushOutput();
    this.afterSlice?.();
    if (this.running) this.schedule();
  }

  private onMachineStop(vmIndex: number, r: MachineStop): void {
    const vm = this.vms[vmIndex];
    const m = vm.machine;
    if (r.reason === StopReason.Paused) {
      this.stop({ kind: 'pause', vm: vmIndex, cpu: r.cpu, description: 'paused' });
      return;
    }
    if (m.poweredOff) {
      vm.exited = true;
      this.flushOutput();
      this.emit({ event: 'exited', body: { vm: vmIndex, code: m.poweredOff.code, reason: m.poweredOff.reason } });
      if (this.vms.every((v) => v.exited)) this.running = false;
      return;
    }
    if (r.reason === StopReason.Halted) {
      // Halted with nothing that could ever wake it: stop the VM, keeping its state for inspection.
      this.stop({ kind: 'exception', vm: vmIndex, cpu: r.cpu, description: 'halted', text: 'every vCPU is halted with no timer armed and interrupts unable to arrive' });
      return;
    }
    if (r.reason === StopReason.Shutdown) vm.shutdown = true;
    const hit = r.reason === StopReason.Watchpoint ? m.cpus[r.cpu].watchHit : null;
    this.lastWatchHit = hit ? { vm: vmIndex, cpu: r.cpu, id: hit.id, address: hit.address, kind: hit.kind === 2 ? 'write' : 'read' } : undefined;
    const ids = r.reason === StopReason.Breakpoint ? this.breakpointIdsAt(m, r.cpu) : r.reason === StopReason.Watchpoint ? watchpointIds(m.cpus[r.cpu]) : undefined;
    this.stop({ ...describeStop(m, r), vm: vmIndex, breakpointIds: ids });
  }

  private breakpointIdsAt(m: Machine, cpuIndex: number): number[] {
    const cpu = m.cpus[cpuIndex];
    const lin = (cpu.segBase[1] + cpu.eip) >>> 0;
    const phys = cpu.linearToPhysical(lin);
    return this.breakpoints.filter((b) => (b.space === 'linear' ? b.address === lin : b.address === phys)).map((b) => b.id);
  }

  private stop(e: StopEvent): void {
    this.running = false;
    this.suspended = e.kind === 'step' ? undefined : this.stepper;
    this.stepper = undefined;
    this.flushOutput();
    this.emit({ event: 'stopped', body: e });
  }

  private flushOutput(): void {
    this.vms.forEach((vm, i) => {
      for (const [channel, bytes] of vm.out) {
        if (!bytes.length) continue;
        const text = Buffer.from(bytes).toString('latin1');
        bytes.length = 0;
        this.emit({ event: 'output', body: { vm: i, channel: channel as 'serial0', text } });
      }
    });
  }

  // ---- debugger state ----

  setBreakpoints(list: EngineBreakpoint[]): void {
    this.breakpoints = list;
    for (const vm of this.vms) {
      for (const cpu of vm.machine.cpus) {
        for (const a of [...cpu.breakpoints]) cpu.removeBreakpoint(a);
        for (const b of list) {
          // A physical breakpoint is armed at the linear address that maps to it now (identity before paging).
          const lin = b.space === 'linear' ? b.address : cpu.cr[0] >= 0 ? b.address : undefined;
          if (lin !== undefined) cpu.addBreakpoint(lin);
        }
      }
    }
  }

  setWatchpoints(list: Watchpoint[]): void {
    for (const vm of this.vms) {
      for (const cpu of vm.machine.cpus) {
        for (const w of [...cpu.watches]) cpu.removeWatchpoint(w.id);
        for (const w of list) cpu.addWatchpoint({ id: w.id, start: w.address, length: w.length, kind: w.access === 'read' ? 1 : w.access === 'write' ? 2 : 3 });
      }
    }
  }

  setEventFilter(f: MonitorEventFilter): void {
    for (const vm of this.vms) {
      const m = vm.machine;
      m.stopOnExit.fill(0);
      for (const name of f.exits) {
        const i = EXIT_NAMES.indexOf(name);
        if (i >= 0) m.stopOnExit[i] = 1;
      }
      m.stopPorts = new Set(f.ports);
      m.stopCrs = (f.crs ?? []).reduce((bits, n) => bits | (1 << n), 0);
      for (const cpu of m.cpus) {
        cpu.intercept.fill(0);
        for (const v of f.vectors) cpu.intercept[v] = 1;
      }
    }
  }

  serialInput(vm: number, port: number, data: string): void {
    this.machine(vm).platform.com[port]?.receive(Buffer.from(data, 'latin1'));
    if (!this.running) return;
    this.schedule();
  }

  keyInput(vm: number, scancodes: number[]): void {
    keyInput(this.machine(vm), scancodes);
    if (!this.running) return;
    this.schedule();
  }

  stats(): MonitorStats {
    return {
      vms: this.vms.map((v) => {
        const shadow = { ...v.machine.shadow.stats };
        const exits: Record<string, number> = {};
        EXIT_NAMES.forEach((n, i) => (exits[n] = v.machine.exitCounts[i]));
        const devices: Record<string, number> = {};
        v.machine.io.devices.forEach((d, i) => (devices[d.name] = v.machine.io.accessCounts[i]));
        const ring = v.machine.exitRing;
        const recentExits = ring.recent(32).map((r) => formatExit(v.name, r));
        return { name: v.name, instructions: v.machine.instructions, exits, devices, shadow, engine: v.machine.engine.kind, recentExits, exitTotal: ring.total };
      }),
    };
  }
}

