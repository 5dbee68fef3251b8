import { Access, WalkResult, walk } from '../../cpu/paging';
import { FREE_KEY, PDE_LARGE, PHYS_KEY, WRITE_BITS, keyCr0, keyCr4, keyPdGfn } from './constants';
import type { ShadowMmu } from './shadow-mmu';

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/**
 * The audit: every filled entry of every cached root against a fresh walk of the guest's tables that sets
 * nothing. An entry must map the machine frame the walk reaches, grant no right the walk denies (write only
 * once the guest's D bit is set), come from entries whose A bits are set, never make a traced or protected
 * frame writable, never exist for a watched page, and its PDE slot must be linked to (and trace) the page
 * table it came from. Returns the mismatches (empty when all is well) and counts them.
 */
export function auditRoots(m: ShadowMmu): string[] {
  const errors: string[] = [];
  const w = new WalkResult();
  const phys = m.phys;
  const st = m.stats;
  st.audits++;
  for (const r of m.roots) {
    if (r.key === FREE_KEY) continue;
    const name = r.key === PHYS_KEY ? 'physical-mode root' : `root cr3=${hex(keyPdGfn(r.key) << 12)} mode=${r.key & 7}`;
    r.forEach((p, e) => {
      st.auditedEntries++;
      const lin = (p << 12) | 0;
      const bad = (why: string): void => {
        errors.push(`${name}: linear ${hex(lin)} entry ${hex(e)}: ${why}`);
      };
      let gpa = lin >>> 0;
      let allowed = 15;
      let accessed = true;
      let dirty = true;
      if (r.key !== PHYS_KEY) {
        if (!walk(phys, keyCr0(r.key), keyPdGfn(r.key) << 12, keyCr4(r.key), lin, Access.Read, false, false, w)) {
          bad(`the guest maps nothing here (PDE ${hex(w.pde)}, PTE ${hex(w.pte)})`);
          return;
        }
        gpa = w.phys;
        allowed = w.perms;
        const large = w.pageSize !== 0x1000;
        const leaf = large ? w.pde : w.pte;
        accessed = (w.pde & 0x20) !== 0 && (leaf & 0x20) !== 0;
        dirty = (leaf & 0x40) !== 0;
        const src = r.pdeSrc[lin >>> 22];
        const want = large ? PDE_LARGE : w.pde >>> 12;
        if (src !== want) bad(`PDE slot shadowed from ${src}, guest now uses ${want}`);
        else if (want >= 0 && m.trace.refs[want] === 0) bad(`page table frame ${hex(want << 12)} is not traced`);
      }
      const mo = phys.peekFrameOffset(gpa >>> 12);
      if (mo !== (e & -4096)) bad(`machine page ${hex(e & -4096)}, but guest-physical ${hex(gpa)} is backed by ${hex(mo)}`);
      if ((e & 31) & ~allowed) bad(`rights ${e & 31} exceed the guest's ${allowed}`);
      if (!accessed) bad('guest A bit clear');
      if (e & WRITE_BITS && !dirty) bad('writable but the guest D bit is clear');
      if (e & WRITE_BITS && m.trace.protect[gpa >>> 12] !== 0) bad(`writable, but frame ${hex(gpa & ~0xfff)} is protected (${m.trace.protect[gpa >>> 12]})`);
      if (m.watched[p] !== 0) bad('a watched page has an entry');
    });
  }
  st.auditErrors += errors.length;
  return errors;
}
