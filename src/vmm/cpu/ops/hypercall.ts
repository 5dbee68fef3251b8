import type { Cpu } from '../cpu';
import { ExitReason } from '../cpu-host';
import { CR0 } from '../constants';
import { ud } from '../fault';
import { monitorExit } from '../exits';
import type { Handler } from '../handler';
import { deprivileged } from '../ring-compression';

/**
 * VMCALL (0F 01 C1) as Ringside's hypercall instruction, as KVM uses it: the guest kernel at CPL 0 asks the
 * monitor for a service (number in EAX, arguments in EBX, ECX, EDX, ESI, result in EAX). Every hypercall is a
 * monitor exit (reason Hypercall, detail = the number), so the debugger's filter can break on it. At CPL > 0,
 * in virtual-8086 mode, or on a host without a hypercall interface (a bare P6: no VMX) it is #UD.
 */
export const vmcall: Handler = (c) => {
  const host = c.host;
  if (host.hypercall === undefined) ud(c);
  // 66, F2 and F3 select other instructions in this space: VMCALL with any of them is #UD (iced-x86 agrees).
  if (c.rep !== 0 || c.osz !== c.defOsz) ud(c);
  // Virtual-8086 mode runs at CPL 3, so this covers it too. Under the direct engine the guest kernel's CPL 0
  // really is ring 1: a paravirtual kernel calls the monitor from there (as Xen's ring-1 guests do).
  if ((c.cr[0] & CR0.PE) !== 0 && c.cpl !== 0 && !deprivileged(c)) ud(c);
  monitorExit(c, ExitReason.Hypercall, c.reg[0]);
  host.hypercall(c.index);
};

/**
 * CPUID's hypervisor leaves. 0x40000000: the highest hypervisor leaf in EAX and "RingsideRing" in EBX, ECX,
 * EDX. 0x40000001: what the host's `hypervisorInfo` says (version in EAX, then EBX, ECX, EDX: the
 * paravirtual devices' ports and feature bits, see src/vmm/monitor/hypercalls/README.md); all zero where the
 * host offers no hypercalls.
 */
export function hypervisorLeaf(c: Cpu, leaf: number): void {
  const r = c.reg;
  if (leaf === 0x40000000) {
    r[0] = 0x40000001;
    r[3] = sigWord(0);
    r[1] = sigWord(1);
    r[2] = sigWord(2);
    return;
  }
  const info = c.host.hypervisorInfo;
  r[0] = info ? info[0] : 0;
  r[3] = info ? info[1] : 0;
  r[1] = info ? info[2] : 0;
  r[2] = info ? info[3] : 0;
}

const SIGNATURE = 'RingsideRing';
function sigWord(i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) v |= SIGNATURE.charCodeAt(i * 4 + k) << (k * 8);
  return v;
}
