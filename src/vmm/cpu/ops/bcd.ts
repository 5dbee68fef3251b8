import { F } from '../constants';
import { af, cf, setResultEager } from '../flags';
import { raise } from '../fault';
import type { Handler } from '../handler';

/** Decimal adjust instructions (SDM pseudo-code; undefined flags follow what P6 produces where known). */

export const daa: Handler = (c) => {
  const oldAl = c.reg[0] & 0xff;
  const oldCf = cf(c);
  let al = oldAl;
  let carry = 0;
  let aux = 0;
  if ((al & 0xf) > 9 || af(c)) {
    al += 6;
    aux = F.AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al += 0x60;
    carry = 1;
  }
  al &= 0xff;
  c.reg[0] = (c.reg[0] & ~0xff) | al;
  setResultEager(c, al, 0xff, carry | aux);
};

export const das: Handler = (c) => {
  const oldAl = c.reg[0] & 0xff;
  const oldCf = cf(c);
  let al = oldAl;
  let carry = 0;
  let aux = 0;
  if ((al & 0xf) > 9 || af(c)) {
    // SDM DAS: "CF := old_CF or (Borrow from AL := AL - 6)", and the second step has no ELSE clearing CF.
    if (al < 6) carry = 1;
    al -= 6;
    aux = F.AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al -= 0x60;
    carry = 1;
  }
  al &= 0xff;
  c.reg[0] = (c.reg[0] & ~0xff) | al;
  setResultEager(c, al, 0xff, carry | aux);
};

function asciiAdjust(add: boolean): Handler {
  return (c) => {
    let ax = c.reg[0] & 0xffff;
    let adj = 0;
    if ((ax & 0xf) > 9 || af(c)) {
      ax = add ? ax + 0x106 : ax - 0x106;
      adj = F.AF | F.CF;
    }
    ax = (ax & 0xff0f) & 0xffff;
    c.reg[0] = (c.reg[0] & ~0xffff) | ax;
    setResultEager(c, ax & 0xff, 0xff, adj);
  };
}

export const aaa = asciiAdjust(true);
export const aas = asciiAdjust(false);

export const aam: Handler = (c) => {
  const base = c.fetch8();
  if (base === 0) raise(c, 0);
  const al = c.reg[0] & 0xff;
  const r = al % base;
  c.reg[0] = (c.reg[0] & ~0xffff) | (Math.floor(al / base) << 8) | r;
  setResultEager(c, r, 0xff, 0);
};

export const aad: Handler = (c) => {
  const base = c.fetch8();
  const ax = c.reg[0];
  const r = (((ax >> 8) & 0xff) * base + (ax & 0xff)) & 0xff;
  c.reg[0] = (c.reg[0] & ~0xffff) | r;
  setResultEager(c, r, 0xff, 0);
};

/** SALC (D6): AL = CF ? FF : 00. Undocumented but executed by every P6 and later part. */
export const salc: Handler = (c) => {
  c.reg[0] = (c.reg[0] & ~0xff) | (cf(c) ? 0xff : 0);
};
