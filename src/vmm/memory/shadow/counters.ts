import type { ShadowCounters } from '../../monitor/page-table-snapshot';

/** The shadow MMU's counters (the panel's ShadowCounters plus the monitor's own extras). */
export interface ShadowStats extends ShadowCounters {
  /** Roots evicted from the cache to make room. */
  evictions: number;
  /** Frames that became traced while some shadow entry might map them writable, and the entries downgraded. */
  aliasScans: number;
  aliasDowngrades: number;
  /** Writes by other writers (debugger, devices, hypercalls) reported through physWritten that hit a traced frame. */
  physWrites: number;
}

export function newStats(): ShadowStats {
  return {
    hiddenFaults: 0,
    guestFaults: 0,
    tracedWrites: 0,
    rootsBuilt: 0,
    rootsReused: 0,
    flushes: 0,
    invlpg: 0,
    audits: 0,
    auditedEntries: 0,
    auditErrors: 0,
    evictions: 0,
    aliasScans: 0,
    aliasDowngrades: 0,
    physWrites: 0,
  };
}

/** The panel's subset (its field meanings are fixed in page-table-snapshot.ts). */
export function panelCounters(s: ShadowStats): ShadowCounters {
  return {
    hiddenFaults: s.hiddenFaults,
    guestFaults: s.guestFaults,
    tracedWrites: s.tracedWrites,
    rootsBuilt: s.rootsBuilt,
    rootsReused: s.rootsReused,
    flushes: s.flushes,
    invlpg: s.invlpg,
    audits: s.audits,
    auditedEntries: s.auditedEntries,
    auditErrors: s.auditErrors,
  };
}
