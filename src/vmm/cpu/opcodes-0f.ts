import { TableBuilder, CC, CC_FLAGS } from './opcode-table';
import { Seg } from './constants';
import * as md from './ops/muldiv';
import * as sh from './ops/shifts';
import * as d from './ops/data';
import * as cf from './ops/control-flow';
import * as fs from './ops/flow-system';
import * as sys from './ops/system';
import * as bits from './ops/bits';
import { vmcall } from './ops/hypercall';

/** The two-byte (0F xx) opcode map of a P6 without MMX/SSE. */
export function addTwoByte(t: TableBuilder): void {
  const X = 0x100;
  t.grp(X | 0x00, 0, 'sldt', 'Ew', sys.sldt);
  t.grp(X | 0x00, 1, 'str', 'Ew', sys.str);
  t.grp(X | 0x00, 2, 'lldt', 'Ew', sys.lldt);
  t.grp(X | 0x00, 3, 'ltr', 'Ew', sys.ltr);
  t.grp(X | 0x00, 4, 'verr', 'Ew', sys.verr, { w: 'z' });
  t.grp(X | 0x00, 5, 'verw', 'Ew', sys.verw, { w: 'z' });
  t.grp(X | 0x01, 0, 'sgdt', 'Ms', sys.sgdt);
  // Ringside's hypercall (not a P6 instruction: #UD unless the monitor offers hypercalls, see ops/hypercall.ts).
  t.exact(X | 0x01, 0xc1, 'vmcall', '', vmcall);
  t.grp(X | 0x01, 1, 'sidt', 'Ms', sys.sidt);
  t.grp(X | 0x01, 2, 'lgdt', 'Ms', sys.lgdt);
  t.grp(X | 0x01, 3, 'lidt', 'Ms', sys.lidt);
  t.grp(X | 0x01, 4, 'smsw', 'Ew', sys.smsw);
  t.grp(X | 0x01, 6, 'lmsw', 'Ew', sys.lmsw);
  t.grp(X | 0x01, 7, 'invlpg', 'Mb', sys.invlpg);
  t.def(X | 0x02, 'lar', 'Gv,Ew', sys.lar, { w: 'z' });
  t.def(X | 0x03, 'lsl', 'Gv,Ew', sys.lsl, { w: 'z' });
  t.def(X | 0x06, 'clts', '', sys.clts);
  t.def(X | 0x08, 'invd', '', sys.invd);
  t.def(X | 0x09, 'wbinvd', '', sys.invd);
  t.def(X | 0x0b, 'ud2', '', fs.ud2);
  // Reserved-NOP space (0F 18 /4-/7, 0F 19-1F): NOPL on the P6; 0F 18 /0-/3 are SSE prefetches (#UD here).
  for (let r = 4; r < 8; r++) t.grp(X | 0x18, r, 'nop', 'Ev', d.nopEv);
  for (let o = 0x19; o <= 0x1f; o++) t.def(X | o, 'nop', 'Ev', d.nopEv);
  t.def(X | 0x20, 'mov', 'Rd,Cd', sys.movRdCd);
  t.def(X | 0x21, 'mov', 'Rd,Dd', sys.movRdDd);
  t.def(X | 0x22, 'mov', 'Cd,Rd', sys.movCdRd);
  t.def(X | 0x23, 'mov', 'Dd,Rd', sys.movDdRd);
  t.def(X | 0x30, 'wrmsr', '', sys.wrmsr);
  t.def(X | 0x31, 'rdtsc', '', sys.rdtsc);
  t.def(X | 0x32, 'rdmsr', '', sys.rdmsr);
  t.def(X | 0x33, 'rdpmc', '', sys.rdpmc);
  t.def(X | 0x34, 'sysenter', '', sys.sysenter, { w: 'ivr' });
  t.def(X | 0x35, 'sysexit', '', sys.sysexit);
  for (let cc = 0; cc < 16; cc++) {
    t.def(X | (0x40 + cc), 'cmov' + CC[cc], 'Gv,Ev', [bits.cmovW(cc), bits.cmovD(cc)], { r: CC_FLAGS[cc] });
    t.def(X | (0x80 + cc), 'j' + CC[cc], 'Jz', cf.jccV(cc), { r: CC_FLAGS[cc] });
    t.def(X | (0x90 + cc), 'set' + CC[cc], 'Eb', bits.setcc(cc), { r: CC_FLAGS[cc] });
  }
  t.def(X | 0xa0, 'push', 'FS', d.pushSeg(Seg.FS));
  t.def(X | 0xa1, 'pop', 'FS', d.popSeg(Seg.FS));
  t.def(X | 0xa2, 'cpuid', '', sys.cpuid);
  t.def(X | 0xa3, 'bt', 'Ev,Gv', [bits.btEwGw, bits.btEdGd], { w: 'oszapc' });
  t.def(X | 0xa4, 'shld', 'Ev,Gv,Ib', [sh.shldEwGwIb, sh.shldEdGdIb], { w: 'oszapc' });
  t.def(X | 0xa5, 'shld', 'Ev,Gv,CL', [sh.shldEwGwCl, sh.shldEdGdCl], { w: 'oszapc' });
  t.def(X | 0xa8, 'push', 'GS', d.pushSeg(Seg.GS));
  t.def(X | 0xa9, 'pop', 'GS', d.popSeg(Seg.GS));
  t.def(X | 0xab, 'bts', 'Ev,Gv', [bits.btsEwGw, bits.btsEdGd], { w: 'oszapc', lock: true });
  t.def(X | 0xac, 'shrd', 'Ev,Gv,Ib', [sh.shrdEwGwIb, sh.shrdEdGdIb], { w: 'oszapc' });
  t.def(X | 0xad, 'shrd', 'Ev,Gv,CL', [sh.shrdEwGwCl, sh.shrdEdGdCl], { w: 'oszapc' });
  t.def(X | 0xaf, 'imul', 'Gv,Ev', [md.imulGwEw, md.imulGdEd], { w: 'oszapc' });
  t.def(X | 0xb0, 'cmpxchg', 'Eb,Gb', bits.cmpxchgEbGb, { w: 'oszapc', lock: true });
  t.def(X | 0xb1, 'cmpxchg', 'Ev,Gv', [bits.cmpxchgEwGw, bits.cmpxchgEdGd], { w: 'oszapc', lock: true });
  t.def(X | 0xb2, 'lss', 'Gv,Mp', d.loadFarPtr(Seg.SS));
  t.def(X | 0xb3, 'btr', 'Ev,Gv', [bits.btrEwGw, bits.btrEdGd], { w: 'oszapc', lock: true });
  t.def(X | 0xb4, 'lfs', 'Gv,Mp', d.loadFarPtr(Seg.FS));
  t.def(X | 0xb5, 'lgs', 'Gv,Mp', d.loadFarPtr(Seg.GS));
  t.def(X | 0xb6, 'movzx', 'Gv,Eb', bits.movzxGvEb);
  t.def(X | 0xb7, 'movzx', 'Gv,Ew', bits.movzxGvEw);
  const BT = ['bt', 'bts', 'btr', 'btc'];
  for (let o = 0; o < 4; o++) {
    t.grp(X | 0xba, 4 + o, BT[o], 'Ev,Ib', [bits.btEvIb(o, 16), bits.btEvIb(o, 32)], { w: 'oszapc', lock: o !== 0 });
  }
  t.def(X | 0xbb, 'btc', 'Ev,Gv', [bits.btcEwGw, bits.btcEdGd], { w: 'oszapc', lock: true });
  t.def(X | 0xbc, 'bsf', 'Gv,Ev', [bits.bsfGwEw, bits.bsfGdEd], { w: 'oszapc' });
  t.def(X | 0xbd, 'bsr', 'Gv,Ev', [bits.bsrGwEw, bits.bsrGdEd], { w: 'oszapc' });
  t.def(X | 0xbe, 'movsx', 'Gv,Eb', bits.movsxGvEb);
  t.def(X | 0xbf, 'movsx', 'Gv,Ew', bits.movsxGvEw);
  t.def(X | 0xc0, 'xadd', 'Eb,Gb', bits.xaddEbGb, { w: 'oszapc', lock: true });
  t.def(X | 0xc1, 'xadd', 'Ev,Gv', [bits.xaddEwGw, bits.xaddEdGd], { w: 'oszapc', lock: true });
  t.grp(X | 0xc7, 1, 'cmpxchg8b', 'Mq', bits.cmpxchg8b, { w: 'z', lock: true });
  for (let r = 0; r < 8; r++) t.def(X | (0xc8 + r), 'bswap', 'Zd', bits.bswap);
}
