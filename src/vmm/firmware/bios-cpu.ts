import type { Cpu } from '../cpu/cpu';
import { Seg } from '../cpu/constants';

/**
 * A real-mode BIOS call in progress, as the TypeScript services see it: the caller's registers and the
 * FLAGS image the stub's IRET will pop (so a service returns CF/ZF by editing the stack, as a BIOS does).
 */
export class BiosCall {
  constructor(readonly cpu: Cpu, private readonly write16: (addr: number, v: number) => void, private readonly read16: (addr: number) => number) {}

  get ax(): number { return this.cpu.reg[0] & 0xffff; }
  get bx(): number { return this.cpu.reg[3] & 0xffff; }
  get cx(): number { return this.cpu.reg[1] & 0xffff; }
  get dx(): number { return this.cpu.reg[2] & 0xffff; }
  get si(): number { return this.cpu.reg[6] & 0xffff; }
  get di(): number { return this.cpu.reg[7] & 0xffff; }
  get ah(): number { return (this.cpu.reg[0] >> 8) & 0xff; }
  get al(): number { return this.cpu.reg[0] & 0xff; }
  get bh(): number { return (this.cpu.reg[3] >> 8) & 0xff; }
  get bl(): number { return this.cpu.reg[3] & 0xff; }
  get ch(): number { return (this.cpu.reg[1] >> 8) & 0xff; }
  get cl(): number { return this.cpu.reg[1] & 0xff; }
  get dh(): number { return (this.cpu.reg[2] >> 8) & 0xff; }
  get dl(): number { return this.cpu.reg[2] & 0xff; }
  get eax(): number { return this.cpu.reg[0] >>> 0; }
  get ebx(): number { return this.cpu.reg[3] >>> 0; }
  get ecx(): number { return this.cpu.reg[1] >>> 0; }
  get edx(): number { return this.cpu.reg[2] >>> 0; }
  seg(s: Seg): number { return this.cpu.segBase[s] >>> 0; }
  get es(): number { return this.seg(Seg.ES); }
  get ds(): number { return this.seg(Seg.DS); }

  set16(r: number, v: number): void { this.cpu.reg[r] = (this.cpu.reg[r] & ~0xffff) | (v & 0xffff); }
  set32(r: number, v: number): void { this.cpu.reg[r] = v | 0; }
  set ax(v: number) { this.set16(0, v); }
  set bx(v: number) { this.set16(3, v); }
  set cx(v: number) { this.set16(1, v); }
  set dx(v: number) { this.set16(2, v); }
  set ah(v: number) { this.cpu.reg[0] = (this.cpu.reg[0] & ~0xff00) | ((v & 0xff) << 8); }
  set al(v: number) { this.cpu.reg[0] = (this.cpu.reg[0] & ~0xff) | (v & 0xff); }

  /** FLAGS as pushed by the INT: at SS:SP+4 while the stub runs. */
  private get flagsAddr(): number {
    return (this.cpu.segBase[Seg.SS] + ((this.cpu.reg[4] + 4) & 0xffff)) >>> 0;
  }

  private setFlag(bit: number, on: boolean): void {
    const f = this.read16(this.flagsAddr);
    this.write16(this.flagsAddr, on ? f | bit : f & ~bit);
  }

  set cf(on: boolean) { this.setFlag(1, on); }
  set zf(on: boolean) { this.setFlag(0x40, on); }

  /** Success: CF clear, AH = 0. */
  ok(): void {
    this.cf = false;
    this.ah = 0;
  }

  /** Failure: CF set, AH = status. */
  fail(status: number): void {
    this.cf = true;
    this.ah = status;
  }
}
