import type { Cpu } from './cpu';
import { ExitReason } from './cpu-host';
import { AR, CR0, F, Seg } from './constants';
import { FAULT, raise } from './fault';
import { sysRead16, sysRead32, sysWrite16, sysWrite32, switchRoot } from './access';
import { getFlags } from './flags';
import { monitorExit } from './exits';
import {
  descAr, descBase, descLimit, loadSeg, loadSegReal, readDescriptor, refreshAllSegs, setCpl, setSegCache,
} from './segmentation';
import { push16, push32 } from './stack';

/** Hardware task switching through a TSS (JMP/CALL to a TSS or task gate, IRET with NT, task-gate interrupts). */

export const enum TaskSource {
  Jump = 0,
  Call = 1,
  Iret = 2,
  Interrupt = 3,
}

/** SS:ESP for privilege level `dpl` from the current TSS (#TS if the TSS is too short). */
export function tssStackFor(c: Cpu, dpl: number): { ss: number; esp: number } {
  const type = c.segAr[Seg.TR] & 0xf;
  const base = c.segBase[Seg.TR];
  const limit = c.segLimit[Seg.TR] >>> 0;
  const sel = c.segSel[Seg.TR] & 0xfffc;
  if (type === 9 || type === 11) {
    const off = 4 + dpl * 8;
    if (off + 5 > limit) raise(c, 10, sel);
    return { esp: sysRead32(c, (base + off) | 0), ss: sysRead16(c, (base + off + 4) | 0) };
  }
  const off = 2 + dpl * 4;
  if (off + 3 > limit) raise(c, 10, sel);
  return { esp: sysRead16(c, (base + off) | 0), ss: sysRead16(c, (base + off + 2) | 0) };
}

function setBusy(c: Cpu, sel: number, busy: boolean): void {
  const addr = (c.dtr[0] + (sel & 0xfff8) + 4) | 0;
  const hi = sysRead32(c, addr);
  sysWrite32(c, addr, busy ? hi | 0x200 : hi & ~0x200);
}

/**
 * Switches to the task whose TSS descriptor selector is `sel`. `errorCode` >= 0 is pushed on the new task's
 * stack (exceptions through task gates). Faults before the commit point leave the old task intact; after it,
 * they are delivered in the new task, as on hardware.
 */
export function switchTask(c: Cpu, sel: number, source: TaskSource, errorCode: number, ext: number): void {
  const tsErr = (sel & 0xfffc) + ext;
  if (sel & 4) raise(c, source === TaskSource.Interrupt ? 10 : 13, tsErr);
  const descAddr = readDescriptor(c, sel, source === TaskSource.Interrupt ? 10 : 13);
  const lo = c.descLo;
  const hi = c.descHi;
  const ar = descAr(hi);
  const type = ar & 0x1f;
  const wantBusy = source === TaskSource.Iret;
  const ok = wantBusy ? type === 3 || type === 11 : type === 1 || type === 9;
  if (!ok) raise(c, source === TaskSource.Iret ? 10 : 13, tsErr);
  if ((ar & AR.P) === 0) raise(c, 11, tsErr);
  const new32 = (type & 8) !== 0;
  const newBase = descBase(lo, hi);
  const newLimit = descLimit(lo, hi) >>> 0;
  if (newLimit < (new32 ? 0x67 : 0x2b)) raise(c, 10, tsErr);
  void descAddr;

  // Save the outgoing state into the current TSS.
  const oldSel = c.segSel[Seg.TR];
  const oldBase = c.segBase[Seg.TR];
  const old32 = (c.segAr[Seg.TR] & 8) !== 0;
  let flags = getFlags(c);
  if (source === TaskSource.Iret) flags &= ~F.NT;
  if (old32) {
    sysWrite32(c, (oldBase + 0x20) | 0, c.eip);
    sysWrite32(c, (oldBase + 0x24) | 0, flags);
    for (let r = 0; r < 8; r++) sysWrite32(c, (oldBase + 0x28 + r * 4) | 0, c.reg[r]);
    for (let s = 0; s < 6; s++) sysWrite16(c, (oldBase + 0x48 + s * 4) | 0, c.segSel[s]);
  } else {
    sysWrite16(c, (oldBase + 0x0e) | 0, c.eip);
    sysWrite16(c, (oldBase + 0x10) | 0, flags);
    for (let r = 0; r < 8; r++) sysWrite16(c, (oldBase + 0x12 + r * 2) | 0, c.reg[r]);
    for (let s = 0; s < 4; s++) sysWrite16(c, (oldBase + 0x22 + s * 2) | 0, c.segSel[s]);
  }
  if (source === TaskSource.Jump || source === TaskSource.Iret) setBusy(c, oldSel, false);

  // Read the incoming state.
  const rd32 = (o: number): number => sysRead32(c, (newBase + o) | 0);
  const rd16 = (o: number): number => sysRead16(c, (newBase + o) | 0);
  let eip: number, nflags: number, cr3 = 0, ldt: number;
  const regs = new Int32Array(8);
  const segs = new Int32Array(6);
  if (new32) {
    cr3 = rd32(0x1c);
    eip = rd32(0x20);
    nflags = rd32(0x24);
    for (let r = 0; r < 8; r++) regs[r] = rd32(0x28 + r * 4);
    for (let s = 0; s < 6; s++) segs[s] = rd16(0x48 + s * 4);
    ldt = rd16(0x60);
  } else {
    eip = rd16(0x0e);
    nflags = rd16(0x10) | (getFlags(c) & 0xffff0000 & ~F.VM);
    for (let r = 0; r < 8; r++) regs[r] = rd16(0x12 + r * 2) | (c.reg[r] & 0xffff0000);
    for (let s = 0; s < 4; s++) segs[s] = rd16(0x22 + s * 2);
    ldt = rd16(0x2a);
  }
  if (source === TaskSource.Call || source === TaskSource.Interrupt) {
    sysWrite16(c, newBase, oldSel);
    nflags |= F.NT;
  }
  if (source !== TaskSource.Iret) setBusy(c, sel, true);

  // Commit point: from here on the new task is current.
  monitorExit(c, ExitReason.TaskSwitch, sel);
  c.segSel[Seg.TR] = sel;
  c.segBase[Seg.TR] = newBase;
  c.segLimit[Seg.TR] = newLimit | 0;
  c.segAr[Seg.TR] = descAr(hi) | 0x2;
  c.cr[0] |= CR0.TS;
  if (new32 && c.cr[0] & CR0.PG) {
    c.cr[3] = cr3;
    switchRoot(c);
    c.smmu.event();
  }
  c.eip = eip;
  c.flags = (nflags & F.VALID) | 2;
  c.lzMask = 0;
  c.reg.set(regs);
  const v86 = (c.flags & F.VM) !== 0;
  // Selectors first (so a fault reports the new task's values), then the checked loads.
  for (let s = 0; s < 6; s++) c.segSel[s] = segs[s];
  loadLdtForTask(c, ldt);
  if (v86) {
    for (let s = 0; s < 6; s++) loadSegReal(c, s, segs[s]);
    setCpl(c, 3);
  } else {
    loadCsForTask(c, segs[Seg.CS]);
    for (const s of [Seg.SS, Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
      try {
        loadSeg(c, s, segs[s]);
      } catch (e) {
        if (e === FAULT && c.excVector === 13) c.excVector = 10;
        throw e;
      }
    }
  }
  refreshAllSegs(c);
  if (errorCode >= 0) {
    if (new32) push32(c, errorCode);
    else push16(c, errorCode);
  }
  if (c.eip >>> 0 > c.csHi) raise(c, 13, 0);
  // The T bit of the new TSS: a #DB trap (DR6.BT) before the new task's first instruction.
  if (new32 && sysRead16(c, (newBase + 0x64) | 0) & 1) {
    c.dr[6] |= 0x8000;
    c.tssTrap = true;
  }
  c.attn = true;
}

function loadLdtForTask(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    setSegCache(c, Seg.LDTR, sel, 0, 0, AR.UNUSABLE);
    return;
  }
  if (sel & 4) raise(c, 10, sel & 0xfffc);
  readDescriptor(c, sel, 10);
  const ar = descAr(c.descHi);
  if ((ar & 0x1f) !== 2) raise(c, 10, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 10, sel & 0xfffc);
  setSegCache(c, Seg.LDTR, sel, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), ar);
}

function loadCsForTask(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) raise(c, 10, 0);
  readDescriptor(c, sel, 10);
  const ar = descAr(c.descHi);
  if ((ar & (AR.S | AR.CODE)) !== (AR.S | AR.CODE)) raise(c, 10, sel & 0xfffc);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  const rpl = sel & 3;
  if (ar & AR.DC ? dpl > rpl : dpl !== rpl) raise(c, 10, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  setSegCache(c, Seg.CS, sel, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), ar);
  setCpl(c, rpl);
}
