import type { Cpu } from '../cpu/cpu';
import type { StopReason } from '../cpu/cpu-host';
import type { ExecutionEngine } from './engine';

/** The reference engine: the interpreter runs every instruction at the guest's own privilege. */
export class InterpretEngine implements ExecutionEngine {
  readonly kind = 'interpret' as const;

  attach(cpu: Cpu): void {
    cpu.direct = null;
  }

  run(cpu: Cpu, budget: number): StopReason {
    return cpu.run(budget);
  }
}
