import type { Cpu } from './cpu';
import { ExitReason, StopReason } from './cpu-host';
import { AR, CR0, EventKind, F, Seg } from './constants';
import { FAULT, hasErrorCode, raise } from './fault';
import { sysRead16, sysRead32 } from './access';
import { getFlags } from './flags';
import { monitorExit } from './exits';
import {
  descAr, descBase, descLimit, loadCsFromDesc, loadSegReal, readDescriptor, refreshAllSegs, setSegCache,
} from './segmentation';
import { push16, push32 } from './stack';
import { switchTask, TaskSource, tssStackFor } from './task';
import { afterDelivery, compressing, deprivilege, deprivileged, emulateAtVirtualCpl0 } from './ring-compression';

/**
 * Interrupt and exception delivery: real-mode IVT, protected-mode IDT gates (interrupt, trap, task) with
 * the TSS stack switch, V86 frames, the #DF/triple-fault classification, and the instruction-boundary
 * checks (debug traps, HLT, external interrupts, the STI/MOV SS shadow).
 */

const enum Cls {
  Benign = 0,
  Contributory = 1,
  PageFault = 2,
}

function classOf(v: number): Cls {
  if (v === 14) return Cls.PageFault;
  if (v === 0 || (v >= 10 && v <= 13)) return Cls.Contributory;
  return Cls.Benign;
}

/** Faults push EFLAGS with RF set so the handler's IRET does not re-trigger an instruction breakpoint. */
function isFaultClass(v: number): boolean {
  return v === 0 || (v >= 5 && v <= 7) || (v >= 10 && v <= 14) || v === 16 || v === 17;
}

/**
 * Called when an instruction threw FAULT: the instruction is abandoned (EIP back at its start) and the
 * exception delivered. Returns false on a triple fault (the machine shuts down, state kept).
 */
export function handleFault(c: Cpu): boolean {
  if (c.nesting === 0) {
    c.eip = c.instrStart;
    c.faultChain = [];
    c.frameTop = 0;
  }
  c.tfTrap = false;
  c.pendingDr6 = 0;
  // The direct engine's monitor sees a #GP at ring 1 before the guest's IDT: a privileged instruction to emulate.
  if (c.excVector === 13 && c.nesting === 0 && c.direct !== null && deprivileged(c) && emulateAtVirtualCpl0(c)) return true;
  return deliverException(c, c.excVector, c.excCode);
}

/** Delivers a CPU exception with #DF/shutdown classification; EIP must already be the return point. */
export function deliverException(c: Cpu, vector: number, code: number): boolean {
  let v = vector;
  let err = code;
  c.faultChain.push({ vector: v, errorCode: hasErrorCode(v) ? err : 0, eip: c.eip >>> 0 });
  if (c.nesting > 0) {
    const prev = c.curVector;
    const first = classOf(prev);
    const second = classOf(v);
    if (prev === 8 && second !== Cls.Benign) {
      c.shutdown = true;
      c.nesting = 0;
      monitorExit(c, ExitReason.Exception, 0x100);
      return false;
    }
    if ((first === Cls.Contributory && second === Cls.Contributory) || (first === Cls.PageFault && second !== Cls.Benign)) {
      v = 8;
      err = 0;
      c.faultChain.push({ vector: 8, errorCode: 0, eip: c.eip >>> 0 });
    }
  }
  if (c.nesting > 3) {
    // Benign faults that keep faulting (e.g. a #NP on every try): give up as hardware would hang.
    c.shutdown = true;
    c.nesting = 0;
    return false;
  }
  c.nesting++;
  c.curVector = v;
  try {
    deliverEvent(c, v, EventKind.Exception, err);
  } catch (e) {
    if (e !== FAULT) throw e;
    return deliverException(c, c.excVector, c.excCode);
  }
  c.nesting = 0;
  return true;
}

/**
 * Delivers vector `v`. c.eip is the return address (instruction start for faults, next instruction for
 * traps and INT n). Throws FAULT (with c.excVector) if the delivery itself faults.
 */
export function deliverEvent(c: Cpu, v: number, kind: EventKind, code: number): void {
  if (kind === EventKind.Exception && c.intercept[v]) {
    interceptStop(c, v, code);
    return;
  }
  c.halted = false;
  c.tfTrap = false;
  const ext = kind === EventKind.External || kind === EventKind.Exception ? 1 : 0;
  const pushCode = kind === EventKind.Exception && hasErrorCode(v);
  if ((c.cr[0] & CR0.PE) === 0) {
    if (kind === EventKind.Software && c.intercept[v]) {
      interceptStop(c, v, code);
      return;
    }
    deliverReal(c, v);
  } else {
    deliverProtected(c, v, kind, code, ext, pushCode);
    if (c.direct !== null) afterDelivery(c);
  }
  c.exceptionsDelivered++;
  if (kind === EventKind.Exception) monitorExit(c, ExitReason.Exception, v);
}

function interceptStop(c: Cpu, v: number, code: number): void {
  c.intercepted = { vector: v, errorCode: hasErrorCode(v) ? code : 0, eip: c.eip >>> 0 };
  c.stopReq = StopReason.MonitorEvent;
  c.attn = true;
  c.nesting = 0;
}

function deliverReal(c: Cpu, v: number): void {
  const off = v << 2;
  if (off + 3 > c.dtr[3] >>> 0) raise(c, 13, v * 8 + 2);
  const ip = sysRead16(c, (c.dtr[2] + off) | 0);
  const cs = sysRead16(c, (c.dtr[2] + off + 2) | 0);
  const fl = getFlags(c);
  const sp = c.reg[4];
  try {
    push16(c, fl);
    push16(c, c.segSel[Seg.CS]);
    push16(c, c.eip);
  } catch (e) {
    c.reg[4] = sp;
    throw e;
  }
  c.flags = fl & ~(F.IF | F.TF | F.AC | F.RF);
  c.lzMask = 0;
  loadSegReal(c, Seg.CS, cs);
  c.eip = ip;
}

function deliverProtected(c: Cpu, v: number, kind: EventKind, code: number, ext: number, pushCode: boolean): void {
  // INT n in V86 mode with IOPL < 3 goes to the monitor (#GP(0)) before the IDT is even looked at.
  if (kind === EventKind.Software && c.flags & F.VM && ((c.flags >>> 12) & 3) < 3) raise(c, 13, 0);
  const gateErr = v * 8 + 2 + ext;
  if (v * 8 + 7 > c.dtr[3] >>> 0) raise(c, 13, gateErr);
  const gate = (c.dtr[2] + v * 8) | 0;
  const lo = sysRead32(c, gate);
  const hi = sysRead32(c, (gate + 4) | 0);
  const type = (hi >>> 8) & 0x1f;
  if (type !== 5 && type !== 6 && type !== 7 && type !== 14 && type !== 15) raise(c, 13, gateErr);
  const gateDpl = c.direct !== null && compressing(c) && (hi & 0x6000) === 0 ? 1 : (hi >>> 13) & 3;
  if (kind === EventKind.Software) {
    if (gateDpl < c.cpl) raise(c, 13, v * 8 + 2);
  }
  if ((hi & 0x8000) === 0) raise(c, 11, gateErr);
  if (kind === EventKind.Software && c.intercept[v]) {
    interceptStop(c, v, 0);
    return;
  }
  const sel = lo >>> 16;
  if (type === 5) {
    switchTask(c, sel, TaskSource.Interrupt, pushCode ? code : -1, ext);
    return;
  }
  const gate32 = (type & 8) !== 0;
  const offset = gate32 ? (hi & 0xffff0000) | (lo & 0xffff) : lo & 0xffff;
  if ((sel & 0xfffc) === 0) raise(c, 13, ext);
  readDescriptor(c, sel, 13);
  const dlo = c.descLo;
  const dhi = c.descHi;
  const ar = descAr(dhi);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  if ((ar & (AR.S | AR.CODE)) !== (AR.S | AR.CODE) || dpl > c.cpl) raise(c, 13, (sel & 0xfffc) + ext);
  if ((ar & AR.P) === 0) raise(c, 11, (sel & 0xfffc) + ext);
  const vm = (c.flags & F.VM) !== 0;
  const oldFlags = getFlags(c);
  const image = kind === EventKind.Exception && isFaultClass(v) ? oldFlags | F.RF : oldFlags;
  if (!vm && ((ar & AR.DC) !== 0 || dpl === c.cpl)) {
    deliverSamePrivilege(c, sel, dlo, dhi, offset, type, gate32, image, oldFlags, pushCode, code);
    return;
  }
  const save = saveFrameState(c);
  const oldCpl = c.cpl;
  try {
    if ((ar & AR.DC) === 0 && dpl < c.cpl) {
      if (vm && dpl !== 0) raise(c, 13, sel & 0xfffc);
      const oldSs = c.segSel[Seg.SS];
      const oldEsp = c.reg[4];
      if (vm) c.flags &= ~F.VM;
      loadStackFromTss(c, dpl, ext);
      if (vm) {
        pushG(c, gate32, c.segSel[Seg.GS]);
        pushG(c, gate32, c.segSel[Seg.FS]);
        pushG(c, gate32, c.segSel[Seg.DS]);
        pushG(c, gate32, c.segSel[Seg.ES]);
      }
      pushG(c, gate32, oldSs);
      pushG(c, gate32, oldEsp);
      c.descLo = dlo;
      c.descHi = dhi;
    } else if ((ar & AR.DC) !== 0 || dpl === c.cpl) {
      if (vm) raise(c, 13, sel & 0xfffc);
      // Switch to the handler's CPL first so the pushes are checked at its privilege.
      c.cpl = oldCpl;
    } else raise(c, 13, (sel & 0xfffc) + ext);
    const newCpl = (ar & AR.DC) !== 0 ? oldCpl : dpl;
    pushG(c, gate32, image);
    pushG(c, gate32, c.segSel[Seg.CS]);
    pushG(c, gate32, c.eip);
    if (pushCode) pushG(c, gate32, code);
    if (offset >>> 0 > descLimit(dlo, dhi) >>> 0) raise(c, 13, 0);
    if (vm) {
      for (const s of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) setSegCache(c, s, 0, 0, 0, AR.UNUSABLE);
    }
    c.descLo = dlo;
    c.descHi = dhi;
    loadCsFromDesc(c, sel, newCpl);
    c.eip = offset;
    let nf = oldFlags & ~(F.TF | F.NT | F.RF | F.VM);
    if ((type & 1) === 0) nf &= ~F.IF;
    c.flags = nf;
    c.lzMask = 0;
    refreshAllSegs(c);
    if (vm) monitorExit(c, ExitReason.ModeSwitch, 0);
    if (newCpl !== oldCpl) monitorExit(c, ExitReason.RingTransition, newCpl);
    dropFrameState(c, save);
  } catch (e) {
    restoreFrameState(c, save);
    throw e;
  }
}

/**
 * The common case (a kernel's own INT n, an IRQ or exception taken in ring 0): no stack switch, no CPL, VM or
 * AC change. Only ESP can change before the last check that may fault, so that is all a fault restores, and
 * the other segment caches and derived privilege state stay as they are (no refreshAllSegs).
 */
function deliverSamePrivilege(
  c: Cpu, sel: number, dlo: number, dhi: number, offset: number, type: number, gate32: boolean, image: number,
  oldFlags: number, pushCode: boolean, code: number,
): void {
  const esp = c.reg[4];
  try {
    pushG(c, gate32, image);
    pushG(c, gate32, c.segSel[Seg.CS]);
    pushG(c, gate32, c.eip);
    if (pushCode) pushG(c, gate32, code);
    if (offset >>> 0 > descLimit(dlo, dhi) >>> 0) raise(c, 13, 0);
  } catch (e) {
    c.reg[4] = esp;
    throw e;
  }
  c.descLo = dlo;
  c.descHi = dhi;
  loadCsFromDesc(c, sel, c.cpl);
  c.eip = offset;
  let nf = oldFlags & ~(F.TF | F.NT | F.RF | F.VM);
  if ((type & 1) === 0) nf &= ~F.IF;
  c.flags = nf;
  c.lzMask = 0;
}

function pushG(c: Cpu, gate32: boolean, v: number): void {
  if (gate32) push32(c, v);
  else push16(c, v);
}

/** Loads SS:ESP for privilege level `dpl` from the current TSS, with the #TS checks. */
export function loadStackFromTss(c: Cpu, dpl: number, ext: number): void {
  // Ring compression: the monitor's TSS gives ring 1 the guest's ring-0 stack.
  const compressed = c.direct !== null && dpl === 1;
  const t = tssStackFor(c, compressed ? 0 : dpl);
  const ss = compressed && (t.ss & 3) === 0 ? t.ss | 1 : t.ss;
  const esp = t.esp;
  if ((ss & 0xfffc) === 0) raise(c, 10, ext);
  readDescriptor(c, ss, 10);
  const ar = descAr(c.descHi);
  if ((ss & 3) !== dpl || ((ar >>> AR.DPL_SHIFT) & 3) !== dpl || (ar & (AR.S | AR.CODE | AR.RW)) !== (AR.S | AR.RW)) {
    raise(c, 10, (ss & 0xfffc) + ext);
  }
  if ((ar & AR.P) === 0) raise(c, 12, (ss & 0xfffc) + ext);
  c.cpl = dpl;
  c.rdBit = dpl === 3 ? 4 : 1;
  c.wrBit = dpl === 3 ? 8 : 2;
  setSegCache(c, Seg.SS, ss, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), ar);
  c.reg[4] = esp;
}

/**
 * Saves what a privilege-changing transfer may change (CPL, ESP, flags, ES-GS caches) so a fault half-way
 * restores the old state. The saves live in a small per-CPU stack of preallocated arrays: delivering an
 * interrupt must not allocate.
 */
export function saveFrameState(c: Cpu): number {
  const i = c.frameTop++;
  if (i === c.frameSaves.length) c.frameSaves.push(new Int32Array(28));
  const a = c.frameSaves[i];
  a[0] = c.cpl;
  a[1] = c.reg[4];
  a[2] = c.flags;
  a[3] = c.lzMask;
  for (let s = 0; s < 6; s++) {
    a[4 + s * 4] = c.segSel[s];
    a[5 + s * 4] = c.segBase[s];
    a[6 + s * 4] = c.segLimit[s];
    a[7 + s * 4] = c.segAr[s];
  }
  return i;
}

export function restoreFrameState(c: Cpu, i: number): void {
  const a = c.frameSaves[i];
  c.cpl = a[0];
  c.reg[4] = a[1];
  c.flags = a[2];
  c.lzMask = a[3];
  for (let s = 0; s < 6; s++) {
    c.segSel[s] = a[4 + s * 4];
    c.segBase[s] = a[5 + s * 4];
    c.segLimit[s] = a[6 + s * 4];
    c.segAr[s] = a[7 + s * 4];
  }
  // The CS base may have changed behind setSegCache's back.
  c.fSpan = -1;
  refreshAllSegs(c);
  c.frameTop = i;
}

export function dropFrameState(c: Cpu, i: number): void {
  c.frameTop = i;
}

// ---- instruction boundary ----

export function boundary(c: Cpu): number {
  if (c.stopReq >= 0) {
    const r = c.stopReq;
    c.stopReq = -1;
    return r;
  }
  if (c.shutdown) return StopReason.Shutdown;
  if (c.direct !== null && c.cpl === 0 && (c.cr[0] & CR0.PE) !== 0 && (c.flags & F.VM) === 0) deprivilege(c);
  c.instrStart = c.eip;
  c.nesting = 0;
  c.frameTop = 0;
  const ssInhibit = c.ssShadow;
  c.ssShadow = false;
  if (!ssInhibit && (c.tfTrap || c.pendingDr6 !== 0 || c.tssTrap)) {
    c.dr[6] = (c.dr[6] & ~0xf) | c.pendingDr6 | (c.tfTrap ? 0x4000 : 0);
    c.tfTrap = false;
    c.tssTrap = false;
    c.pendingDr6 = 0;
    c.faultChain = [];
    if (!deliverException(c, 1, 0)) return StopReason.Shutdown;
    if (c.stopReq >= 0) return takeStop(c);
  }
  const inhibit = c.shadow;
  c.shadow = false;
  if (c.nmiPending && !c.nmiBlocked && !inhibit) {
    c.nmiPending = false;
    c.nmiBlocked = true;
    c.halted = false;
    monitorExit(c, ExitReason.ExternalInterrupt, 2);
    c.faultChain = [];
    try {
      deliverEvent(c, 2, EventKind.External, 0);
    } catch (e) {
      if (e !== FAULT) throw e;
      if (!deliverException(c, c.excVector, c.excCode)) return StopReason.Shutdown;
    }
    c.nesting = 0;
    c.instrStart = c.eip;
    if (c.stopReq >= 0) return takeStop(c);
  }
  // Under ring compression the guest's interrupts follow its virtual IF (the real IF is the monitor's, always 1).
  const canInterrupt = !inhibit && (c.flags & F.IF) !== 0 && c.interruptsEnabled && (c.direct === null || c.direct.vif !== 0 || !deprivileged(c));
  if (c.halted) {
    if (!canInterrupt || !c.host.interruptPending(c.index)) {
      c.attn = true;
      return StopReason.Halted;
    }
  }
  if (canInterrupt && c.host.interruptPending(c.index)) {
    const v = c.host.acknowledgeInterrupt(c.index);
    if (v >= 0) {
      c.halted = false;
      monitorExit(c, ExitReason.ExternalInterrupt, v);
      c.faultChain = [];
      try {
        deliverEvent(c, v, EventKind.External, 0);
      } catch (e) {
        if (e !== FAULT) throw e;
        if (!deliverException(c, c.excVector, c.excCode)) return StopReason.Shutdown;
      }
      c.nesting = 0;
      c.instrStart = c.eip;
      if (c.stopReq >= 0) return takeStop(c);
    }
  }
  if (c.drExecActive && (c.flags & F.RF) === 0) {
    const lin = (c.segBase[Seg.CS] + c.eip) | 0;
    const dr7 = c.dr[7];
    let hit = 0;
    for (let n = 0; n < 4; n++) {
      if ((dr7 >>> (n * 2)) & 3 && ((dr7 >>> (16 + n * 4)) & 3) === 0 && c.dr[n] === lin) hit |= 1 << n;
    }
    if (hit) {
      c.dr[6] = (c.dr[6] & ~0xf) | hit;
      c.faultChain = [];
      if (!deliverException(c, 1, 0)) return StopReason.Shutdown;
      if (c.stopReq >= 0) return takeStop(c);
    }
  }
  c.flags &= ~F.RF;
  c.tfTrap = (c.flags & F.TF) !== 0 || (ssInhibit && c.tfTrap);
  c.attn = c.tfTrap || inhibit || c.drExecActive || (c.nmiPending && !c.nmiBlocked);
  return -1;
}

function takeStop(c: Cpu): number {
  const r = c.stopReq;
  c.stopReq = -1;
  c.attn = true;
  return r;
}
