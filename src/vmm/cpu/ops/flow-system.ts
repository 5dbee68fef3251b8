import type { Cpu } from '../cpu';
import { ExitReason } from '../cpu-host';
import { CR0, EventKind, F } from '../constants';
import { gp, ud } from '../fault';
import { rd16, rd32 } from '../access';
import { cf, freeze, getFlags, of } from '../flags';
import { monitorExit } from '../exits';
import { decodeEA } from '../modrm';
import { pop16, pop32, push16, push32 } from '../stack';
import { deliverEvent } from '../interrupts';
import { farCall, farJump, farReturn, iret } from '../far';
import { loadEflags, popfMask } from '../eflags';
import { requireCpl0 } from './system';
import type { Handler } from '../handler';

/** INT/IRET/far transfers, HLT, interrupt-flag and flag-register instructions. */

function softInt(c: Cpu, v: number, kind: EventKind): void {
  monitorExit(c, ExitReason.SoftwareInterrupt, v);
  deliverEvent(c, v, kind, 0);
}

export const int3: Handler = (c) => softInt(c, 3, EventKind.Software);
export const intIb: Handler = (c) => softInt(c, c.fetch8(), EventKind.Software);
export const into: Handler = (c) => {
  if (of(c)) softInt(c, 4, EventKind.Software);
};
/** ICEBP (F1): a #DB trap that sets no DR6 status bit and ignores the gate DPL. */
export const icebp: Handler = (c) => deliverEvent(c, 1, EventKind.Icebp, 0);

export const iretOp: Handler = (c) => {
  const before = c.flags & F.IF;
  iret(c);
  if ((c.flags & F.IF) !== before) monitorExit(c, ExitReason.InterruptFlag, c.flags & F.IF ? 1 : 0);
  // IRET ends NMI blocking (the SDM's "until the next IRET").
  c.nmiBlocked = false;
  c.attn = true;
};

export const retf: Handler = (c) => farReturn(c, 0);
export const retfIw: Handler = (c) => farReturn(c, c.fetch16());

/** EA / 9A: ptr16:16 or ptr16:32 immediate. */
export const jmpAp: Handler = (c) => {
  const off = c.osz ? c.fetch32() : c.fetch16();
  farJump(c, c.fetch16(), off);
};
export const callAp: Handler = (c) => {
  const off = c.osz ? c.fetch32() : c.fetch16();
  farCall(c, c.fetch16(), off);
};

function farIndirect(call: boolean): Handler {
  return (c) => {
    if (c.modrm >= 0xc0) ud(c);
    decodeEA(c);
    const off = c.osz ? rd32(c, c.eaSeg, c.eaOff) : rd16(c, c.eaSeg, c.eaOff);
    const sel = rd16(c, c.eaSeg, (c.eaOff + (c.osz ? 4 : 2)) | 0);
    if (call) farCall(c, sel, off);
    else farJump(c, sel, off);
  };
}

export const callEp = farIndirect(true);
export const jmpEp = farIndirect(false);

export const hlt: Handler = (c) => {
  requireCpl0(c);
  monitorExit(c, ExitReason.Hlt, 0);
  c.halted = true;
  c.attn = true;
};

/** CLI/STI: IOPL-sensitive in protected and V86 mode (no VME/PVI). */
function ifAllowed(c: Cpu): void {
  if ((c.cr[0] & CR0.PE) === 0) return;
  const iopl = (c.flags >>> 12) & 3;
  if (c.flags & F.VM ? iopl < 3 : c.cpl > iopl) gp(c, 0);
}

export const cli: Handler = (c) => {
  ifAllowed(c);
  monitorExit(c, ExitReason.InterruptFlag, 0);
  c.flags &= ~F.IF;
};

export const sti: Handler = (c) => {
  ifAllowed(c);
  monitorExit(c, ExitReason.InterruptFlag, 1);
  if ((c.flags & F.IF) === 0) {
    c.flags |= F.IF;
    c.shadow = true;
  }
  c.attn = true;
};

export const pushf: Handler = (c) => {
  if (c.flags & F.VM && ((c.flags >>> 12) & 3) < 3) gp(c, 0);
  const v = getFlags(c) & ~(F.VM | F.RF);
  if (c.osz) push32(c, v);
  else push16(c, v);
};

export const popf: Handler = (c) => {
  if (c.flags & F.VM && ((c.flags >>> 12) & 3) < 3) gp(c, 0);
  const before = c.flags & F.IF;
  const v = c.osz ? pop32(c) : pop16(c);
  loadEflags(c, v, popfMask(c, c.osz === 1));
  if ((c.flags & F.IF) !== before) monitorExit(c, ExitReason.InterruptFlag, c.flags & F.IF ? 1 : 0);
};

export const sahf: Handler = (c) => {
  freeze(c, F.ARITH);
  const ah = (c.reg[0] >> 8) & 0xff;
  c.flags = (c.flags & ~0xd5) | (ah & 0xd5);
};

export const lahf: Handler = (c) => {
  const f = getFlags(c) & 0xd7;
  c.reg[0] = (c.reg[0] & ~0xff00) | ((f | 2) << 8);
};

export const clc: Handler = (c) => {
  freeze(c, F.CF);
  c.flags &= ~F.CF;
};
export const stc: Handler = (c) => {
  freeze(c, F.CF);
  c.flags |= F.CF;
};
export const cmc: Handler = (c) => {
  const v = cf(c);
  freeze(c, F.CF);
  c.flags = (c.flags & ~F.CF) | (v ^ 1);
};
export const cld: Handler = (c) => {
  c.flags &= ~F.DF;
};
export const std: Handler = (c) => {
  c.flags |= F.DF;
};

export const ud2: Handler = (c) => ud(c);
