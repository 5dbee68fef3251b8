import type { Cpu } from '../cpu';
import { ExitReason } from '../cpu-host';
import { CR0, F, Seg } from '../constants';
import { gp } from '../fault';
import { sysRead16 } from '../access';
import { monitorExit } from '../exits';
import type { Handler } from '../handler';

/**
 * Port I/O. Protected mode with CPL > IOPL, and V86 mode always, consult the TSS I/O permission bitmap.
 * Every access is a monitor exit and then goes to the machine's IoBus.
 */
export function checkIoPermission(c: Cpu, port: number, size: number): void {
  if ((c.cr[0] & CR0.PE) === 0) return;
  const vm = (c.flags & F.VM) !== 0;
  if (!vm && c.cpl <= ((c.flags >>> 12) & 3)) return;
  // Ring compression: the monitor's TSS has no I/O bitmap, so every port access of the guest kernel traps.
  if (c.direct !== null && c.cpl === 1 && !vm) gp(c, 0);
  const type = c.segAr[Seg.TR] & 0xf;
  if (type !== 9 && type !== 11) gp(c, 0);
  const limit = c.segLimit[Seg.TR] >>> 0;
  if (limit < 0x67) gp(c, 0);
  const base = c.segBase[Seg.TR];
  const off = sysRead16(c, (base + 0x66) | 0) + (port >>> 3);
  if (off + 1 > limit) gp(c, 0);
  const bits = sysRead16(c, (base + off) | 0);
  if ((bits >>> (port & 7)) & ((1 << size) - 1)) gp(c, 0);
}

/** I/O breakpoints (CR4.DE, DR7 R/W = 10): a #DB trap after the instruction, like a data breakpoint. */
function ioBreakpoint(c: Cpu, port: number, size: number): void {
  const dr7 = c.dr[7];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >>> (n * 2)) & 3) === 0 || ((dr7 >>> (16 + n * 4)) & 3) !== 2) continue;
    const len = [1, 2, 8, 4][(dr7 >>> (18 + n * 4)) & 3];
    const start = c.dr[n] & 0xffff & ~(len - 1);
    if (port < start + len && port + size > start) c.pendingDr6 |= 1 << n;
  }
  c.attn = true;
}

export function ioRead(c: Cpu, port: number, size: number): number {
  if (c.ioBreakpoints) ioBreakpoint(c, port, size);
  monitorExit(c, ExitReason.IoIn, port);
  c.attn = true; // a device may have changed its interrupt line
  return c.host.io.read(port, size as 1 | 2 | 4);
}

export function ioWrite(c: Cpu, port: number, size: number, v: number): void {
  if (c.ioBreakpoints) ioBreakpoint(c, port, size);
  monitorExit(c, ExitReason.IoOut, port);
  c.attn = true;
  const m = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  c.host.io.write(port, size as 1 | 2 | 4, v & m);
}

function inOp(size: 1 | 0, fromDx: boolean): Handler {
  return (c) => {
    const port = fromDx ? c.reg[2] & 0xffff : c.fetch8();
    const sz = size === 1 ? 1 : c.osz ? 4 : 2;
    checkIoPermission(c, port, sz);
    const v = ioRead(c, port, sz);
    if (sz === 1) c.reg[0] = (c.reg[0] & ~0xff) | (v & 0xff);
    else if (sz === 2) c.reg[0] = (c.reg[0] & ~0xffff) | (v & 0xffff);
    else c.reg[0] = v;
  };
}

function outOp(size: 1 | 0, fromDx: boolean): Handler {
  return (c) => {
    const port = fromDx ? c.reg[2] & 0xffff : c.fetch8();
    const sz = size === 1 ? 1 : c.osz ? 4 : 2;
    checkIoPermission(c, port, sz);
    ioWrite(c, port, sz, c.reg[0]);
  };
}

export const inAlIb = inOp(1, false);
export const inAxIb = inOp(0, false);
export const inAlDx = inOp(1, true);
export const inAxDx = inOp(0, true);
export const outIbAl = outOp(1, false);
export const outIbAx = outOp(0, false);
export const outDxAl = outOp(1, true);
export const outDxAx = outOp(0, true);
