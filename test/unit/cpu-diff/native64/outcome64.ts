import { initialData, Outcome } from '../convert';
import { GenCase } from '../generators/stream';
import { Request64, Response64 } from './client';
import { eipFor, Translation } from './translate';

/** The oracle64 request for a translated case: same registers, flags, memory and x87 image as the 32-bit oracle's. */
export function toRequest64(c: GenCase, t: Translation): Request64 {
  let fpu: Request64['fpu'];
  if (c.fpu) {
    const sw = c.fpu.sw ?? 0;
    let tw = c.fpu.tw;
    if (tw === undefined) {
      // As the 32-bit oracle: ST(0)..ST(n-1) valid, the rest empty (tag bits are per physical register).
      const top = (sw >> 11) & 7;
      tw = 0xffff;
      for (let i = 0; i < c.fpu.st.length; i++) tw &= ~(3 << (2 * ((top + i) & 7)));
    }
    const st: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) st.push(c.fpu.st[i] ?? new Uint8Array(10));
    fpu = { cw: c.fpu.cw, sw, tw: tw & 0xffff, st };
  }
  return {
    code64: t.code64, code32: c.code, regs: c.regs, eflags: c.eflags, fpu,
    mem: c.mem, readonlyPages: c.readonlyPages, unmappedPages: c.unmappedPages,
  };
}

/** The oracle64 answer as an Outcome (compare.ts), with RIP mapped back to the 32-bit EIP. */
export function fromResponse64(r: Response64, c: GenCase, t: Translation): Outcome | string {
  const eip = eipFor(t, r.rip);
  if (eip === undefined && r.status !== 'timeout') return `oracle64 stopped inside a translated instruction (RIP +${r.rip - 0x100000000})`;
  const data = initialData(c);
  for (const m of r.changes) data.set(m.bytes, m.addr - 0x20000000);
  const o: Outcome = {
    status: r.status === 'exc' ? 'exception' : r.status,
    eip: eip ?? 0,
    regs: r.regs.map((v) => v >>> 0),
    eflags: r.eflags >>> 0,
    data,
    fpu: { cw: r.fpu.cw, sw: r.fpu.sw, tw: r.fpu.tw, st: r.fpu.st },
  };
  if (r.status === 'exc') {
    o.vector = r.trapno;
    o.errorCode = r.err;
    if (r.trapno === 14) o.cr2 = r.cr2 >>> 0;
  }
  return o;
}
