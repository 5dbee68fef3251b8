import type { Cpu } from './cpu';
import { ExitReason } from './cpu-host';
import { AR, CR0, F, Seg } from './constants';
import { FAULT } from './fault';
import { monitorExit } from './exits';
import { setCpl } from './segmentation';

/**
 * Ring compression: the mechanism behind the `direct` engine (src/vmm/engine/direct.ts), which runs the guest
 * kernel deprivileged to show why x86 is not classically virtualizable.
 *
 * While the guest is in protected mode at its (virtual) CPL 0, the CPU really runs at CPL 1 on the monitor's
 * descriptor tables: every descriptor the CPU reads through GDTR/LDTR/IDTR at CPL 1 or 3 is the guest's with
 * DPL 0 compressed to DPL 1 (the shadow tables, derived entry by entry as they are read, so they can never be
 * out of step with the guest's and the guest cannot write them), SGDT/SIDT reveal the shadow tables' address
 * in the top 4 MiB of the linear space, the monitor's TSS gives ring 1 the guest's SS0:ESP0 and has no I/O
 * bitmap. The real IF stays 1 (the monitor keeps its interrupts) and IOPL 0, so CLI, STI and port I/O fault;
 * the guest's IF and IOPL are virtual (`vif`, `viopl`) and interrupts reach the guest only when vif is 1.
 *
 * Privileged instructions at CPL 1 raise #GP; the CPU's fault path hands that #GP to `emulateAtVirtualCpl0`
 * before the guest's IDT, which re-executes the instruction at CPL 0 against the guest's virtual state (the
 * interpreter is the emulator) and records a monitor exit. Sensitive unprivileged instructions get no help:
 * POPF/IRET cannot change IF at CPL 1, PUSHF shows IF 1 and IOPL 0, MOV r/m,CS and PUSH CS show RPL 1, LAR/LSL
 * show DPL 1, SMSW shows the monitor's CR0: exactly what hardware does, which is the point.
 *
 * The guest's own ring 1 (rare) runs at ring 1 too: it is conflated with its ring 0, as in every ring-compressing
 * monitor. Real mode and V86 run interpreted at their own privilege.
 */
export class DirectState {
  /** The guest's virtual interrupt flag (1 = interrupts on) and IOPL while it runs compressed. */
  vif = 0;
  viopl = 0;
  /** #GPs at CPL 1 emulated as monitor exits, and those that were genuine faults reflected to the guest. */
  emulated = 0;
  reflected = 0;
  /** Times the guest entered (virtual) CPL 0 in protected mode and was moved to ring 1. */
  deprivileges = 0;
}

/** Where SGDT and SIDT say the descriptor tables are: the monitor's, in the top 4 MiB (as VMware placed them). */
export const MONITOR_GDT_BASE = 0xffc01000 | 0;
export const MONITOR_IDT_BASE = 0xffc02000 | 0;

/** The CR0 the monitor really runs with (what SMSW shows): protected mode and paging always on, NE and WP set. */
export function monitorCr0(c: Cpu): number {
  return c.cr[0] | CR0.PE | CR0.PG | CR0.WP | CR0.NE | CR0.ET;
}

/** True while descriptors must be read through the shadow tables: the direct engine, outside CPL 0 and V86. */
export function compressing(c: Cpu): boolean {
  return c.direct !== null && c.cpl !== 0 && (c.flags & F.VM) === 0;
}

/** The guest kernel is running deprivileged: its virtual CPL 0 is the real CPL 1. */
export function deprivileged(c: Cpu): boolean {
  return c.direct !== null && c.cpl === 1 && (c.flags & F.VM) === 0 && (c.cr[0] & CR0.PE) !== 0;
}

/** The shadow entry of the descriptor in c.descHi: DPL 0 becomes 1. */
export function compressDescriptor(c: Cpu): void {
  if ((c.descHi & 0x6000) === 0) c.descHi |= 0x2000;
}

const DPL1 = 1 << AR.DPL_SHIFT;
const DPL_MASK = 3 << AR.DPL_SHIFT;

/** Moves a guest at (protected-mode) CPL 0 to ring 1: CS and SS get RPL and DPL 1, IF and IOPL go virtual. */
export function deprivilege(c: Cpu): void {
  const d = c.direct!;
  d.vif = c.flags & F.IF ? 1 : 0;
  d.viopl = (c.flags >>> 12) & 3;
  c.flags = (c.flags | F.IF) & ~F.IOPL;
  for (const s of [Seg.CS, Seg.SS]) {
    if ((c.segSel[s] & 3) === 0) c.segSel[s] |= 1;
    if ((c.segAr[s] & DPL_MASK) === 0) c.segAr[s] |= DPL1;
  }
  setCpl(c, 1);
  d.deprivileges++;
  c.attn = true;
}

/** The inverse, for one emulated instruction: the guest's virtual CPL 0, IF and IOPL become real. */
function reprivilege(c: Cpu): void {
  const d = c.direct!;
  c.flags = (c.flags & ~(F.IF | F.IOPL)) | (d.vif ? F.IF : 0) | (d.viopl << 12);
  for (const s of [Seg.CS, Seg.SS]) {
    if ((c.segSel[s] & 3) === 1) c.segSel[s] &= ~3;
    if ((c.segAr[s] & DPL_MASK) === DPL1) c.segAr[s] &= ~DPL_MASK;
  }
  setCpl(c, 0);
}

function exitsSoFar(c: Cpu): number {
  let n = 0;
  for (let i = 0; i < ExitReason.Count; i++) n += c.exitCounts[i];
  return n;
}

/**
 * The monitor's #GP handler: the instruction at c.instrStart faulted at CPL 1. Re-executes it at the guest's
 * virtual CPL 0. Returns true if it completed (a monitor exit: the instruction's own reason, or
 * RingCompression for an unprivileged one that faulted only because of ring 1); false if it faults at CPL 0
 * too, in which case c.excVector/c.excCode hold that fault and it goes to the guest as on hardware.
 */
export function emulateAtVirtualCpl0(c: Cpu): boolean {
  const d = c.direct!;
  const start = c.instrStart;
  const exitsBefore = exitsSoFar(c);
  reprivilege(c);
  c.eip = start;
  c.resetPrefixes();
  try {
    c.execOp(c.fetch8());
  } catch (e) {
    if (e !== FAULT) throw e;
    c.eip = start;
    c.resetPrefixes();
    returnToDirect(c);
    d.reflected++;
    return false;
  }
  c.icount++;
  d.emulated++;
  if (exitsSoFar(c) === exitsBefore) monitorExit(c, ExitReason.RingCompression, c.instrOp);
  returnToDirect(c);
  c.attn = true;
  return true;
}

/** After an emulated instruction: back to ring 1 if the guest is still at CPL 0 in protected mode. */
function returnToDirect(c: Cpu): void {
  if (c.cpl === 0 && (c.cr[0] & CR0.PE) !== 0 && (c.flags & F.VM) === 0) deprivilege(c);
}

/**
 * After an interrupt or exception reached a ring-1 handler. The monitor's shadow IDT has trap gates only: an
 * interrupt gate would clear the real IF, and the guest's IRET at ring 1 could never set it again, so the
 * monitor would lose its own interrupts until the guest's next STI trapped. Delivery through a trap gate does
 * not involve the monitor, so nothing updates the virtual IF either: the guest's handler runs with its
 * interrupts as they were (on, if they were on; the guest expected them off; see the engine's README).
 */
export function afterDelivery(c: Cpu): void {
  if (c.cpl === 0 && (c.cr[0] & CR0.PE) !== 0 && (c.flags & F.VM) === 0) {
    deprivilege(c);
    return;
  }
  if (c.cpl === 1) c.flags |= F.IF;
}
