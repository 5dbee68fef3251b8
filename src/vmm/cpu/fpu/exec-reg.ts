/** The register forms of D8-DF (ModRM.mod == 3). */
import { compare, examine, Order, orderToFlags } from './compare';
import { Core } from './core';
import { F80, f80, INDEFINITE, ONE, POS_ZERO, withSign } from './f80';
import { fprem, frndint, fscale, fxtract } from './reduce';
import { FMT80, pack80, roundExact, Rounded } from './round';
import { X87State } from './state';
import { sqrt } from './arith';
import { C0, C2, C3, Ctx, IE, SF } from './status';
import { f2xm1, fpatan, fyl2x, trig, trigOutOfRange } from './transcendental';

/** Constants to 128 bits (significand with the binary point after the first bit, and the exponent). */
const CONSTANTS: [bigint, number][] = [
  [0x80000000000000000000000000000000n, 0], // 1
  [0xd49a784bcd1b8afe492bf6ff4dafdb4cn, 1], // log2(10)
  [0xb8aa3b295c17f0bbbe87fed0691d3e88n, 0], // log2(e)
  [0xc90fdaa22168c234c4c6628b80dc1cd1n, 1], // pi
  [0x9a209a84fbcfff7988f8959ac0b7c9178n >> 4n, -2], // log10(2), see below
  [0xb17217f7d1cf79abc9e3b39803f2f6afn, -1], // ln(2)
];
// log10(2) = 0x0.4D104D427DE7FBCC47C4ACD605BE48BC...; as 1.xxx * 2^-2 the 128-bit significand is below.
CONSTANTS[4] = [0x9a209a84fbcff7988f8959ac0b7c9178n, -2];

function constant(k: number, ctx: Ctx): F80 {
  if (k === 6) return POS_ZERO;
  const [sig, E] = CONSTANTS[k];
  // Rounded per RC (not PC) from the internal 128-bit value; loading a constant raises no PE.
  return pack80(roundExact(0, sig, E - 127, FMT80, new Ctx(ctx.cw | 0x3f)) as Rounded);
}

/** Masked stack faults deliver the indefinite; unmasked ones (null) deliver nothing. */
function underflowOr(c: Core, i: number, ctx: Ctx): F80 | null {
  return c.operand(i, ctx);
}

function fxch(c: Core, i: number, ctx: Ctx): void {
  const st = c.st;
  let a: F80 | null = st.get(0);
  let b: F80 | null = st.get(i);
  if (st.isEmpty(0) || st.isEmpty(i)) {
    ctx.stackUnderflow();
    if (!ctx.masked(IE)) return st.report(ctx);
    if (st.isEmpty(0)) a = INDEFINITE;
    if (st.isEmpty(i)) b = INDEFINITE;
  }
  st.set(0, b);
  st.set(i, a);
  st.report(ctx);
}

function fstReg(c: Core, i: number, pop: boolean, ctx: Ctx): void {
  const v = c.operand(0, ctx);
  if (v === null) return c.st.report(ctx);
  c.st.set(i, v);
  if (pop) c.st.pop();
  c.st.report(ctx);
}

function fcmov(c: Core, opcode: number, reg: number, i: number, ctx: Ctx): void {
  ctx.c1 = -1;
  const fl = c.need('readEflags')();
  const cf = fl & 1;
  const pf = (fl >>> 2) & 1;
  const zf = (fl >>> 6) & 1;
  let cond = [cf, zf, cf | zf, pf][reg & 3] !== 0;
  if (opcode === 0xdb) cond = !cond;
  const src = c.operand(i, ctx);
  if (c.st.isEmpty(0) && !(ctx.flags & SF)) ctx.stackUnderflow();
  if (ctx.flags & SF) {
    if (!ctx.masked(IE)) return c.st.report(ctx);
    c.st.set(0, INDEFINITE);
    return c.st.report(ctx);
  }
  if (cond && src) c.st.set(0, src);
  c.st.report(ctx);
}

function fcomi(c: Core, i: number, quiet: boolean, pop: boolean, ctx: Ctx): void {
  ctx.c1 = -1;
  const a = c.operand(0, ctx);
  const b = c.operand(i, ctx);
  if (a === null || b === null) {
    c.need('setCompareFlags')(1, 1, 1);
    return c.st.report(ctx);
  }
  const o = ctx.flags & SF ? Order.Unordered : compare(a, b, quiet, ctx);
  const [zf, pf, cf] = orderToFlags(o);
  c.need('setCompareFlags')(zf, pf, cf);
  c.commit(ctx, () => {
    if (pop) c.st.pop();
  });
}

/** D9 E0..FF: the one-operand group. */
function d9Group(c: Core, modrm: number, ctx: Ctx): void {
  const st = c.st;
  switch (modrm) {
    case 0xe0: // FCHS
    case 0xe1: {
      // FABS
      const v = c.operand(0, ctx);
      if (v === null) return st.report(ctx);
      st.set(0, ctx.flags & SF ? v : withSign(v, modrm === 0xe0 ? (v.se >>> 15) ^ 1 : 0));
      return st.report(ctx);
    }
    case 0xe4: {
      // FTST
      const v = c.operand(0, ctx);
      if (v === null) {
        st.setCC(C3 | C2 | C0);
        return st.report(ctx);
      }
      return c.compareCC(v, POS_ZERO, false, ctx, 0);
    }
    case 0xe5: // FXAM (no exception for an empty register)
      return st.setCC(examine(st.get(0), st.isEmpty(0)));
    case 0xf6: // FDECSTP
    case 0xf7: // FINCSTP
      st.top = (st.top + (modrm === 0xf6 ? 7 : 1)) & 7;
      return st.report(ctx);
  }
  if (modrm >= 0xe8 && modrm <= 0xee) return c.pushChecked(constant(modrm - 0xe8, ctx), ctx);
  unaryOrTranscendental(c, modrm, ctx);
}

function unaryOrTranscendental(c: Core, modrm: number, ctx: Ctx): void {
  const st = c.st;
  // These clear C2 whatever happens (stack faults, unmasked exceptions); only out-of-range/partial set it.
  if ([0xf2, 0xf5, 0xf8, 0xfb, 0xfe, 0xff].includes(modrm)) st.sw &= ~C2;
  const a = c.operand(0, ctx);
  const twoOps = [0xf1, 0xf3, 0xf5, 0xf8, 0xf9, 0xfd].includes(modrm);
  const b = twoOps ? c.operand(1, ctx) : POS_ZERO;
  if (a === null || b === null) return st.report(ctx);
  const fault = (ctx.flags & SF) !== 0;
  // Instructions that push check for overflow before computing anything.
  const pushes = modrm === 0xf4 || modrm === 0xf2 || modrm === 0xfb;
  if (pushes && !fault && !st.isEmpty(7)) {
    ctx.stackOverflow();
    if (modrm !== 0xf4) st.sw &= ~C2;
    if (!ctx.masked(IE)) return st.report(ctx);
    return c.commit(ctx, () => {
      st.set(0, INDEFINITE);
      st.push(INDEFINITE);
    });
  }
  switch (modrm) {
    case 0xfa: // FSQRT
    case 0xfc: // FRNDINT
    case 0xf0: {
      // F2XM1
      const r = fault ? INDEFINITE : modrm === 0xfa ? sqrt(a, ctx) : modrm === 0xfc ? frndint(a, ctx) : f2xm1(a, ctx);
      return c.commit(ctx, () => st.set(0, r));
    }
    case 0xfd: {
      // FSCALE
      const r = fault ? INDEFINITE : fscale(a, b, ctx);
      return c.commit(ctx, () => st.set(0, r));
    }
    case 0xf1: // FYL2X
    case 0xf9: // FYL2XP1
    case 0xf3: {
      // FPATAN
      const r = fault ? INDEFINITE : modrm === 0xf3 ? fpatan(a, b, ctx) : fyl2x(a, b, modrm === 0xf9, ctx);
      return c.commit(ctx, () => {
        st.set(1, r);
        st.pop();
      });
    }
    case 0xf8: // FPREM
    case 0xf5: {
      // FPREM1
      // C2 ("incomplete") is cleared whatever happens, even when an unmasked exception aborts.
      st.sw &= ~C2;
      if (fault) return c.commit(ctx, () => st.set(0, INDEFINITE));
      const { r, cc } = fprem(a, b, modrm === 0xf5, ctx);
      return c.commit(ctx, () => {
        st.set(0, r);
        if (cc >= 0) {
          st.setCC(cc);
          ctx.c1 = (cc >>> 9) & 1;
        }
      });
    }
    case 0xf4: // FXTRACT
      return pushPair(c, fault ? [INDEFINITE, INDEFINITE] : fxtract(a, ctx), ctx);
    case 0xfe: // FSIN
    case 0xff: // FCOS
    case 0xf2: // FPTAN
    case 0xfb: {
      // FSINCOS
      if (!fault && trigOutOfRange(a)) {
        st.sw |= C2;
        return st.report(ctx);
      }
      const clearC2 = () => (st.sw &= ~C2);
      if (modrm === 0xfe || modrm === 0xff) {
        const r = fault ? INDEFINITE : trig(a, modrm === 0xfe ? 'sin' : 'cos', ctx);
        return c.commit(ctx, () => {
          st.set(0, r);
          clearC2();
        });
      }
      const pair: [F80, F80] = fault
        ? [INDEFINITE, INDEFINITE]
        : modrm === 0xf2
          ? [trig(a, 'tan', ctx), ONE]
          : [trig(a, 'sin', ctx), trig(a, 'cos', ctx)];
      // A NaN (or invalid) tangent is pushed twice instead of the 1.0.
      if (modrm === 0xf2 && (pair[0].se & 0x7fff) === 0x7fff && (pair[0].hi & 0x3fffffff || pair[0].lo || (pair[0].hi & 0x40000000)))
        pair[1] = pair[0];
      clearC2();
      return pushPair(c, pair, ctx);
    }
  }
  throw new Error(`x87: unhandled D9 ${modrm.toString(16)}`);
}

/** Replaces ST(0) with `first` and pushes `second` (FXTRACT, FPTAN, FSINCOS), checking for overflow. */
function pushPair(c: Core, [first, second]: [F80, F80], ctx: Ctx): void {
  const st = c.st;
  if (!st.isEmpty(7) && !(ctx.flags & SF)) {
    ctx.stackOverflow();
    if (!ctx.masked(IE)) return st.report(ctx);
    first = second = INDEFINITE;
  }
  c.commit(ctx, () => {
    st.set(0, first);
    st.push(second);
  });
}

export function execReg(c: Core, opcode: number, modrm: number): void {
  const st: X87State = c.st;
  const ctx = c.ctx();
  const reg = (modrm >>> 3) & 7;
  const i = modrm & 7;
  switch (opcode) {
    case 0xd8:
      return c.arith(reg, 0, underflowOr(c, i, ctx), ctx, 0);
    case 0xdc:
      if (reg === 2 || reg === 3) return c.arith(reg, 0, underflowOr(c, i, ctx), ctx, 0); // FCOM2/FCOMP3
      return c.arith(reg, i, underflowOr(c, 0, ctx), ctx, 0, true);
    case 0xde:
      if (reg === 2) return c.arith(3, 0, underflowOr(c, i, ctx), ctx, 0); // FCOMP5
      if (reg === 3) return c.arith(3, 0, underflowOr(c, 1, ctx), ctx, 1); // FCOMPP
      return c.arith(reg, i, underflowOr(c, 0, ctx), ctx, 1, true);
    case 0xd9:
      if (reg === 0) {
        const v = st.isEmpty(i) ? null : st.get(i);
        if (v === null) {
          // An empty source is reported as underflow even if the push would also overflow.
          ctx.stackUnderflow();
          if (ctx.masked(IE)) st.push(INDEFINITE);
          return st.report(ctx);
        }
        return c.pushChecked(v, ctx);
      }
      if (reg === 1) return fxch(c, i, ctx);
      if (reg === 2) return; // FNOP
      if (reg === 3) {
        // FSTP1 (undocumented alias): measured on real hardware, an empty ST(0) is no stack fault here; the
        // destination is left alone and the pop still happens.
        if (st.isEmpty(0)) {
          st.pop();
          return st.report(ctx);
        }
        return fstReg(c, i, true, ctx);
      }
      return d9Group(c, modrm, ctx);
    case 0xda:
      if (reg < 4) return fcmov(c, opcode, reg, i, ctx);
      return compareRegs(c, 1, true, 2, ctx); // FUCOMPP
    case 0xdb:
      if (reg < 4) return fcmov(c, opcode, reg, i, ctx);
      if (reg === 4) {
        if (modrm === 0xe2) {
          st.sw &= ~0x80ff; // FNCLEX
        } else if (modrm === 0xe3) st.init(); // FNINIT
        return; // FNENI/FNDISI/FNSETPM: no-ops since the 287
      }
      return fcomi(c, i, reg === 5, false, ctx);
    case 0xdd:
      switch (reg) {
        case 0: // FFREE
          st.empty[st.phys(i)] = 1;
          return st.report(ctx);
        case 1:
          return fxch(c, i, ctx); // FXCH4
        case 2:
        case 3:
          return fstReg(c, i, reg === 3, ctx);
        default:
          return compareRegs(c, i, true, reg === 5 ? 1 : 0, ctx); // FUCOM/FUCOMP
      }
    default: // 0xdf
      switch (reg) {
        case 0: // FFREEP
          st.empty[st.phys(i)] = 1;
          st.pop();
          return st.report(ctx);
        case 1:
          return fxch(c, i, ctx); // FXCH7
        case 2:
        case 3:
          return fstReg(c, i, true, ctx); // FSTP8/FSTP9
        case 4:
          return c.need('writeAX')(st.status); // FNSTSW AX
        default:
          return fcomi(c, i, reg === 5, true, ctx);
      }
  }
}

function compareRegs(c: Core, i: number, quiet: boolean, pops: number, ctx: Ctx): void {
  const a = c.operand(0, ctx);
  const b = c.operand(i, ctx);
  if (a === null || b === null) {
    c.st.setCC(C3 | C2 | C0);
    return c.st.report(ctx);
  }
  c.compareCC(a, b, quiet, ctx, pops);
}

export { f80 };
