import type { PageRuns, PageTableSnapshot, ShadowRootInfo } from '../../monitor/page-table-snapshot';
import { PageState } from '../../monitor/page-table-snapshot';
import { FREE_KEY, PHYS_KEY, Protect, keyPdGfn, rootKey } from './constants';
import { panelCounters } from './counters';
import type { ShadowMmu } from './shadow-mmu';
import type { ShadowRoot } from './root';

/** The vCPU state a snapshot needs (Cpu has it; the tests can fake it). */
export interface SnapshotCpu {
  readonly index: number;
  readonly cr: Int32Array;
  readonly icount: number;
}

export function rootInfos(m: ShadowMmu): ShadowRootInfo[] {
  const out: ShadowRootInfo[] = [];
  for (const r of m.roots) {
    if (r.key === FREE_KEY) continue;
    const cpus: number[] = [];
    for (let i = 0; i < 32; i++) if (r.cpuMask & (1 << i)) cpus.push(i);
    out.push({ cr3: r.key === PHYS_KEY ? -1 : (keyPdGfn(r.key) << 12) >>> 0, cpus, filled: r.filled() });
  }
  return out;
}

/** Growable columns of runs in typed arrays (a million pushes of boxed numbers cost seconds). */
class RunColumns {
  n = 0;
  lin = new Float64Array(4096);
  count = new Int32Array(4096);
  entry = new Float64Array(4096);
  large = new Int32Array(4096);
  gpa = new Float64Array(4096);
  machine = new Float64Array(4096);
  shadow = new Int32Array(4096);
  state = new Int32Array(4096);

  grow(): void {
    const f = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(a.length * 4);
      b.set(a);
      return b;
    };
    const i = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 4);
      b.set(a);
      return b;
    };
    this.lin = f(this.lin);
    this.count = i(this.count);
    this.entry = f(this.entry);
    this.large = i(this.large);
    this.gpa = f(this.gpa);
    this.machine = f(this.machine);
    this.shadow = i(this.shadow);
    this.state = i(this.state);
  }

  toRuns(): PageRuns {
    const n = this.n;
    // A plain loop: Array.from over a typed array goes through the iterator and costs ~50x more.
    const a = (x: Float64Array | Int32Array): number[] => {
      const r: number[] = [];
      for (let k = 0; k < n; k++) r.push(x[k]);
      return r;
    };
    return {
      lin: a(this.lin),
      count: a(this.count),
      guestEntry: a(this.entry),
      large: a(this.large),
      gpa: a(this.gpa),
      machine: a(this.machine),
      shadow: a(this.shadow),
      state: a(this.state),
    };
  }
}

const NO_ENTRIES = new Int32Array(1 << 20);

/**
 * The page-table panel's snapshot of one address space: all 1M linear pages, folded into runs of pages that
 * share guest flags, shadow rights and state and whose frames advance by one page. Reads guest tables straight
 * from machine memory (no allocation, no A/D bits).
 */
export function buildSnapshot(m: ShadowMmu, cpu: SnapshotCpu, vm: number, vmName: string, cr3Arg?: number): PageTableSnapshot {
  const cr0 = cpu.cr[0];
  const cr4 = cpu.cr[4];
  const paging = cr0 < 0;
  const cr3 = (cr3Arg ?? cpu.cr[3]) & ~0xfff;
  const key = rootKey(cr0, cr3, cr4);
  let root: ShadowRoot | null = null;
  for (const r of m.roots) if (r.key === key) root = r;
  const phys = m.phys;
  const dv = new DataView(phys.machine.buffer);
  const read = (gpa: number): number => {
    const off = phys.peekFrameOffset(gpa >>> 12);
    if (off >= 0) return dv.getInt32(off + (gpa & 0xfff), true);
    return phys.specialPage[gpa >>> 12] ? 0 : phys.read32(gpa);
  };
  const out = new RunColumns();
  const pageDirectory: number[] = [];
  const entries = root !== null ? root.entries : NO_ENTRIES;
  const protect = m.trace.protect;
  const watched = m.watched;
  const special = phys.specialPage;
  const ramPages = phys.p2m.length;
  // The open run, in locals.
  let rCount = 0;
  let rEntry = 0;
  let rLarge = 0;
  let rGpa = -1;
  let rMach = -1;
  let rShadow = 0;
  let rState = -1;
  const add = (p: number, entry: number, large: number, gpa: number, present: boolean): void => {
    let mach = -1;
    let sh = 0;
    let state: number;
    const e = entries[p];
    if (!present) state = PageState.GuestNotPresent;
    else {
      const g = gpa >>> 12;
      if (e !== 0) {
        mach = (e & -4096) >>> 0;
        sh = e & 31;
      }
      if (special[g] !== 0) state = PageState.Mmio;
      else if (watched[p] !== 0) state = PageState.Watched;
      else if (e === 0) state = PageState.NotFaultedIn;
      else if (protect[g] & Protect.Traced) state = PageState.Traced;
      else if (protect[g] & Protect.Code) state = PageState.Code;
      else if (protect[g] !== 0) state = PageState.WriteProtected;
      else if ((e & 10) === 0 && paging && (entry & 0x42) === 2) state = PageState.DirtyPending;
      else state = PageState.Mapped;
    }
    if (
      rCount !== 0 &&
      state === rState &&
      sh === rShadow &&
      large === rLarge &&
      (entry & 0xfff) === (rEntry & 0xfff) &&
      (gpa === -1 ? rGpa === -1 : rGpa !== -1 && gpa === rGpa + rCount * 4096) &&
      (mach === -1 ? rMach === -1 : rMach !== -1 && mach === rMach + rCount * 4096)
    ) {
      rCount++;
      return;
    }
    if (rCount !== 0) close();
    out.lin[out.n] = p * 4096;
    rCount = 1;
    rEntry = entry;
    rLarge = large;
    rGpa = gpa;
    rMach = mach;
    rShadow = sh;
    rState = state;
  };
  const close = (): void => {
    const i = out.n;
    out.count[i] = rCount;
    out.entry[i] = rEntry >>> 0;
    out.large[i] = rLarge;
    out.gpa[i] = rGpa;
    out.machine[i] = rMach;
    out.shadow[i] = rShadow;
    out.state[i] = rState;
    out.n = i + 1;
    if (out.n === out.lin.length) out.grow();
  };
  if (!paging) {
    for (let p = 0; p < 0x100000; p++) add(p, 0, 0, p * 4096, p < ramPages || special[p] !== 0);
  } else {
    const pse = (cr4 & 0x10) !== 0;
    for (let pdi = 0; pdi < 1024; pdi++) {
      const pde = read(cr3 + pdi * 4);
      pageDirectory.push(pde >>> 0);
      const base = pdi << 10;
      if ((pde & 1) === 0) {
        for (let i = 0; i < 1024; i++) add(base | i, 0, 0, -1, false);
      } else if (pde & 0x80 && pse) {
        const frame = (pde & 0xffc00000) >>> 0;
        for (let i = 0; i < 1024; i++) add(base | i, pde, 1, frame + i * 4096, true);
      } else {
        const pt = (pde & ~0xfff) >>> 0;
        const off = phys.peekFrameOffset(pt >>> 12);
        for (let i = 0; i < 1024; i++) {
          const pte = off >= 0 ? dv.getInt32(off + i * 4, true) : read(pt + i * 4);
          if ((pte & 1) === 0) add(base | i, pte, 0, -1, false);
          else add(base | i, pte, 0, (pte & ~0xfff) >>> 0, true);
        }
      }
    }
  }
  if (rCount !== 0) close();
  return {
    version: 1,
    vm,
    vmName,
    cpu: cpu.index,
    cr3: cr3 >>> 0,
    cr0: cr0 >>> 0,
    cr4: cr4 >>> 0,
    paging,
    pageDirectory,
    roots: rootInfos(m),
    counters: panelCounters(m.stats),
    runs: out.toRuns(),
    instructions: cpu.icount,
  };
}

/** The `info shadow` monitor command's text. */
export function describeShadow(m: ShadowMmu): string {
  const s = m.stats;
  const lines = [
    `shadow MMU: ${m.roots.filter((r) => r.key !== FREE_KEY).length} roots cached, ${m.trace.tracedFrames()} frames traced, audit ${m.auditEvery ? `every ${m.auditEvery} events` : 'off'}`,
    `  hidden faults ${s.hiddenFaults}, guest faults ${s.guestFaults}, traced writes ${s.tracedWrites}, other writes ${s.physWrites}`,
    `  roots built ${s.rootsBuilt}, reused ${s.rootsReused}, evicted ${s.evictions}, flushes ${s.flushes}, invlpg ${s.invlpg}`,
    `  alias scans ${s.aliasScans} (${s.aliasDowngrades} entries made read-only)`,
    `  audits ${s.audits}, entries audited ${s.auditedEntries}, audit errors ${s.auditErrors}`,
    'roots:',
  ];
  for (const r of rootInfos(m)) {
    const what = r.cr3 < 0 ? 'physical mode' : `cr3 0x${r.cr3.toString(16).padStart(8, '0')}`;
    lines.push(`  ${what.padEnd(16)} ${String(r.filled).padStart(7)} entries${r.cpus.length ? `  active on vCPU ${r.cpus.join(',')}` : ''}`);
  }
  return lines.join('\n');
}
