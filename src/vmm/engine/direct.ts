import type { Cpu } from '../cpu/cpu';
import type { StopReason } from '../cpu/cpu-host';
import { DirectState } from '../cpu/ring-compression';
import type { ExecutionEngine } from './engine';

/**
 * Direct execution, as a classic trap-and-emulate monitor would do it on x86: the guest kernel runs at ring 1
 * on the monitor's descriptor tables, and only what faults there reaches the monitor. The mechanism (shadow
 * descriptors, the ring-1 stack, virtual IF/IOPL, the #GP intercept and its emulation) is the CPU's ring
 * compression (cpu/ring-compression.ts); this engine switches it on per vCPU. Real mode and V86 are still
 * interpreted at their own privilege.
 *
 * It is deliberately wrong where the hardware is: POPF and IRET at ring 1 silently keep IF, so the guest's
 * virtual IF is never restored by them (samples/workspace/popf-demo shows it), PUSHF shows the monitor's IF and
 * IOPL, SGDT/SIDT/SMSW/LAR/LSL and reads of CS reveal the monitor. The binary translator will fix exactly these.
 */
export class DirectEngine implements ExecutionEngine {
  readonly kind = 'direct' as const;

  attach(cpu: Cpu): void {
    cpu.direct = new DirectState();
    cpu.attn = true;
  }

  run(cpu: Cpu, budget: number): StopReason {
    return cpu.run(budget);
  }
}
