import type { Cpu } from '../cpu';
import { ExitReason } from '../cpu-host';
import { AR, CPUID_SIGNATURE, CR0, CR4, F, Msr, Seg } from '../constants';
import { gp, raise, ud } from '../fault';
import { invalidatePage, switchRoot, rd16, rd32, sysRead32, sysWrite32, wr16, wr32 } from '../access';
import { freeze } from '../flags';
import { monitorExit } from '../exits';
import { decodeEA, readEw, setR16, writeEw } from '../modrm';
import { descAr, descBase, descLimit, readDescriptor, refreshAllSegs, setSegCache, isProtected } from '../segmentation';
import { drExecEnabled, ioBreakpointsEnabled, rebuildSlowPages } from '../debug-access';
import type { Handler } from '../handler';
import { hypervisorLeaf } from './hypercall';
import { compressDescriptor, compressing, monitorCr0, MONITOR_GDT_BASE, MONITOR_IDT_BASE } from '../ring-compression';

/** Privileged and system instructions: control/debug registers, descriptor tables, MSRs, CPUID. */

export function requireCpl0(c: Cpu): void {
  if (c.cr[0] & CR0.PE && c.cpl !== 0) gp(c, 0);
}

function requireProtected(c: Cpu): void {
  if (!isProtected(c)) ud(c);
}

// ---- control registers ----

export function writeCr0(c: Cpu, v: number): void {
  v |= CR0.ET;
  if (v & CR0.PG && (v & CR0.PE) === 0) gp(c, 0);
  if (v & CR0.NW && (v & CR0.CD) === 0) gp(c, 0);
  const old = c.cr[0];
  c.cr[0] = v;
  const changed = old ^ v;
  // Paging mode is part of a shadow root's key: a change is a switch to that mode's root, not a flush.
  if (changed & (CR0.PG | CR0.WP | CR0.PE)) switchRoot(c);
  if (changed & (CR0.PE | CR0.PG)) monitorExit(c, ExitReason.ModeSwitch, v);
  if (changed & (CR0.PE | CR0.AM)) refreshAllSegs(c);
  if (changed & CR0.PE) c.attn = true;
}

export function writeCr(c: Cpu, n: number, v: number): void {
  monitorExit(c, ExitReason.CrWrite, n);
  switch (n) {
    case 0:
      writeCr0(c, v);
      return;
    case 2:
      c.cr[2] = v;
      return;
    case 3:
      c.cr[3] = v & ~0xfe7;
      // Shadows are kept coherent by write tracing, so a reload only picks the root (cached or new).
      switchRoot(c);
      c.smmu.event();
      return;
    case 4: {
      if (v & ~CR4.SUPPORTED) gp(c, 0);
      const old = c.cr[4];
      c.cr[4] = v;
      if ((old ^ v) & (CR4.PSE | CR4.PGE)) switchRoot(c);
      c.ioBreakpoints = ioBreakpointsEnabled(c);
      return;
    }
    default:
      ud(c);
  }
}

export const movRdCd: Handler = (c) => {
  const n = (c.modrm >> 3) & 7;
  if (n === 1 || n > 4) ud(c);
  requireCpl0(c);
  monitorExit(c, ExitReason.CrRead, n);
  c.reg[c.modrm & 7] = c.cr[n];
};

export const movCdRd: Handler = (c) => {
  const n = (c.modrm >> 3) & 7;
  if (n === 1 || n > 4) ud(c);
  requireCpl0(c);
  writeCr(c, n, c.reg[c.modrm & 7]);
};

/** DR7.GD: any debug-register access faults with #DB (DR6.BD) and clears GD, for an in-circuit emulator. */
function generalDetect(c: Cpu): void {
  if (c.dr[7] & 0x2000) {
    c.dr[7] &= ~0x2000;
    c.dr[6] |= 0x2000;
    raise(c, 1);
  }
}

export const movRdDd: Handler = (c) => {
  let n = (c.modrm >> 3) & 7;
  if (n === 4 || n === 5) {
    if (c.cr[4] & CR4.DE) ud(c);
    n += 2;
  }
  requireCpl0(c);
  generalDetect(c);
  monitorExit(c, ExitReason.DrRead, n);
  c.reg[c.modrm & 7] = n === 6 ? c.dr[6] | 0xffff0ff0 : n === 7 ? c.dr[7] | 0x400 : c.dr[n];
};

export const movDdRd: Handler = (c) => {
  let n = (c.modrm >> 3) & 7;
  if (n === 4 || n === 5) {
    if (c.cr[4] & CR4.DE) ud(c);
    n += 2;
  }
  requireCpl0(c);
  generalDetect(c);
  monitorExit(c, ExitReason.DrWrite, n);
  const v = c.reg[c.modrm & 7];
  c.dr[n] = n === 6 ? v | 0xffff0ff0 : n === 7 ? (v & ~0xd800) | 0x400 : v;
  if (n === 7) c.ioBreakpoints = ioBreakpointsEnabled(c);
  if (n !== 6) {
    rebuildSlowPages(c);
    c.drExecActive = drExecEnabled(c.dr[7]);
    c.attn = true;
  }
};

export const clts: Handler = (c) => {
  requireCpl0(c);
  monitorExit(c, ExitReason.Clts, 0);
  c.cr[0] &= ~CR0.TS;
};

export const lmsw: Handler = (c) => {
  const v = readEw(c);
  requireCpl0(c);
  monitorExit(c, ExitReason.Lmsw, v & 0xffff);
  // LMSW can set PE but never clear it.
  writeCr0(c, (c.cr[0] & ~0xe) | (v & 0xf) | (c.cr[0] & CR0.PE));
};

export const smsw: Handler = (c) => {
  const cr0 = c.direct !== null && compressing(c) ? monitorCr0(c) : c.cr[0];
  if (c.modrm >= 0xc0 && c.osz) c.reg[c.modrm & 7] = cr0;
  else writeEw(c, cr0);
};

export const invlpg: Handler = (c) => {
  if (c.modrm >= 0xc0) ud(c);
  requireCpl0(c);
  decodeEA(c);
  monitorExit(c, ExitReason.Invlpg, (c.segBase[c.eaSeg] + c.eaOff) | 0);
  invalidatePage(c, (c.segBase[c.eaSeg] + c.eaOff) | 0);
};

export const invd: Handler = (c) => {
  requireCpl0(c);
  monitorExit(c, ExitReason.CacheFlush, c.instrOp & 0xff);
};

// ---- descriptor tables ----

function storeDtr(which: 0 | 2): Handler {
  return (c) => {
    if (c.modrm >= 0xc0) ud(c);
    decodeEA(c);
    // Under ring compression the CPU really uses the monitor's shadow tables: SGDT/SIDT (unprivileged) say so.
    const base = c.direct !== null && compressing(c) ? (which === 0 ? MONITOR_GDT_BASE : MONITOR_IDT_BASE) : c.dtr[which];
    wr16(c, c.eaSeg, c.eaOff, c.dtr[which + 1]);
    wr32(c, c.eaSeg, (c.eaOff + 2) | 0, c.osz ? base : base & 0xffffff);
  };
}

function loadDtr(which: 0 | 2): Handler {
  return (c) => {
    if (c.modrm >= 0xc0) ud(c);
    requireCpl0(c);
    decodeEA(c);
    const limit = rd16(c, c.eaSeg, c.eaOff);
    const base = rd32(c, c.eaSeg, (c.eaOff + 2) | 0);
    monitorExit(c, ExitReason.DescriptorTableLoad, which);
    c.dtr[which] = c.osz ? base : base & 0xffffff;
    c.dtr[which + 1] = limit;
  };
}

export const sgdt = storeDtr(0);
export const sidt = storeDtr(2);
export const lgdt = loadDtr(0);
export const lidt = loadDtr(2);

function storeSel(s: number): Handler {
  return (c) => {
    requireProtected(c);
    if (c.modrm >= 0xc0 && c.osz) c.reg[c.modrm & 7] = c.segSel[s];
    else writeEw(c, c.segSel[s]);
  };
}

export const sldt = storeSel(Seg.LDTR);
export const str = storeSel(Seg.TR);

export const lldt: Handler = (c) => {
  requireProtected(c);
  const sel = readEw(c);
  requireCpl0(c);
  monitorExit(c, ExitReason.DescriptorTableLoad, 4);
  if ((sel & 0xfffc) === 0) {
    setSegCache(c, Seg.LDTR, sel, 0, 0, AR.UNUSABLE);
    return;
  }
  if (sel & 4) gp(c, sel & 0xfffc);
  readDescriptor(c, sel);
  const ar = descAr(c.descHi);
  if ((ar & 0x1f) !== 2) gp(c, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  setSegCache(c, Seg.LDTR, sel, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), ar);
};

export const ltr: Handler = (c) => {
  requireProtected(c);
  const sel = readEw(c);
  requireCpl0(c);
  monitorExit(c, ExitReason.DescriptorTableLoad, 5);
  if ((sel & 0xfffc) === 0) gp(c, 0);
  if (sel & 4) gp(c, sel & 0xfffc);
  const addr = readDescriptor(c, sel);
  const ar = descAr(c.descHi);
  const type = ar & 0x1f;
  if (type !== 1 && type !== 9) gp(c, sel & 0xfffc);
  if ((ar & AR.P) === 0) raise(c, 11, sel & 0xfffc);
  sysWrite32(c, (addr + 4) | 0, c.descHi | 0x200);
  setSegCache(c, Seg.TR, sel, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), ar | 2);
};

// ---- LAR / LSL / VERR / VERW / ARPL: report through ZF, never fault on a bad selector ----

/** Reads the descriptor for `sel` if it exists and is visible at CPL/RPL; returns false otherwise. */
function probeDescriptor(c: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0) return false;
  let base: number, limit: number;
  if (sel & 4) {
    if (c.segAr[Seg.LDTR] & AR.UNUSABLE) return false;
    base = c.segBase[Seg.LDTR];
    limit = c.segLimit[Seg.LDTR] >>> 0;
  } else {
    base = c.dtr[0];
    limit = c.dtr[1] >>> 0;
  }
  if ((sel & 0xfff8) + 7 > limit) return false;
  const a = (base + (sel & 0xfff8)) | 0;
  c.descLo = sysRead32(c, a);
  c.descHi = sysRead32(c, (a + 4) | 0);
  if (c.direct !== null && compressing(c)) compressDescriptor(c);
  return true;
}

function privOk(c: Cpu, sel: number, ar: number): boolean {
  const conformingCode = (ar & (AR.S | AR.CODE | AR.DC)) === (AR.S | AR.CODE | AR.DC);
  const dpl = (ar >>> AR.DPL_SHIFT) & 3;
  return conformingCode || (dpl >= c.cpl && dpl >= (sel & 3));
}

function setZf(c: Cpu, on: boolean): void {
  freeze(c, F.ARITH);
  if (on) c.flags |= F.ZF;
  else c.flags &= ~F.ZF;
}

const LAR_SYSTEM = [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0];
const LSL_SYSTEM = [0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0];

function larLsl(lsl: boolean): Handler {
  return (c) => {
    requireProtected(c);
    const sel = readEw(c);
    let ok = probeDescriptor(c, sel);
    const ar = descAr(c.descHi);
    if (ok) ok = (ar & AR.S ? true : (lsl ? LSL_SYSTEM : LAR_SYSTEM)[ar & 0xf] === 1) && privOk(c, sel, ar);
    setZf(c, ok);
    if (!ok) return;
    const g = (c.modrm >> 3) & 7;
    const v = lsl ? descLimit(c.descLo, c.descHi) : c.descHi & 0x00f0ff00;
    if (c.osz) c.reg[g] = v;
    else setR16(c, g, v);
  };
}

export const lar = larLsl(false);
export const lsl = larLsl(true);

function verify(write: boolean): Handler {
  return (c) => {
    requireProtected(c);
    const sel = readEw(c);
    let ok = probeDescriptor(c, sel);
    const ar = descAr(c.descHi);
    if (ok) {
      if ((ar & AR.S) === 0) ok = false;
      else if (write) ok = (ar & (AR.CODE | AR.RW)) === AR.RW && privOk(c, sel, ar);
      else ok = ((ar & AR.CODE) === 0 || (ar & AR.RW) !== 0) && privOk(c, sel, ar);
    }
    setZf(c, ok);
  };
}

export const verr = verify(false);
export const verw = verify(true);

export const arpl: Handler = (c) => {
  requireProtected(c);
  const d = readEw(c);
  const s = c.reg[(c.modrm >> 3) & 7] & 3;
  if ((d & 3) < s) {
    setZf(c, true);
    if (c.modrm >= 0xc0) setR16(c, c.modrm & 7, (d & ~3) | s);
    else wr16(c, c.eaSeg, c.eaOff, (d & ~3) | s);
  } else setZf(c, false);
};

// ---- CPUID, TSC, MSRs ----

export const CPUID_FEATURES_EDX =
  (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 9) | (1 << 11) | (1 << 13) | (1 << 15);

export const cpuid: Handler = (c) => {
  const leaf = c.reg[0] >>> 0;
  monitorExit(c, ExitReason.Cpuid, leaf);
  const r = c.reg;
  if (leaf === 0x40000000 || leaf === 0x40000001) {
    hypervisorLeaf(c, leaf);
    return;
  }
  const l = leaf === 0 ? 0 : leaf === 1 ? 1 : leaf === 2 ? 2 : 2;
  if (l === 0) {
    r[0] = 2;
    r[3] = 0x756e6547; // "Genu"
    r[2] = 0x49656e69; // "ineI"
    r[1] = 0x6c65746e; // "ntel"
  } else if (l === 1) {
    r[0] = CPUID_SIGNATURE;
    r[3] = (c.index & 0xff) << 24;
    r[1] = (1 << 31) | 0;
    r[2] = CPUID_FEATURES_EDX;
  } else {
    // Leaf 2: one iteration, no cache descriptors worth reporting.
    r[0] = 1;
    r[3] = 0;
    r[1] = 0;
    r[2] = 0;
  }
};

export function readTsc(c: Cpu): number {
  return c.host.now() + c.tscOffset;
}

function setEdxEax(c: Cpu, v: number): void {
  c.reg[0] = (v % 0x100000000) | 0;
  c.reg[2] = Math.floor(v / 0x100000000) | 0;
}

export const rdtsc: Handler = (c) => {
  if (c.cr[4] & CR4.TSD && c.cr[0] & CR0.PE && c.cpl !== 0) gp(c, 0);
  setEdxEax(c, readTsc(c));
};

export const rdpmc: Handler = (c) => {
  if (!(c.cr[4] & CR4.PCE) && c.cr[0] & CR0.PE && c.cpl !== 0) gp(c, 0);
  if ((c.reg[1] >>> 0) > 1) gp(c, 0);
  c.reg[0] = 0;
  c.reg[2] = 0;
};

export const rdmsr: Handler = (c) => {
  requireCpl0(c);
  const n = c.reg[1] >>> 0;
  monitorExit(c, ExitReason.Msr, n);
  switch (n) {
    case Msr.TSC: setEdxEax(c, readTsc(c)); return;
    case Msr.APIC_BASE: c.reg[0] = c.apicBase; c.reg[2] = 0; return;
    case Msr.BIOS_SIGN_ID: c.reg[0] = 0; c.reg[2] = 0; return;
    case Msr.SYSENTER_CS: c.reg[0] = c.sysenterCs; c.reg[2] = 0; return;
    case Msr.SYSENTER_ESP: c.reg[0] = c.sysenterEsp; c.reg[2] = 0; return;
    case Msr.SYSENTER_EIP: c.reg[0] = c.sysenterEip; c.reg[2] = 0; return;
    default: gp(c, 0);
  }
};

export const wrmsr: Handler = (c) => {
  requireCpl0(c);
  const n = c.reg[1] >>> 0;
  monitorExit(c, ExitReason.Msr, n);
  const lo = c.reg[0];
  switch (n) {
    case Msr.TSC:
      c.tscOffset = (c.reg[2] >>> 0) * 0x100000000 + (lo >>> 0) - c.host.now();
      return;
    case Msr.APIC_BASE: c.apicBase = (lo & 0xfffff900) | (c.apicBase & 0x100); return;
    // Software writes 0 and runs CPUID so the processor latches the microcode revision here; with no update
    // loaded the revision stays 0, so the write has nothing to keep.
    case Msr.BIOS_SIGN_ID: return;
    case Msr.SYSENTER_CS: c.sysenterCs = lo & 0xffff; return;
    case Msr.SYSENTER_ESP: c.sysenterEsp = lo; return;
    case Msr.SYSENTER_EIP: c.sysenterEip = lo; return;
    default: gp(c, 0);
  }
};

export const sysenter: Handler = (c) => {
  if ((c.cr[0] & CR0.PE) === 0 || (c.sysenterCs & 0xfffc) === 0) gp(c, 0);
  const cs = c.sysenterCs & 0xfffc;
  const oldCpl = c.cpl;
  c.flags &= ~(F.VM | F.IF | F.RF);
  setSegCache(c, Seg.CS, cs, 0, -1, AR.P | AR.S | AR.CODE | AR.RW | AR.ACCESSED | AR.D | AR.G);
  c.cpl = 0;
  setSegCache(c, Seg.SS, cs + 8, 0, -1, AR.P | AR.S | AR.RW | AR.ACCESSED | AR.D | AR.G);
  refreshAllSegs(c);
  c.reg[4] = c.sysenterEsp;
  c.eip = c.sysenterEip;
  c.attn = true;
  if (oldCpl !== 0) monitorExit(c, ExitReason.RingTransition, 0);
};

export const sysexit: Handler = (c) => {
  if ((c.cr[0] & CR0.PE) === 0 || c.flags & F.VM || c.cpl !== 0 || (c.sysenterCs & 0xfffc) === 0) gp(c, 0);
  const cs = c.sysenterCs & 0xfffc;
  const dpl3 = 3 << AR.DPL_SHIFT;
  setSegCache(c, Seg.CS, (cs + 16) | 3, 0, -1, AR.P | AR.S | AR.CODE | AR.RW | AR.ACCESSED | AR.D | AR.G | dpl3);
  c.cpl = 3;
  setSegCache(c, Seg.SS, (cs + 24) | 3, 0, -1, AR.P | AR.S | AR.RW | AR.ACCESSED | AR.D | AR.G | dpl3);
  refreshAllSegs(c);
  c.reg[4] = c.reg[1];
  c.eip = c.reg[2];
  monitorExit(c, ExitReason.RingTransition, 3);
};
