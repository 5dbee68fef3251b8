/** FCOM/FUCOM/FCOMI/FUCOMI/FICOM/FTST ordering and FXAM classification. */
import { bitLen, classify, Cls, exactOf, F80, isNaN80 } from './f80';
import { C0, C1, C2, C3, Ctx, DE, IE } from './status';

export const enum Order {
  Less,
  Equal,
  Greater,
  Unordered,
}

function magnitudeCmp(a: F80, b: F80): number {
  const x = exactOf(a);
  const y = exactOf(b);
  if (x.sig === 0n || y.sig === 0n) return x.sig === y.sig ? 0 : x.sig === 0n ? -1 : 1;
  const ex = x.e + bitLen(x.sig);
  const ey = y.e + bitLen(y.sig);
  if (ex !== ey) return ex < ey ? -1 : 1;
  const m = Math.min(x.e, y.e);
  const xs = x.sig << BigInt(x.e - m);
  const ys = y.sig << BigInt(y.e - m);
  return xs === ys ? 0 : xs < ys ? -1 : 1;
}

/** Orders a against b. `quietNaNsOk` is the FUCOM family: only SNaNs (and unsupported formats) raise IE. */
export function compare(a: F80, b: F80, quietNaNsOk: boolean, ctx: Ctx): Order {
  const ca = classify(a);
  const cb = classify(b);
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) {
    ctx.flags |= IE;
    return Order.Unordered;
  }
  if (isNaN80(ca) || isNaN80(cb)) {
    if (!quietNaNsOk || ca === Cls.SNaN || cb === Cls.SNaN) ctx.flags |= IE;
    return Order.Unordered;
  }
  if (ca === Cls.Denormal || cb === Cls.Denormal) ctx.flags |= DE;
  const sa = ca === Cls.Zero ? 0 : a.se >>> 15;
  const sb = cb === Cls.Zero ? 0 : b.se >>> 15;
  if (ca === Cls.Zero && cb === Cls.Zero) return Order.Equal;
  if (sa !== sb) return sa ? Order.Less : Order.Greater;
  let m: number;
  if (ca === Cls.Inf || cb === Cls.Inf) m = ca === cb ? 0 : ca === Cls.Inf ? 1 : -1;
  else m = magnitudeCmp(a, b);
  if (sa) m = -m;
  return m === 0 ? Order.Equal : m < 0 ? Order.Less : Order.Greater;
}

/** C3/C2/C0 for FCOM-style results (C1 cleared). */
export function orderToCC(o: Order): number {
  switch (o) {
    case Order.Greater:
      return 0;
    case Order.Less:
      return C0;
    case Order.Equal:
      return C3;
    default:
      return C3 | C2 | C0;
  }
}

/** ZF, PF, CF for FCOMI-style results. */
export function orderToFlags(o: Order): [number, number, number] {
  switch (o) {
    case Order.Greater:
      return [0, 0, 0];
    case Order.Less:
      return [0, 0, 1];
    case Order.Equal:
      return [1, 0, 0];
    default:
      return [1, 1, 1];
  }
}

/** FXAM condition codes (C3 C2 C1 C0) for a register, or for an empty one. */
export function examine(v: F80, empty: boolean): number {
  const c1 = v.se & 0x8000 ? C1 : 0;
  if (empty) return c1 | C3 | C0;
  switch (classify(v)) {
    case Cls.Unsupported:
      return c1;
    case Cls.QNaN:
    case Cls.SNaN:
      return c1 | C0;
    case Cls.Normal:
      return c1 | C2;
    case Cls.Inf:
      return c1 | C2 | C0;
    case Cls.Zero:
      return c1 | C3;
    default:
      return c1 | C3 | C2;
  }
}
