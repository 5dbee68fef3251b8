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

/** Descriptor helpers for system tests. */
export function desc(base: number, limit: number, access: number, flags = 0xc): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | ((access & 0xff) << 8) | ((base >>> 16) & 0xff);
  return [lo | 0, hi | 0];
}

export function gate(sel: number, offset: number, type: number, dpl = 0, params = 0): [number, number] {
  const lo = ((sel & 0xffff) << 16) | (offset & 0xffff);
  const hi = (offset & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8) | params;
  return [lo | 0, hi | 0];
}

export const GDT = 0x1000;
export const IDT = 0x2000;
export const TSS = 0x3000;

/**
 * Flat protected mode with a real GDT: 0x08 code0, 0x10 data0, 0x1b code3, 0x23 data3, 0x28 TSS (at TSS,
 * ESP0 = 0x70000, SS0 = 0x10), IDT at IDT (empty; tests add gates with setGate).
 */
export function protectedSystem(code: string, at = 0x10000): { cpu: Cpu; host: TestHost; setGdt: (i: number, d: [number, number]) => void; setGate: (v: number, g: [number, number]) => void } {
  const host = new TestHost();
  const cpu = new Cpu(0, host);
  const p = host.phys;
  const setGdt = (i: number, d: [number, number]): void => {
    p.write32(GDT + i * 8, d[0]);
    p.write32(GDT + i * 8 + 4, d[1]);
  };
  const setGate = (v: number, g: [number, number]): void => {
    p.write32(IDT + v * 8, g[0]);
    p.write32(IDT + v * 8 + 4, g[1]);
  };
  setGdt(1, desc(0, 0xfffff, 0x9a));
  setGdt(2, desc(0, 0xfffff, 0x92));
  setGdt(3, desc(0, 0xfffff, 0xfa));
  setGdt(4, desc(0, 0xfffff, 0xf2));
  setGdt(5, desc(TSS, 0x67, 0x8b, 0));
  p.write32(TSS + 4, 0x70000);
  p.write32(TSS + 8, 0x10);
  cpu.dtr[0] = GDT;
  cpu.dtr[1] = 0xff;
  cpu.dtr[2] = IDT;
  cpu.dtr[3] = 0x7ff;
  cpu.cr[0] = 0x11;
  cpu.stateChanged();
  cpu.setSegment(Seg.CS, 0x08, 0, -1, CODE32);
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, 0x10, 0, -1, DATA32);
  cpu.setSegment(Seg.TR, 0x28, TSS, 0x67, 0x8b);
  cpu.reg[4] = 0x80000;
  cpu.eip = at;
  p.load(at, hex(code));
  return { cpu, host, setGdt, setGate };
}
