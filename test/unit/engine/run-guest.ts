import * as path from 'path';
import { bootVm } from '../../../src/vmm/boot/boot-vm';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';
import type { EngineKind } from '../../../src/vmm/monitor/launch-config';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { repoRoot } from '../../support/repo';

export const popfDemo = (): string => path.join(repoRoot(), 'samples', 'workspace', 'popf-demo', 'popf-demo.elf');

export interface GuestRun {
  machine: Machine;
  serial: string;
  /** isa-debug-exit status (QEMU's (value << 1) | 1), or undefined if the guest did not power off. */
  exitCode?: number;
  stop: StopReason;
}

/**
 * Boots a multiboot guest headless in one Machine under `engine` and runs it until it powers off, stops, or
 * `budget` instructions have run; returns what it printed on COM1.
 */
export function runGuest(kernel: string, engine: EngineKind, cmdline = '', budget = 200_000_000, until?: (serial: string) => boolean): GuestRun {
  const bytes: number[] = [];
  let exitCode: number | undefined;
  const m = new Machine(
    { name: 'vm', memoryMB: 32, cpus: 1, nsPerInstruction: 1, startTimeMs: 0, debugExitPort: 0xf4, engine },
    new MachineMemory(32 << 20),
    { onSerial: (p, b) => p === 0 && bytes.push(b), onDebugCon: () => undefined, onPowerOff: (code) => (exitCode = code) },
  );
  bootVm(m, { name: 'vm', kernel, cmdline, memoryMB: 32, cpus: 1, engine, debugExitPort: 0xf4 });
  let done = 0;
  let stop: StopReason = StopReason.Budget;
  while (done < budget && exitCode === undefined) {
    const before = m.instructions;
    const r = m.run(1_000_000);
    done += m.instructions - before + 1;
    stop = r.reason;
    if (r.reason !== StopReason.Budget) break;
    if (until && until(Buffer.from(bytes).toString('latin1'))) break;
  }
  return { machine: m, serial: Buffer.from(bytes).toString('latin1'), exitCode, stop };
}
