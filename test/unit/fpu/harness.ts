/**
 * Test support: an X87Host over a small byte array (no CPU needed), and a runner that executes one x87
 * instruction on a given state, shaped like the oracle's result so the two can be compared field by field.
 */
import { X87Fpu } from '../../../src/vmm/cpu/fpu/x87';
import { X87Host } from '../../../src/vmm/cpu/fpu/x87-host';

export const DATA_BASE = 0x20000000;
export const DATA_LEN = 128;

export class MathFault extends Error {}
export class InvalidOpcode extends Error {}

export class ArrayHost implements X87Host {
  eflags = 0x202;
  ax = 0;
  o32 = true;
  pm = true;
  constructor(readonly data: Uint8Array) {}
  private at(a: number, n: number): number {
    const o = a - DATA_BASE;
    if (o < 0 || o + n > this.data.length) throw new RangeError(`access outside the test buffer: ${a.toString(16)}`);
    return o;
  }
  read8(a: number): number {
    return this.data[this.at(a, 1)];
  }
  read16(a: number): number {
    const o = this.at(a, 2);
    return this.data[o] | (this.data[o + 1] << 8);
  }
  read32(a: number): number {
    const o = this.at(a, 4);
    return (this.data[o] | (this.data[o + 1] << 8) | (this.data[o + 2] << 16) | (this.data[o + 3] << 24)) >>> 0;
  }
  write8(a: number, v: number): void {
    this.data[this.at(a, 1)] = v & 0xff;
  }
  write16(a: number, v: number): void {
    const o = this.at(a, 2);
    this.data[o] = v & 0xff;
    this.data[o + 1] = (v >>> 8) & 0xff;
  }
  write32(a: number, v: number): void {
    const o = this.at(a, 4);
    for (let i = 0; i < 4; i++) this.data[o + i] = (v >>> (8 * i)) & 0xff;
  }
  probeWrite(a: number, n: number): void {
    this.at(a, n);
  }
  operandSize32(): boolean {
    return this.o32;
  }
  protectedMode(): boolean {
    return this.pm;
  }
  raiseMathFault(): void {
    throw new MathFault('#MF');
  }
  readEflags(): number {
    return this.eflags;
  }
  setCompareFlags(zf: number, pf: number, cf: number): void {
    this.eflags = (this.eflags & ~0x8d5) | (zf << 6) | (pf << 2) | cf;
  }
  writeAX(v: number): void {
    this.ax = v & 0xffff;
  }
  raiseInvalidOpcode(): void {
    throw new InvalidOpcode('#UD');
  }
}

export interface FpuState {
  cw: number;
  sw: number;
  tw: number;
  /** ST(0)..ST(7), 10 bytes little-endian each. */
  st: Uint8Array[];
}

export interface FpuCase extends FpuState {
  /** Escape opcode and ModRM; memory forms use [eax] (ModRM rm=0, mod=0), eax = DATA_BASE. */
  code: number[];
  eflags: number;
  data: Uint8Array;
}

export interface FpuResult extends FpuState {
  /** 'ok', or a fault: 'ud', 'mf', 'sig4', 'sig8', ... */
  status: string;
  eflags: number;
  data: Uint8Array;
}

export function runLocal(c: FpuCase): FpuResult {
  const fpu = new X87Fpu();
  fpu.load(c);
  const data = Uint8Array.from(c.data);
  const host = new ArrayHost(data);
  host.eflags = (c.eflags & 0x8d5) | 0x202;
  let status = 'ok';
  try {
    // Instructions are FWAIT (9B) or [66] escape ModRM with [eax] memory operands (no displacement).
    for (let i = 0; i < c.code.length; ) {
      host.o32 = c.code[i] !== 0x66;
      if (!host.o32) i++;
      if (c.code[i] === 0x9b) {
        fpu.checkPendingFault(host);
        i++;
        continue;
      }
      const modrm = c.code[i + 1];
      fpu.execute(host, c.code[i], modrm, modrm < 0xc0 ? DATA_BASE : 0);
      i += 2;
    }
  } catch (e) {
    if (e instanceof MathFault) status = 'mf';
    else if (e instanceof InvalidOpcode) status = 'ud';
    else throw e;
  }
  const s = fpu.snapshot();
  return { status, cw: s.cw, sw: s.sw, tw: s.tw, st: s.st, eflags: host.eflags, data };
}

/** The first instruction of a case: escape opcode, ModRM and whether it has a 66 (16-bit operand) prefix. */
export function firstInsn(code: number[]): { op: number; modrm: number; o16: boolean } {
  const o16 = code[0] === 0x66;
  return { op: code[o16 ? 1 : 0], modrm: code[o16 ? 2 : 1], o16 };
}

export function hex80(b: Uint8Array): string {
  let s = '';
  for (let i = 9; i >= 0; i--) s += b[i].toString(16).padStart(2, '0');
  return s;
}

export function from80hex(h: string): Uint8Array {
  const b = new Uint8Array(10);
  for (let i = 0; i < 10; i++) b[9 - i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

/** A default state: FNINIT with the given registers loaded as ST(0).. (hex, most significant first). */
export function stateWith(regs: string[], cw = 0x37f): FpuState {
  const st: Uint8Array[] = [];
  let tw = 0xffff;
  const top = 0;
  for (let i = 0; i < 8; i++) {
    st.push(i < regs.length ? from80hex(regs[i]) : new Uint8Array(10));
    if (i < regs.length) tw &= ~(3 << (2 * ((top + i) & 7)));
  }
  return { cw, sw: top << 11, tw, st };
}
