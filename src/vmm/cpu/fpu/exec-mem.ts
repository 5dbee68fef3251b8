/** The memory forms of D8-DF (ModRM.mod != 3). Memory is read before, and written after, any state change. */
import { fromBcd, fromDouble, fromInt, fromSingle, toBcd, toInt, toIeee } from './convert';
import { Core } from './core';
import { fastFromInt } from './fast';
import { applyEnv, envSize, normalizeCw, readEnv, readRegisters, writeEnv, writeRegisters } from './env';
import { classify, Cls, F80, f80, INDEFINITE } from './f80';
import { FMT32, FMT64 } from './round';
import { Ctx, DE, IE } from './status';

function readInt(c: Core, ea: number, bytes: number): bigint {
  const h = c.host;
  if (bytes === 2) return BigInt((h.read16(ea) << 16) >> 16);
  if (bytes === 4) return BigInt(h.read32(ea) | 0);
  const lo = h.read32(ea) >>> 0;
  const hi = h.read32(ea + 4) | 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function read80(c: Core, ea: number): F80 {
  const lo = c.host.read32(ea);
  const hi = c.host.read32(ea + 4);
  return f80(c.host.read16(ea + 8), hi, lo);
}

/** The real or integer operand of the arithmetic group, by escape opcode. */
function arithOperand(c: Core, opcode: number, ea: number, ctx: Ctx): F80 {
  switch (opcode) {
    case 0xd8:
      return fromSingle(c.host.read32(ea) >>> 0, ctx, true);
    case 0xdc:
      return fromDouble(c.host.read32(ea + 4) >>> 0, c.host.read32(ea) >>> 0, ctx, true);
    case 0xda:
      return fastFromInt(c.host.read32(ea) | 0);
    default:
      return fastFromInt((c.host.read16(ea) << 16) >> 16);
  }
}

function storeInt(c: Core, ea: number, bytes: number, v: bigint): void {
  const h = c.host;
  if (bytes === 2) h.write16(ea, Number(v & 0xffffn));
  else if (bytes === 4) h.write32(ea, Number(v & 0xffffffffn));
  else {
    h.probeWrite(ea, 8);
    h.write32(ea, Number(v & 0xffffffffn));
    h.write32(ea + 4, Number((v >> 32n) & 0xffffffffn));
  }
}

/** FST/FSTP/FIST/FISTP/FBSTP: convert ST(0), store unless suppressed, then pop. */
function store(c: Core, ea: number, ctx: Ctx, pop: boolean, convert: (v: F80) => ((ea: number) => void) | null): void {
  const v = c.operand(0, ctx);
  if (v === null) {
    c.st.report(ctx);
    return;
  }
  const write = convert(ctx.flags & 0x40 ? INDEFINITE : v);
  if (write === null) {
    // Unmasked exception: no store, no pop.
    c.st.report(ctx);
    return;
  }
  write(ea);
  if (pop) c.st.pop();
  c.st.report(ctx);
}

/** Pushes a loaded value; `conv` holds the conversion's exceptions, which a stack overflow supersedes. */
function loadPush(c: Core, v: F80, ctx: Ctx, conv?: Ctx): void {
  if (!conv || !c.st.isEmpty(7)) return c.pushChecked(v, ctx);
  // Measured: a denormal m32/m64 is loaded (normalized) even when DE is unmasked; only the flag is raised.
  ctx.flags |= conv.flags & ~DE;
  c.pushChecked(v, ctx);
  if (conv.flags & DE && !ctx.aborted) {
    c.st.sw |= DE;
    c.st.updateSummary();
  }
}

export function execMem(c: Core, opcode: number, reg: number, ea: number): void {
  const h = c.host;
  const st = c.st;
  const ctx = c.ctx();
  if (opcode === 0xd8 || opcode === 0xda || opcode === 0xdc || opcode === 0xde) {
    // A denormal real operand is reported only if ST(0) is usable and not a NaN (QNaN outranks #D).
    const load = c.ctx();
    const y = arithOperand(c, opcode, ea, load);
    ctx.flags |= load.flags & ~DE;
    if (load.flags & DE && !st.isEmpty(0)) {
      const k = classify(st.get(0));
      // FDIVR m, with ST(0) = 0: a zero divide, which outranks the denormal dividend.
      const zeroDivide = reg === 7 && k === Cls.Zero;
      if (k !== Cls.QNaN && k !== Cls.SNaN && k !== Cls.Unsupported && !zeroDivide) ctx.flags |= DE;
    }
    c.arith(reg, 0, y, ctx, 0);
    return;
  }
  switch ((opcode << 4) | reg) {
    case 0xd90: {
      // FLD m32real
      const conv = c.ctx();
      return loadPush(c, fromSingle(h.read32(ea) >>> 0, conv), ctx, conv);
    }
    case 0xdd0: {
      // FLD m64real
      const conv = c.ctx();
      return loadPush(c, fromDouble(h.read32(ea + 4) >>> 0, h.read32(ea) >>> 0, conv), ctx, conv);
    }
    case 0xdb5: // FLD m80real: bit-exact, no exceptions but stack overflow
      return loadPush(c, read80(c, ea), ctx);
    case 0xdf0: // FILD m16int
      return loadPush(c, fastFromInt((h.read16(ea) << 16) >> 16), ctx);
    case 0xdb0: // FILD m32int
      return loadPush(c, fastFromInt(h.read32(ea) | 0), ctx);
    case 0xdf5: // FILD m64int
      return loadPush(c, fromInt(readInt(c, ea, 8)), ctx);
    case 0xdf4: {
      // FBLD
      const b: number[] = [];
      for (let i = 0; i < 10; i++) b.push(h.read8(ea + i));
      return loadPush(c, fromBcd(b), ctx);
    }
    case 0xd92:
    case 0xd93:
      return store(c, ea, ctx, reg === 3, (v) => {
        const r = toIeee(v, FMT32, ctx);
        return r && ((a) => h.write32(a, r[0]));
      });
    case 0xdd2:
    case 0xdd3:
      return store(c, ea, ctx, reg === 3, (v) => {
        const r = toIeee(v, FMT64, ctx);
        return (
          r &&
          ((a) => {
            h.probeWrite(a, 8);
            h.write32(a, r[1]);
            h.write32(a + 4, r[0]);
          })
        );
      });
    case 0xdb7: // FSTP m80real: bit-exact
      return store(c, ea, ctx, true, (v) => (a) => {
        h.probeWrite(a, 10);
        h.write32(a, v.lo);
        h.write32(a + 4, v.hi);
        h.write16(a + 8, v.se);
      });
    case 0xdf2:
    case 0xdf3:
    case 0xdb2:
    case 0xdb3:
    case 0xdf7: {
      const bytes = opcode === 0xdb ? 4 : reg === 7 ? 8 : 2;
      return store(c, ea, ctx, reg !== 2, (v) => {
        const r = toInt(v, bytes * 8, ctx);
        return r === null ? null : (a) => storeInt(c, a, bytes, r);
      });
    }
    case 0xdf6: // FBSTP
      return store(c, ea, ctx, true, (v) => {
        const r = toBcd(v, ctx);
        return (
          r &&
          ((a) => {
            h.probeWrite(a, 10);
            for (let i = 0; i < 10; i++) h.write8(a + i, r[i]);
          })
        );
      });
    case 0xd94: // FLDENV
      return applyEnv(st, readEnv(h, ea));
    case 0xd95: // FLDCW
      st.cw = normalizeCw(h.read16(ea));
      st.updateSummary();
      return;
    case 0xd96: // FNSTENV, then mask all exceptions
      h.probeWrite(ea, envSize(h));
      writeEnv(h, ea, st);
      st.cw |= 0x3f;
      st.updateSummary();
      return;
    case 0xd97: // FNSTCW
      return h.write16(ea, st.cw);
    case 0xdd4: {
      // FRSTOR: read everything first so a fault leaves the FPU as it was
      const env = readEnv(h, ea);
      const regs = readRegisters(h, ea + envSize(h));
      applyEnv(st, env);
      for (let i = 0; i < 8; i++) {
        const p = st.phys(i);
        st.se[p] = regs[i].se;
        st.hi[p] = regs[i].hi;
        st.lo[p] = regs[i].lo;
      }
      return;
    }
    case 0xdd6: {
      // FNSAVE, then FNINIT
      const n = envSize(h);
      h.probeWrite(ea, n + 80);
      writeEnv(h, ea, st);
      writeRegisters(h, ea + n, st);
      st.init();
      return;
    }
    case 0xdd7: // FNSTSW m16
      return h.write16(ea, st.status);
  }
  throw new Error(`x87: unhandled memory form ${opcode.toString(16)} /${reg}`);
}

export { IE };
