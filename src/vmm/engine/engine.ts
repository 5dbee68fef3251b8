import type { Cpu } from '../cpu/cpu';
import type { StopReason } from '../cpu/cpu-host';
import type { EngineKind } from '../monitor/launch-config';
import { DirectEngine } from './direct';
import { InterpretEngine } from './interpret';

/**
 * How a VM's instructions get executed, chosen per launch (`engine` in launch.json, `--engine` on the command
 * line). Every engine keeps the CPU's contract: same registers, same exits, same stops; they differ in what
 * runs the guest kernel's instructions and so in what the guest can observe.
 *
 * - `interpret`: every instruction through the reference interpreter at the guest's own privilege.
 * - `direct`: the guest kernel deprivileged to ring 1 on the monitor's tables, privileged instructions trapping
 *   into the monitor (trap-and-emulate without help for the sensitive unprivileged ones; see direct.ts).
 * - a binary translator (later) slots in here: `attach` sets up its per-vCPU cache, `run` executes translated
 *   blocks and falls back to `cpu.run` for what it does not translate.
 */
export interface ExecutionEngine {
  readonly kind: EngineKind;
  /** Prepares one vCPU (after construction, before it runs). */
  attach(cpu: Cpu): void;
  /** Runs up to `budget` instructions on `cpu`, with the contract of Cpu.run. */
  run(cpu: Cpu, budget: number): StopReason;
}

export function createEngine(kind: EngineKind): ExecutionEngine {
  switch (kind) {
    case 'interpret':
      return new InterpretEngine();
    case 'direct':
      return new DirectEngine();
  }
}
