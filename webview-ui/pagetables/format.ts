/** How entries read in the table: guest flag letters, shadow rights, and the reason behind each page state. */
import { PageState, ShadowPerm } from '../../src/vmm/monitor/page-table-snapshot';

/** Guest PDE/PTE bits shown as letters, in this order (Intel SDM Vol. 3A, 4.3 "32-bit paging"). */
export const GUEST_FLAGS: readonly { letter: string; bit: number; title: string }[] = [
  { letter: 'P', bit: 0x001, title: 'present' },
  { letter: 'W', bit: 0x002, title: 'writable' },
  { letter: 'U', bit: 0x004, title: 'user' },
  { letter: 'A', bit: 0x020, title: 'accessed' },
  { letter: 'D', bit: 0x040, title: 'dirty' },
  { letter: 'G', bit: 0x100, title: 'global' },
  { letter: 'PS', bit: 0x080, title: '4 MiB page' },
];

export interface StateLook {
  /** Short category: what the shadow does with the page. */
  kind: 'absent' | 'mapped' | 'traced' | 'write-protected' | 'slow path';
  /** Why. */
  reason: string;
  icon: string;
}

const STATES: Record<number, StateLook> = {
  [PageState.GuestNotPresent]: { kind: 'absent', reason: 'guest maps nothing', icon: 'circle-slash' },
  [PageState.NotFaultedIn]: { kind: 'absent', reason: 'not faulted in', icon: 'clock' },
  [PageState.Mapped]: { kind: 'mapped', reason: 'same rights as the guest', icon: 'pass' },
  [PageState.DirtyPending]: { kind: 'write-protected', reason: 'dirty pending: the first write sets D', icon: 'edit' },
  [PageState.Traced]: { kind: 'traced', reason: 'page-table page', icon: 'list-tree' },
  [PageState.Code]: { kind: 'write-protected', reason: 'code page', icon: 'code' },
  [PageState.Watched]: { kind: 'slow path', reason: 'watched', icon: 'eye' },
  [PageState.Mmio]: { kind: 'slow path', reason: 'mmio', icon: 'circuit-board' },
  [PageState.WriteProtected]: { kind: 'write-protected', reason: 'by the monitor', icon: 'lock' },
};

const UNKNOWN: StateLook = { kind: 'absent', reason: 'unknown state', icon: 'question' };

export function stateLook(state: number): StateLook {
  return STATES[state] ?? UNKNOWN;
}

/** "S:rw U:r- G", or "none" when the shadow has no entry. */
export function shadowText(perm: number): string {
  if (!perm) return 'none';
  const sup = (perm & ShadowPerm.SupRead ? 'r' : '-') + (perm & ShadowPerm.SupWrite ? 'w' : '-');
  const user = (perm & ShadowPerm.UserRead ? 'r' : '-') + (perm & ShadowPerm.UserWrite ? 'w' : '-');
  return `S:${sup} U:${user}${perm & ShadowPerm.Global ? ' G' : ''}`;
}

export function hex8(v: number): string {
  const s = (v >>> 0).toString(16);
  return '00000000'.slice(s.length) + s;
}

/** Parses what a user types into the search box: "c0100000", "0xC0100000", "0xc010_0000". */
export function parseAddress(text: string): number | undefined {
  const t = text.trim().replace(/[_\s]/g, '').replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,8}$/i.test(t)) return undefined;
  return parseInt(t, 16) >>> 0;
}

export function sizeText(pages: number): string {
  const bytes = pages * 4096;
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  return `${bytes / 1024} KiB`;
}
