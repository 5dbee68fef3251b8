import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { GuestPhysicalMemory } from '../../../src/vmm/memory/guest-physical';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import type { CpuHost, ExitReason } from '../../../src/vmm/cpu/cpu-host';
import { Cpu } from '../../../src/vmm/cpu/cpu';
import { Seg } from '../../../src/vmm/cpu/constants';

export class TestHost implements CpuHost {
  readonly phys: GuestPhysicalMemory;
  readonly io = new IoBus();
  pending: number[] = [];
  time = 0;
  exits: { reason: ExitReason; detail: number }[] = [];
  stopOn = new Set<ExitReason>();

  constructor(ramBytes = 4 << 20) {
    const machine = new MachineMemory(ramBytes + (1 << 20));
    this.phys = new GuestPhysicalMemory(machine, ramBytes);
  }
  interruptPending(): boolean {
    return this.pending.length > 0;
  }
  acknowledgeInterrupt(): number {
    return this.pending.shift() ?? -1;
  }
  now(): number {
    return this.time;
  }
  exit(_cpu: number, reason: ExitReason, detail: number): boolean {
    this.exits.push({ reason, detail });
    return this.stopOn.has(reason);
  }
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export const CODE32 = 0xc09b;
export const DATA32 = 0xc093;

/** A CPU in flat 32-bit protected mode at CPL 0 (no GDT needed: caches are set directly), code at `at`. */
export function flat32(code: string | Uint8Array, at = 0x1000): { cpu: Cpu; host: TestHost } {
  const host = new TestHost();
  const cpu = new Cpu(0, host);
  cpu.cr[0] = 0x11;
  cpu.stateChanged();
  cpu.setSegment(Seg.CS, 0x08, 0, -1, CODE32);
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, 0x10, 0, -1, DATA32);
  cpu.reg[4] = 0x80000;
  cpu.eip = at;
  host.phys.load(at, typeof code === 'string' ? hex(code) : code);
  return { cpu, host };
}

/** A CPU in real mode with code at 0000:at. */
export function real16(code: string | Uint8Array, at = 0x7c00): { cpu: Cpu; host: TestHost } {
  const host = new TestHost();
  const cpu = new Cpu(0, host);
  cpu.setSegment(Seg.CS, 0, 0, 0xffff, 0x9b);
  cpu.eip = at;
  cpu.reg[4] = 0x7000;
  host.phys.load(at, typeof code === 'string' ? hex(code) : code);
  return { cpu, host };
}

export function u32(v: number): number {
  return v >>> 0;
}
