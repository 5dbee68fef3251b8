import type { Cpu } from '../../cpu/cpu';
import { StopReason } from '../../cpu/cpu-host';
import { BLOCK_WRITE, Errno, Hc, HC_ALL_FEATURES, HC_VERSION, MAX_PT_UPDATES } from '../../devices/pv-abi';
import { isGuestRam } from '../../devices/pv-guest-ram';
import { pvBlockTransfer, pvConsoleWrite } from '../../devices/pv-transfer';
import type { Machine } from '../machine';

/** Hypercalls served, per number (0..HC_COUNT-1; anything else counts in the last slot). */
export const HC_COUNT = 7;

/**
 * The monitor's side of VMCALL (the spec is README.md here). Called after the Hypercall exit was counted:
 * reads EAX (the number) and EBX, ECX, EDX, ESI (arguments), writes the result to EAX.
 */
export function handleHypercall(m: Machine, c: Cpu): void {
  const r = c.reg;
  const nr = r[0] >>> 0;
  m.hypercallCounts[nr < HC_COUNT - 1 ? nr : HC_COUNT - 1]++;
  r[0] = dispatch(m, c, nr, r[3] >>> 0, r[1] >>> 0, r[2] >>> 0, r[6] >>> 0);
}

function dispatch(m: Machine, c: Cpu, nr: number, a0: number, a1: number, a2: number, a3: number): number {
  switch (nr) {
    case Hc.Version:
      return HC_VERSION;
    case Hc.Features:
      return HC_ALL_FEATURES;
    case Hc.ConsoleWrite:
      return pvConsoleWrite(m.phys, a0, a1, (b) => m.consoleOut(b));
    case Hc.PtUpdate:
      return ptUpdate(m, a0, a1);
    case Hc.BlockIo:
      return pvBlockTransfer(m.phys, m.disks[a0 & 0xff] ?? undefined, (a0 & BLOCK_WRITE) !== 0, a1, a2, a3);
    case Hc.Yield:
      m.requestYield();
      if (c.stopReq < 0) c.stopReq = StopReason.Budget;
      c.attn = true;
      return 0;
    default:
      return -Errno.ENOSYS;
  }
}

/**
 * Batched page-table update: `count` pairs of {u32 pte gpa, u32 value} at `list`. All are validated before any
 * is written (4-byte aligned, wholly in this VM's RAM), so a bad batch changes nothing. Returns `count`.
 */
function ptUpdate(m: Machine, list: number, count: number): number {
  if (count > MAX_PT_UPDATES) return -Errno.E2BIG;
  if (!isGuestRam(m.phys, list, count * 8)) return -Errno.EFAULT;
  const pairs = m.phys.readBytes(list, count * 8);
  const dv = new DataView(pairs.buffer, pairs.byteOffset, pairs.byteLength);
  const gpas: number[] = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const pte = dv.getUint32(i * 8, true);
    if ((pte & 3) !== 0) return -Errno.EINVAL;
    if (!isGuestRam(m.phys, pte, 4)) return -Errno.EFAULT;
    gpas[i] = pte;
  }
  for (let i = 0; i < count; i++) m.phys.write32(gpas[i], dv.getUint32(i * 8 + 4, true));
  notePageTableWrites(m, gpas);
  return count;
}

/**
 * The monitor learns that the guest's page tables changed at `gpas` (4-byte entries): the shadow MMU drops
 * exactly the shadow entries derived from them, as it does for a traced guest write.
 */
export function notePageTableWrites(m: Machine, gpas: readonly number[]): void {
  for (const g of gpas) m.shadow.physWritten(g, 4);
}
