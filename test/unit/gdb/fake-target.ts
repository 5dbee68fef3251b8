import { REG, REGISTERS, type RegisterValues } from '../../../src/gdb/registers';
import type { GdbTarget, TargetStop, TargetWatch } from '../../../src/gdb/target';

/** A two-vCPU machine with 64 KiB of memory at 0x100000, recording what the stub asks of it. */
export class FakeTarget implements GdbTarget {
  readonly cpuCount = 2;
  readonly regs = [0, 1].map((c) => REGISTERS.map((_, i) => (i < 8 ? 0x1000 * (c + 1) + i : 0)));
  readonly memory = Buffer.alloc(0x10000);
  breakpoints: number[] = [];
  watchpoints: TargetWatch[] = [];
  readonly log: string[] = [];
  running = false;
  onStop?: (s: TargetStop) => void;

  constructor() {
    this.regs[0][REG.eip] = 0x1000f2;
    this.regs[0][REG.cs] = 8;
    this.memory.write('kmain', 0xf2);
  }

  registers(cpu: number): RegisterValues {
    const st = Array.from({ length: 8 }, (_, i) => Uint8Array.from({ length: 10 }, (_, j) => (j === 9 ? 0x3f : i)));
    return { values: this.regs[cpu], st };
  }

  setRegister(cpu: number, regno: number, value: number): boolean {
    if (REGISTERS[regno].name.match(/^(cs|ss|ds|es|fs|gs)$/)) return false;
    this.regs[cpu][regno] = value >>> 0;
    return true;
  }

  readMemory(_cpu: number, address: number, length: number): Buffer {
    const off = address - 0x100000;
    if (off < 0 || off >= this.memory.length) return Buffer.alloc(0);
    return Buffer.from(this.memory.subarray(off, Math.min(off + length, this.memory.length)));
  }

  writeMemory(_cpu: number, address: number, data: Buffer): number {
    const off = address - 0x100000;
    if (off < 0 || off >= this.memory.length) return 0;
    const n = Math.min(data.length, this.memory.length - off);
    data.copy(this.memory, off, 0, n);
    return n;
  }

  setBreakpoints(linear: number[]): void {
    this.breakpoints = linear;
  }

  setWatchpoints(list: TargetWatch[]): void {
    this.watchpoints = list;
  }

  resume(): void {
    this.running = true;
    this.log.push('resume');
  }

  step(cpu: number): void {
    this.running = true;
    this.log.push(`step ${cpu}`);
  }

  command(cpu: number, text: string): string {
    return `cpu ${cpu}: ${text}`;
  }

  pause(): void {
    this.log.push('pause');
    this.running = false;
    this.onStop?.({ cpu: 0, reason: 'interrupt' });
  }
}
