/**
 * The page-table panel's data: what the monitor sends for one VM and one address space (CR3). Plain JSON
 * (it crosses the worker's postMessage and the webview's postMessage). Entries come as folded runs in
 * columnar arrays, because a fully mapped 4 GiB space is a million pages and a million small objects would
 * cost more to build, send and parse than the panel's whole time budget.
 */

/** Why a page looks the way it does in the shadow. Index into `stateNames`. */
export const enum PageState {
  /** The guest maps nothing here (PDE or PTE not present). */
  GuestNotPresent = 0,
  /** The guest maps it, the shadow has no entry yet: not faulted in (or dropped by INVLPG / a traced write). */
  NotFaultedIn = 1,
  /** Shadow entry present, same rights as the guest's. */
  Mapped = 2,
  /** Shadow entry read-only because the guest D bit is clear: the first write takes a hidden fault to set it. */
  DirtyPending = 3,
  /** The frame holds one of the guest's page tables: writes are traced (read-only in the shadow). */
  Traced = 4,
  /** A code page the translator watches (write-protected in the shadow). */
  Code = 5,
  /** A watched page (debugger watchpoint or DR0-3 data breakpoint): always the slow path. */
  Watched = 6,
  /** MMIO: a device answers, never in the shadow. */
  Mmio = 7,
  /** Write-protected by the monitor for another reason (copy-on-write share, ...). */
  WriteProtected = 8,
}

export const PAGE_STATE_NAMES = [
  'guest not present',
  'not faulted in',
  'mapped',
  'dirty pending',
  'traced page table',
  'code page',
  'watched',
  'mmio',
  'write-protected',
] as const;

/** Shadow permission bits as the CPU's fast path stores them (cpu/paging.ts Perm). */
export const enum ShadowPerm {
  SupRead = 1,
  SupWrite = 2,
  UserRead = 4,
  UserWrite = 8,
  Global = 16,
}

export interface ShadowCounters {
  /** Shadow misses filled from a successful guest walk (the guest never sees them). */
  hiddenFaults: number;
  /** Walks that failed and were delivered to the guest as #PF. */
  guestFaults: number;
  /** Guest writes that hit a traced page-table page and updated the shadows. */
  tracedWrites: number;
  rootsBuilt: number;
  rootsReused: number;
  /** Whole-shadow flushes (CR0/CR4 paging changes, p2m changes). */
  flushes: number;
  /** INVLPG requests honoured. */
  invlpg: number;
  /** Audit passes run and entries checked; mismatches found (must stay 0). */
  audits: number;
  auditedEntries: number;
  auditErrors: number;
}

export interface ShadowRootInfo {
  cr3: number;
  /** vCPUs whose CR3 is this root now. */
  cpus: number[];
  /** Shadow entries filled in this root. */
  filled: number;
}

/**
 * Folded runs of 4 KiB linear pages, columnar: run i covers `count[i]` pages from `lin[i]`. Pages in a run
 * share guest flags, shadow rights and state; their guest-physical and machine frames advance by 4 KiB per
 * page (or are all -1).
 */
export interface PageRuns {
  lin: number[];
  count: number[];
  /** The guest's leaf entry of the first page: the PTE, or the PDE of a 4 MiB page; 0 if not present. */
  guestEntry: number[];
  /** 1 where the guest maps the run with a 4 MiB page. */
  large: number[];
  /** Guest-physical address of the first page, -1 if the guest maps nothing. */
  gpa: number[];
  /** Machine address of the first page's frame, -1 if none is allocated or the shadow has no entry. */
  machine: number[];
  /** ShadowPerm bits of the shadow entry, 0 if none. */
  shadow: number[];
  /** PageState. */
  state: number[];
}

export interface PageTableSnapshot {
  version: 1;
  vm: number;
  vmName: string;
  cpu: number;
  /** The address space shown. */
  cr3: number;
  cr0: number;
  cr4: number;
  /** Paging off: the runs are the physical-mode shadow (identity, A20-masked). */
  paging: boolean;
  /** The guest's page directory (1024 raw PDEs), empty when paging is off. */
  pageDirectory: number[];
  roots: ShadowRootInfo[];
  counters: ShadowCounters;
  runs: PageRuns;
  /** Guest instructions executed when the snapshot was taken (to show staleness while running). */
  instructions: number;
}
