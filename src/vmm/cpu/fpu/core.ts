/**
 * The pieces every instruction shares: stack-fault checks, the masked/unmasked commit rule, and the
 * arithmetic group (FADD..FDIVR, FCOM/FCOMP) used by the D8/DC/DE register forms and all memory forms.
 */
import { add, div, mul } from './arith';
import { compare, Order, orderToCC } from './compare';
import { F80, INDEFINITE } from './f80';
import { X87State } from './state';
import { C0, C2, C3, Ctx, IE } from './status';
import type { X87Host } from './x87-host';
import { X87HostMissing } from './x87-host';

export class Core {
  readonly st = new X87State();
  host!: X87Host;

  ctx(): Ctx {
    return new Ctx(this.st.cw);
  }

  /**
   * Finishes an instruction: unless an unmasked IE/DE/ZE aborted it, `apply` delivers the results; then
   * the flags and C1 go into the status word.
   */
  commit(ctx: Ctx, apply: () => void): void {
    if (!ctx.aborted) apply();
    this.st.report(ctx);
  }

  /**
   * Reads ST(i) for an instruction; empty is a stack underflow, and (masked) reads as the real indefinite.
   * Returns null when the underflow is unmasked.
   */
  operand(i: number, ctx: Ctx): F80 | null {
    if (!this.st.isEmpty(i)) return this.st.get(i);
    ctx.stackUnderflow();
    return ctx.masked(IE) ? INDEFINITE : null;
  }

  /** Pushes after checking for overflow (ST(7) in use): masked overflow pushes the real indefinite. */
  pushChecked(v: F80, ctx: Ctx): void {
    if (!this.st.isEmpty(7)) {
      ctx.stackOverflow();
      if (!ctx.masked(IE)) {
        this.st.report(ctx);
        return;
      }
      v = INDEFINITE;
    }
    this.commit(ctx, () => this.st.push(v));
  }

  /**
   * The arithmetic group by ModRM.reg: result = f(x, y) stored into ST(dst), where x is ST(dst) and y the
   * other operand. `reversed` swaps SUB/SUBR and DIV/DIVR (the DC/DE register forms). `pops` counts pops.
   */
  arith(op: number, dst: number, y: F80 | null, ctx: Ctx, pops: number, reversed = false): void {
    const x = this.operand(dst, ctx);
    if (x === null || y === null) {
      // Unmasked stack underflow: nothing but the flags (and, for compares, "unordered").
      if (y === null && x !== null) ctx.stackUnderflow();
      if (op === 2 || op === 3) this.st.setCC(C3 | C2 | C0);
      this.st.report(ctx);
      return;
    }
    if (op === 2 || op === 3) {
      this.compareCC(x, y, false, ctx, (op === 3 ? 1 : 0) + pops);
      return;
    }
    if (reversed && op >= 4) op ^= 1;
    let r: F80;
    // An unmasked exception from loading the memory operand (DE) already decides: nothing is computed.
    if (ctx.aborted) return this.st.report(ctx);
    if (ctx.flags & IE && (ctx.flags & 0x40) !== 0) r = INDEFINITE;
    else {
      switch (op) {
        case 0:
          r = add(x, y, false, ctx);
          break;
        case 1:
          r = mul(x, y, ctx);
          break;
        case 4:
          r = add(x, y, true, ctx);
          break;
        case 5:
          r = add(y, x, true, ctx);
          break;
        case 6:
          r = div(x, y, ctx);
          break;
        default:
          r = div(y, x, ctx);
      }
    }
    this.commit(ctx, () => {
      this.st.set(dst, r);
      for (let i = 0; i < pops; i++) this.st.pop();
    });
  }

  /** FCOM-family result into C3/C2/C0 (C1 cleared), then `pops` pops. */
  compareCC(x: F80, y: F80, quiet: boolean, ctx: Ctx, pops: number): void {
    const o = ctx.flags & 0x40 ? Order.Unordered : compare(x, y, quiet, ctx);
    // The condition codes are written even when an unmasked IE suppresses the pops.
    this.st.setCC(orderToCC(o));
    this.commit(ctx, () => {
      for (let i = 0; i < pops; i++) this.st.pop();
    });
  }

  need<K extends keyof X87Host>(name: K): NonNullable<X87Host[K]> {
    const f = this.host[name];
    if (typeof f !== 'function') throw new X87HostMissing(`X87Host.${String(name)} is required by this instruction`);
    return (f as (...args: unknown[]) => unknown).bind(this.host) as NonNullable<X87Host[K]>;
  }
}

export { C0, C2, C3 };
