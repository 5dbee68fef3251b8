import type { Cpu } from './cpu';
import { ExitReason } from './cpu-host';
import { AR, CR0, F, Seg } from './constants';
import { gp, raise } from './fault';
import { rd16, rd32, sysRead16 } from './access';
import { monitorExit } from './exits';
import {
  descAr, descBase, descLimit, loadCsFromDesc, loadSegReal, nullInvalidSegs, readDescriptor, refreshAllSegs,
  setCpl, setSegCache,
} from './segmentation';
import { addSp, push16, push32 } from './stack';
import { loadEflags, popfMask } from './eflags';
import { dropFrameState, restoreFrameState, saveFrameState, loadStackFromTss } from './interrupts';
import { switchTask, TaskSource } from './task';

/** Far JMP/CALL/RET and IRET in every mode, with call gates, task gates and privilege changes. */

function protectedMode(c: Cpu): boolean {
  return (c.cr[0] & CR0.PE) !== 0 && (c.flags & F.VM) === 0;
}

function stackRead(c: Cpu, delta: number, size: number): number {
  const off = c.ss32 ? (c.reg[4] + delta) | 0 : (c.reg[4] + delta) & 0xffff;
  return size === 4 ? rd32(c, Seg.SS, off) : rd16(c, Seg.SS, off);
}

function checkCodeTarget(c: Cpu, sel: number): number {
  const ar = descAr(c.descHi);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  if (ar & AR.DC) {
    if (dpl > c.cpl) gp(c, sel & 0xfffc);
  } else if ((sel & 3) > c.cpl || dpl !== c.cpl) gp(c, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  return ar;
}

/** Resolves a TSS or task-gate selector for JMP/CALL and switches tasks. */
function taskViaSelector(c: Cpu, sel: number, type: number, source: TaskSource): void {
  const ar = descAr(c.descHi);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  if (dpl < c.cpl || dpl < (sel & 3)) gp(c, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  let tss = sel;
  if (type === 5) tss = c.descLo >>> 16;
  switchTask(c, tss, source, -1, 0);
}

export function farJump(c: Cpu, sel: number, offset: number): void {
  if (!protectedMode(c)) {
    if (!c.osz) offset &= 0xffff;
    loadSegReal(c, Seg.CS, sel);
    c.eip = offset | 0;
    return;
  }
  if ((sel & 0xfffc) === 0) gp(c, 0);
  readDescriptor(c, sel);
  const ar = descAr(c.descHi);
  if (ar & AR.S) {
    if ((ar & AR.CODE) === 0) gp(c, sel & 0xfffc);
    checkCodeTarget(c, sel);
    if (offset >>> 0 > descLimit(c.descLo, c.descHi) >>> 0) gp(c, 0);
    loadCsFromDesc(c, sel, c.cpl);
    c.eip = offset | 0;
    return;
  }
  const type = ar & 0xf;
  if (type === 4 || type === 12) {
    const gdpl = (ar >>> AR.DPL_SHIFT) & 3;
    if (gdpl < c.cpl || gdpl < (sel & 3)) gp(c, sel & 0xfffc);
    if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
    const target = c.descLo >>> 16;
    const off = type === 12 ? (c.descHi & 0xffff0000) | (c.descLo & 0xffff) : c.descLo & 0xffff;
    if ((target & 0xfffc) === 0) gp(c, 0);
    readDescriptor(c, target);
    const tar = descAr(c.descHi);
    if ((tar & (AR.S | AR.CODE)) !== (AR.S | AR.CODE)) gp(c, target & 0xfffc);
    const dpl = (tar >>> AR.DPL_SHIFT) & 3;
    if (tar & AR.DC ? dpl > c.cpl : dpl !== c.cpl) gp(c, target & 0xfffc);
    if ((tar & AR.P) === 0) raise(c, 11, target & 0xfffc);
    if (off >>> 0 > descLimit(c.descLo, c.descHi) >>> 0) gp(c, 0);
    loadCsFromDesc(c, target, c.cpl);
    c.eip = off | 0;
    return;
  }
  if (type === 5 || type === 1 || type === 9) {
    taskViaSelector(c, sel, type, TaskSource.Jump);
    return;
  }
  gp(c, sel & 0xfffc);
}

export function farCall(c: Cpu, sel: number, offset: number): void {
  const retCs = c.segSel[Seg.CS];
  const retEip = c.eip;
  if (!protectedMode(c)) {
    if (!c.osz) offset &= 0xffff;
    const sp = c.reg[4];
    try {
      if (c.osz) {
        push32(c, retCs);
        push32(c, retEip);
      } else {
        push16(c, retCs);
        push16(c, retEip);
      }
    } catch (e) {
      c.reg[4] = sp;
      throw e;
    }
    loadSegReal(c, Seg.CS, sel);
    c.eip = offset | 0;
    return;
  }
  if ((sel & 0xfffc) === 0) gp(c, 0);
  readDescriptor(c, sel);
  const ar = descAr(c.descHi);
  const save = saveFrameState(c);
  try {
    if (ar & AR.S) {
      if ((ar & AR.CODE) === 0) gp(c, sel & 0xfffc);
      checkCodeTarget(c, sel);
      if (offset >>> 0 > descLimit(c.descLo, c.descHi) >>> 0) gp(c, 0);
      const lo = c.descLo, hi = c.descHi;
      if (c.osz) {
        push32(c, retCs);
        push32(c, retEip);
      } else {
        push16(c, retCs);
        push16(c, retEip);
      }
      c.descLo = lo;
      c.descHi = hi;
      loadCsFromDesc(c, sel, c.cpl);
      c.eip = offset | 0;
      dropFrameState(c, save);
      return;
    }
    const type = ar & 0xf;
    if (type === 4 || type === 12) {
      callGate(c, sel, ar, type === 12, retCs, retEip);
      dropFrameState(c, save);
      return;
    }
    if (type === 5 || type === 1 || type === 9) {
      taskViaSelector(c, sel, type, TaskSource.Call);
      dropFrameState(c, save);
      return;
    }
    gp(c, sel & 0xfffc);
  } catch (e) {
    restoreFrameState(c, save);
    throw e;
  }
}

function callGate(c: Cpu, sel: number, ar: number, gate32: boolean, retCs: number, retEip: number): void {
  const gdpl = (ar >>> AR.DPL_SHIFT) & 3;
  if (gdpl < c.cpl || gdpl < (sel & 3)) gp(c, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  const target = c.descLo >>> 16;
  const params = c.descHi & 0x1f;
  const off = gate32 ? (c.descHi & 0xffff0000) | (c.descLo & 0xffff) : c.descLo & 0xffff;
  if ((target & 0xfffc) === 0) gp(c, 0);
  readDescriptor(c, target);
  const lo = c.descLo, hi = c.descHi;
  const tar = descAr(hi);
  const dpl = (tar >>> AR.DPL_SHIFT) & 3;
  if ((tar & (AR.S | AR.CODE)) !== (AR.S | AR.CODE) || dpl > c.cpl) gp(c, target & 0xfffc);
  if ((tar & AR.P) === 0) raise(c, 11, target & 0xfffc);
  if (off >>> 0 > descLimit(lo, hi) >>> 0) gp(c, 0);
  const push = gate32 ? (x: number) => push32(c, x) : (x: number) => push16(c, x);
  const oldCpl = c.cpl;
  if ((tar & AR.DC) === 0 && dpl < c.cpl) {
    // More privileged: new stack from the TSS, then copy the parameters across.
    const oldSs = c.segSel[Seg.SS];
    const oldEsp = c.reg[4];
    const size = gate32 ? 4 : 2;
    const copied: number[] = [];
    for (let i = params - 1; i >= 0; i--) copied.push(stackRead(c, i * size, size));
    loadStackFromTss(c, dpl, 0);
    push(oldSs);
    push(oldEsp);
    for (const v of copied) push(v);
    push(retCs);
    push(retEip);
    c.descLo = lo;
    c.descHi = hi;
    loadCsFromDesc(c, target, dpl);
    refreshAllSegs(c);
    monitorExit(c, ExitReason.RingTransition, dpl);
  } else {
    push(retCs);
    push(retEip);
    c.descLo = lo;
    c.descHi = hi;
    loadCsFromDesc(c, target, oldCpl);
  }
  c.eip = off | 0;
}

/**
 * The checks a far RET and a protected-mode IRET make on the CS they return to (SDM vol. 2, RET and IRET):
 * not null, RPL not inner to CPL, a present code segment whose DPL fits the RPL (conforming: DPL <= RPL).
 * Leaves the descriptor in c.descLo/descHi and returns the RPL, the privilege level being returned to.
 */
function checkReturnCs(c: Cpu, sel: number): number {
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) gp(c, 0);
  if (rpl < c.cpl) gp(c, sel & 0xfffc);
  readDescriptor(c, sel);
  const ar = descAr(c.descHi);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  if ((ar & (AR.S | AR.CODE)) !== (AR.S | AR.CODE)) gp(c, sel & 0xfffc);
  if (ar & AR.DC ? dpl > rpl : dpl !== rpl) gp(c, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  return rpl;
}

export function farReturn(c: Cpu, imm: number): void {
  const size = c.osz ? 4 : 2;
  if (!protectedMode(c)) {
    const eip = stackRead(c, 0, size);
    const cs = stackRead(c, size, size) & 0xffff;
    addSp(c, size * 2 + imm);
    loadSegReal(c, Seg.CS, cs);
    c.eip = c.osz ? eip : eip & 0xffff;
    return;
  }
  const eip = stackRead(c, 0, size);
  const sel = stackRead(c, size, size) & 0xffff;
  const rpl = checkReturnCs(c, sel);
  const lo = c.descLo, hi = c.descHi;
  if (rpl === c.cpl) {
    if (eip >>> 0 > descLimit(lo, hi) >>> 0) gp(c, 0);
    addSp(c, size * 2 + imm);
    loadCsFromDesc(c, sel, rpl);
    c.eip = c.osz ? eip : eip & 0xffff;
    return;
  }
  const newEsp = stackRead(c, size * 2 + imm, size);
  const ss = stackRead(c, size * 3 + imm, size) & 0xffff;
  returnToOuter(c, sel, lo, hi, c.osz ? eip : eip & 0xffff, ss, c.osz ? newEsp : newEsp & 0xffff, imm);
}

/** Shared by RETF and IRET to an outer ring: load SS:ESP at the new CPL, then CS:EIP. */
function returnToOuter(c: Cpu, sel: number, lo: number, hi: number, eip: number, ss: number, esp: number, imm: number): void {
  const rpl = sel & 3;
  if ((ss & 0xfffc) === 0) gp(c, 0);
  const save = saveFrameState(c);
  try {
    readDescriptor(c, ss);
    const sar = descAr(c.descHi);
    if ((ss & 3) !== rpl || ((sar >>> AR.DPL_SHIFT) & 3) !== rpl || (sar & (AR.S | AR.CODE | AR.RW)) !== (AR.S | AR.RW)) {
      gp(c, ss & 0xfffc);
    }
    if ((sar & AR.P) === 0) raise(c, 12, ss & 0xfffc);
    if (eip >>> 0 > descLimit(lo, hi) >>> 0) gp(c, 0);
    setSegCache(c, Seg.SS, ss, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), sar);
    c.descLo = lo;
    c.descHi = hi;
    loadCsFromDesc(c, sel, rpl);
    c.reg[4] = c.ss32 ? (esp + imm) | 0 : (c.reg[4] & ~0xffff) | ((esp + imm) & 0xffff);
    c.eip = eip;
    nullInvalidSegs(c);
    refreshAllSegs(c);
    monitorExit(c, ExitReason.RingTransition, rpl);
    dropFrameState(c, save);
  } catch (e) {
    restoreFrameState(c, save);
    throw e;
  }
}

export function iret(c: Cpu): void {
  const size = c.osz ? 4 : 2;
  if ((c.cr[0] & CR0.PE) === 0) {
    const eip = stackRead(c, 0, size);
    const cs = stackRead(c, size, size);
    const fl = stackRead(c, size * 2, size);
    addSp(c, size * 3);
    loadSegReal(c, Seg.CS, cs & 0xffff);
    c.eip = c.osz ? eip : eip & 0xffff;
    loadEflags(c, fl, c.osz ? 0x257fd5 : 0xffff);
    return;
  }
  if (c.flags & F.VM) {
    if (((c.flags >>> 12) & 3) < 3) gp(c, 0);
    const eip = stackRead(c, 0, size);
    const cs = stackRead(c, size, size);
    const fl = stackRead(c, size * 2, size);
    addSp(c, size * 3);
    loadSegReal(c, Seg.CS, cs & 0xffff);
    c.eip = c.osz ? eip : eip & 0xffff;
    loadEflags(c, fl, (c.osz ? 0x254dd5 : 0x4dd5) | F.IF);
    return;
  }
  if (c.flags & F.NT) {
    const link = sysRead16(c, c.segBase[Seg.TR]);
    switchTask(c, link, TaskSource.Iret, -1, 0);
    return;
  }
  const eip = stackRead(c, 0, size);
  const sel = stackRead(c, size, size) & 0xffff;
  const fl = stackRead(c, size * 2, size);
  if (c.osz && fl & F.VM && c.cpl === 0) {
    iretToV86(c, eip, sel, fl);
    return;
  }
  const rpl = checkReturnCs(c, sel);
  const lo = c.descLo, hi = c.descHi;
  let mask = popfMask(c, c.osz === 1) | F.RF;
  if (c.cpl === 0 && c.osz) mask |= F.VIF | F.VIP;
  const newEip = c.osz ? eip : eip & 0xffff;
  if (rpl === c.cpl) {
    if (newEip >>> 0 > descLimit(lo, hi) >>> 0) gp(c, 0);
    addSp(c, size * 3);
    loadCsFromDesc(c, sel, rpl);
    c.eip = newEip;
    loadEflags(c, fl, mask);
    return;
  }
  const newEsp = stackRead(c, size * 3, size);
  const ss = stackRead(c, size * 4, size) & 0xffff;
  returnToOuter(c, sel, lo, hi, newEip, ss, c.osz ? newEsp : newEsp & 0xffff, 0);
  // The mask was computed at the old CPL, as the SDM's pseudo-code does.
  loadEflags(c, fl, mask);
}

function iretToV86(c: Cpu, eip: number, cs: number, fl: number): void {
  const esp = stackRead(c, 12, 4);
  const ss = stackRead(c, 16, 4);
  const es = stackRead(c, 20, 4);
  const ds = stackRead(c, 24, 4);
  const fs = stackRead(c, 28, 4);
  const gs = stackRead(c, 32, 4);
  c.flags = (fl & F.VALID) | 2;
  c.lzMask = 0;
  setCpl(c, 3);
  for (const [s, v] of [[Seg.CS, cs], [Seg.SS, ss], [Seg.ES, es], [Seg.DS, ds], [Seg.FS, fs], [Seg.GS, gs]] as const) {
    loadSegReal(c, s, v & 0xffff);
  }
  c.reg[4] = esp;
  c.eip = eip & 0xffff;
  refreshAllSegs(c);
  c.attn = true;
  monitorExit(c, ExitReason.ModeSwitch, 2);
  monitorExit(c, ExitReason.RingTransition, 3);
}
