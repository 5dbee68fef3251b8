import type { Cpu } from './cpu';
import { F } from './constants';
import { getFlags } from './flags';
import { updatePriv } from './segmentation';

/**
 * Writes EFLAGS bits selected by `mask` (POPF, IRET, SAHF, task switch...). The caller decides the mask from
 * CPL/IOPL/VM rules; this keeps the derived state (alignment checking, boundary checks for IF/TF) right.
 */
export function loadEflags(c: Cpu, v: number, mask: number): void {
  const old = getFlags(c);
  const nv = (((old & ~mask) | (v & mask)) & F.VALID) | 2;
  c.flags = nv;
  c.lzMask = 0;
  if ((old ^ nv) & F.AC) updatePriv(c);
  if (nv & F.TF || (old ^ nv) & (F.IF | F.TF)) c.attn = true;
}

/** The POPF/IRET-at-same-level mask for the current privilege: IOPL only at CPL 0, IF only if CPL <= IOPL. */
export function popfMask(c: Cpu, osz32: boolean): number {
  let mask = F.CF | F.PF | F.AF | F.ZF | F.SF | F.TF | F.DF | F.OF | F.NT;
  if (osz32) mask |= F.AC | F.ID;
  const iopl = (c.flags >>> 12) & 3;
  if (c.cpl === 0) mask |= F.IOPL;
  if (c.cpl <= iopl) mask |= F.IF;
  if (!osz32) mask &= 0xffff;
  return mask;
}
