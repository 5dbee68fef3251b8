/**
 * The shadow MMU's switches and encodings, in one place so the README's numbers have one source.
 */

/** Shadow roots kept per VM (LRU; a root some vCPU has active is never evicted). */
export const ROOT_CACHE_SIZE = 8;

/** Fill-list length per root: clearing or evicting a root touches only listed entries until it overflows. */
export const FILL_LIST = 32768;

/** Per guest frame: why the shadows never map it writable. */
export const enum Protect {
  /** One of the guest's page directories or page tables that a cached root was built from. */
  Traced = 1,
  /** Hook for the translator: a code page it watches (nothing sets it yet). */
  Code = 2,
  /** Hook for memory reclamation: a copy-on-write shared frame (nothing sets it yet). */
  Cow = 4,
}

/** Perm.SupWrite | Perm.UserWrite (cpu/paging.ts). */
export const WRITE_BITS = 10;

/** pdeSrc values besides a page-table gfn. */
export const PDE_NONE = -1;
export const PDE_LARGE = -2;

/** Key of the physical-mode root (paging off: identity, linear = guest-physical). */
export const PHYS_KEY = -1;
/** Key of a root slot holding nothing. */
export const FREE_KEY = -2;

const WP = 0x10000;
const PSE = 0x10;
const PGE = 0x80;

/**
 * A root is keyed by the page-directory frame and the paging-mode bits its entries were computed under
 * (CR0.WP, CR4.PSE, CR4.PGE), so vCPUs of one VM in different modes never share entries and a mode change is
 * a root switch, not a flush.
 */
export function rootKey(cr0: number, cr3: number, cr4: number): number {
  if (cr0 >= 0) return PHYS_KEY;
  return ((cr3 >>> 12) << 3) | (cr0 & WP ? 1 : 0) | (cr4 & PSE ? 2 : 0) | (cr4 & PGE ? 4 : 0);
}

/** The CR0/CR4 a root's entries were computed under (for the audit's walks and the snapshot). */
export function keyCr0(key: number): number {
  return (0x80000001 | (key & 1 ? WP : 0)) | 0;
}

export function keyCr4(key: number): number {
  return (key & 2 ? PSE : 0) | (key & 4 ? PGE : 0);
}

export function keyPdGfn(key: number): number {
  return key >>> 3;
}

/**
 * The audit period a new shadow MMU starts with: RINGSIDE_SHADOW_AUDIT=N (every N events), else off. The test
 * suites set it (test/support/shadow-audit.ts); a VM's `shadowAudit` option overrides it.
 */
export function envAuditEvery(): number {
  const v = Number((typeof process !== 'undefined' && process.env?.RINGSIDE_SHADOW_AUDIT) || 0);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}
