import type { Cpu } from './cpu';
import { CR0, F, Seg } from './constants';
import { freeze, getFlags } from './flags';
import { raise } from './fault';
import { checkSegRange, probeWrite, rl16, rl32, rl8, wl16, wl32, wl8 } from './access';
import { decodeEA } from './modrm';
import { isProtected } from './segmentation';
import type { X87Host } from './fpu/x87-host';
import type { Handler } from './handler';

/** The CPU side of the x87 contract: #NM checks, effective addresses, and memory at the current privilege. */

export function makeX87Host(c: Cpu): X87Host {
  return {
    read8: (lin) => rl8(c, lin | 0),
    read16: (lin) => rl16(c, lin | 0),
    read32: (lin) => rl32(c, lin | 0),
    write8: (lin, v) => wl8(c, lin | 0, v),
    write16: (lin, v) => wl16(c, lin | 0, v),
    write32: (lin, v) => wl32(c, lin | 0, v),
    probeWrite: (lin, length) => probeWrite(c, lin | 0, length),
    operandSize32: () => c.osz === 1,
    protectedMode: () => isProtected(c),
    // CR0.NE=0 is MS-DOS compatible reporting: FERR# raises IRQ 13 and the waiting instruction goes on (as
    // Bochs models it; the 486's freeze until the interrupt is not observable to a handler that clears ES).
    raiseMathFault: () => {
      if (c.cr[0] & CR0.NE || c.host.fpuError === undefined) raise(c, 16);
      c.host.fpuError(c.index);
    },
    readEflags: () => getFlags(c),
    setCompareFlags: (zf, pf, cf) => {
      freeze(c, F.ARITH);
      c.flags = (c.flags & ~F.ARITH) | (zf ? F.ZF : 0) | (pf ? F.PF : 0) | (cf ? F.CF : 0);
    },
    writeAX: (v) => {
      c.reg[0] = (c.reg[0] & ~0xffff) | (v & 0xffff);
    },
    raiseInvalidOpcode: () => raise(c, 6),
    instructionPointers: () => ({ cs: c.segSel[Seg.CS], eip: c.instrStart >>> 0, ds: c.x87Ds, offset: c.x87Off >>> 0 }),
  };
}

/** D8-DF. The limit check covers the first byte only; the FPU's multi-byte images are checked by paging. */
export const x87Escape: Handler = (c) => {
  if (c.cr[0] & (CR0.EM | CR0.TS) || c.fpu === null) raise(c, 7);
  let ea = 0;
  if (c.modrm < 0xc0) {
    decodeEA(c);
    ea = checkSegRange(c, c.eaSeg, c.eaOff, 1, false);
    c.x87Ds = c.segSel[c.eaSeg];
    c.x87Off = c.eaOff;
  }
  c.fpu.execute(c.x87Host, c.instrOp, c.modrm, ea);
};

export const fwait: Handler = (c) => {
  if ((c.cr[0] & (CR0.TS | CR0.MP)) === (CR0.TS | CR0.MP)) raise(c, 7);
  c.fpu?.checkPendingFault(c.x87Host);
};
