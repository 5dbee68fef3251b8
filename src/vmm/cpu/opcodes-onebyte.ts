import { TableBuilder, CC, CC_FLAGS } from './opcode-table';
import { Seg } from './constants';
import { gp } from './fault';
import type { Handler } from './handler';
import type { Cpu } from './cpu';
import * as alu from './ops/alu';
import * as md from './ops/muldiv';
import * as sh from './ops/shifts';
import * as d from './ops/data';
import * as cf from './ops/control-flow';
import * as fs from './ops/flow-system';
import * as io from './ops/io';
import * as bcd from './ops/bcd';
import { stringOp, StrKind } from './ops/string-ops';
import { x87Escape, fwait } from './x87-glue';
import { arpl } from './ops/system';

/** The one-byte opcode map. */

/** After a prefix: marks the prefix state for reset at the next instruction and decodes what follows. */
function next(c: Cpu): void {
  c.pfx = 1;
  if (((c.eip - c.instrStart) | 0) >= 15) gp(c, 0);
  c.execOp(c.fetch8());
}

const segPrefix = (s: number): Handler => (c) => {
  c.segOvr = s;
  next(c);
};

export function addOneByte(t: TableBuilder): void {
  const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
  for (let o = 0; o < 8; o++) {
    const b = o * 8;
    const r = o === 2 || o === 3 ? 'c' : '';
    const opt = { r, w: 'oszapc', lock: o !== 7 };
    t.def(b, ALU[o], 'Eb,Gb', alu.aluEbGb(o), opt);
    t.def(b + 1, ALU[o], 'Ev,Gv', [alu.aluEwGw(o), alu.aluEdGd(o)], opt);
    t.def(b + 2, ALU[o], 'Gb,Eb', alu.aluGbEb(o), { r, w: 'oszapc' });
    t.def(b + 3, ALU[o], 'Gv,Ev', [alu.aluGwEw(o), alu.aluGdEd(o)], { r, w: 'oszapc' });
    t.def(b + 4, ALU[o], 'AL,Ib', alu.aluAlIb(o), { r, w: 'oszapc' });
    t.def(b + 5, ALU[o], 'eAX,Iz', [alu.aluAxIw(o), alu.aluEaxId(o)], { r, w: 'oszapc' });
    t.grp(0x80, o, ALU[o], 'Eb,Ib', alu.grp1EbIb(o), opt);
    t.grp(0x81, o, ALU[o], 'Ev,Iz', [alu.grp1EwIw(o), alu.grp1EdId(o)], opt);
    t.grp(0x82, o, ALU[o], 'Eb,Ib', alu.grp1EbIb(o), opt);
    t.grp(0x83, o, ALU[o], 'Ev,Ibs', [alu.grp1EwIb(o), alu.grp1EdIb(o)], opt);
  }
  t.def(0x06, 'push', 'ES', d.pushSeg(Seg.ES));
  t.def(0x07, 'pop', 'ES', d.popSeg(Seg.ES));
  t.def(0x0e, 'push', 'CS', d.pushSeg(Seg.CS));
  t.def(0x16, 'push', 'SS', d.pushSeg(Seg.SS));
  t.def(0x17, 'pop', 'SS', d.popSeg(Seg.SS));
  t.def(0x1e, 'push', 'DS', d.pushSeg(Seg.DS));
  t.def(0x1f, 'pop', 'DS', d.popSeg(Seg.DS));
  // Cpu.execOp decodes the escape itself; this entry describes it for the decoder and the table.
  t.def(0x0f, '(0f)', '', (c) => c.execOp(0x100 | c.fetch8()), { prefix: true });
  t.def(0x26, '(es)', '', segPrefix(Seg.ES), { prefix: true });
  t.def(0x2e, '(cs)', '', segPrefix(Seg.CS), { prefix: true });
  t.def(0x36, '(ss)', '', segPrefix(Seg.SS), { prefix: true });
  t.def(0x3e, '(ds)', '', segPrefix(Seg.DS), { prefix: true });
  t.def(0x64, '(fs)', '', segPrefix(Seg.FS), { prefix: true });
  t.def(0x65, '(gs)', '', segPrefix(Seg.GS), { prefix: true });
  t.def(0x66, '(osz)', '', (c) => {
    c.osz = c.defOsz ^ 1;
    next(c);
  }, { prefix: true });
  t.def(0x67, '(asz)', '', (c) => {
    c.asz = c.defAsz ^ 1;
    next(c);
  }, { prefix: true });
  t.def(0xf0, '(lock)', '', (c) => {
    c.lock = 1;
    next(c);
  }, { prefix: true });
  t.def(0xf2, '(repne)', '', (c) => {
    c.rep = 0xf2;
    next(c);
  }, { prefix: true });
  t.def(0xf3, '(rep)', '', (c) => {
    c.rep = 0xf3;
    next(c);
  }, { prefix: true });

  t.def(0x27, 'daa', '', bcd.daa, { r: 'ac', w: 'oszapc' });
  t.def(0x2f, 'das', '', bcd.das, { r: 'ac', w: 'oszapc' });
  t.def(0x37, 'aaa', '', bcd.aaa, { r: 'a', w: 'oszapc' });
  t.def(0x3f, 'aas', '', bcd.aas, { r: 'a', w: 'oszapc' });
  for (let r = 0; r < 8; r++) {
    t.def(0x40 + r, 'inc', 'Zv', [alu.incR16, alu.incR32], { w: 'oszap' });
    t.def(0x48 + r, 'dec', 'Zv', [alu.decR16, alu.decR32], { w: 'oszap' });
    t.def(0x50 + r, 'push', 'Zv', [d.pushR16, d.pushR32]);
    t.def(0x58 + r, 'pop', 'Zv', [d.popR16, d.popR32]);
    if (r > 0) t.def(0x90 + r, 'xchg', 'Zv,eAX', d.xchgAxR);
    t.def(0xb0 + r, 'mov', 'Zb,Ib', d.movRbIb);
    t.def(0xb8 + r, 'mov', 'Zv,Iz', [d.movRwIw, d.movRdId]);
  }
  t.def(0x60, 'pusha|pushad', '', d.pusha);
  t.def(0x61, 'popa|popad', '', d.popa);
  t.def(0x62, 'bound', 'Gv,Ma', d.bound);
  t.def(0x63, 'arpl', 'Ew,Gw', arpl, { w: 'z' });
  t.def(0x68, 'push', 'Iz', d.pushIz);
  t.def(0x69, 'imul', 'Gv,Ev,Iz', [md.imulGwEwIw, md.imulGdEdId], { w: 'oszapc' });
  t.def(0x6a, 'push', 'Ibs', d.pushIb);
  t.def(0x6b, 'imul', 'Gv,Ev,Ibs', [md.imulGwEwIb, md.imulGdEdIb], { w: 'oszapc' });
  t.def(0x6c, 'insb', 'Yb,DX', stringOp(StrKind.INS, 1), { r: 'd' });
  t.def(0x6d, 'insw|insd', 'Yv,DX', stringOp(StrKind.INS, 0), { r: 'd' });
  t.def(0x6e, 'outsb', 'DX,Xb', stringOp(StrKind.OUTS, 1), { r: 'd' });
  t.def(0x6f, 'outsw|outsd', 'DX,Xv', stringOp(StrKind.OUTS, 0), { r: 'd' });
  for (let cc = 0; cc < 16; cc++) t.def(0x70 + cc, 'j' + CC[cc], 'Jb', cf.jcc8(cc), { r: CC_FLAGS[cc] });
  t.def(0x84, 'test', 'Eb,Gb', alu.testEbGb, { w: 'oszapc' });
  t.def(0x85, 'test', 'Ev,Gv', [alu.testEwGw, alu.testEdGd], { w: 'oszapc' });
  t.def(0x86, 'xchg', 'Eb,Gb', d.xchgEbGb, { lock: true });
  t.def(0x87, 'xchg', 'Ev,Gv', [d.xchgEwGw, d.xchgEdGd], { lock: true });
  t.def(0x88, 'mov', 'Eb,Gb', d.movEbGb);
  t.def(0x89, 'mov', 'Ev,Gv', [d.movEwGw, d.movEdGd]);
  t.def(0x8a, 'mov', 'Gb,Eb', d.movGbEb);
  t.def(0x8b, 'mov', 'Gv,Ev', [d.movGwEw, d.movGdEd]);
  t.def(0x8c, 'mov', 'Ev,Sw', d.movEwSw);
  t.def(0x8d, 'lea', 'Gv,M', d.lea);
  t.def(0x8e, 'mov', 'Sw,Ew', d.movSwEw);
  t.grp(0x8f, 0, 'pop', 'Ev', d.popEv);
  t.def(0x90, 'nop', '', d.nop);
  t.def(0x98, 'cbw|cwde', '', d.cbw);
  t.def(0x99, 'cwd|cdq', '', d.cwd);
  t.def(0x9a, 'call', 'Ap', fs.callAp);
  t.def(0x9b, 'wait', '', fwait);
  t.def(0x9c, 'pushf|pushfd', '', fs.pushf, { r: '*' });
  t.def(0x9d, 'popf|popfd', '', fs.popf, { w: '*' });
  t.def(0x9e, 'sahf', '', fs.sahf, { w: 'szapc' });
  t.def(0x9f, 'lahf', '', fs.lahf, { r: 'szapc' });
  t.def(0xa0, 'mov', 'AL,Ob', d.movAlOb);
  t.def(0xa1, 'mov', 'eAX,Ov', d.movAxOw);
  t.def(0xa2, 'mov', 'Ob,AL', d.movObAl);
  t.def(0xa3, 'mov', 'Ov,eAX', d.movOwAx);
  t.def(0xa4, 'movsb', 'Yb,Xb', stringOp(StrKind.MOVS, 1), { r: 'd' });
  t.def(0xa5, 'movsw|movsd', 'Yv,Xv', stringOp(StrKind.MOVS, 0), { r: 'd' });
  t.def(0xa6, 'cmpsb', 'Xb,Yb', stringOp(StrKind.CMPS, 1), { r: 'd', w: 'oszapc' });
  t.def(0xa7, 'cmpsw|cmpsd', 'Xv,Yv', stringOp(StrKind.CMPS, 0), { r: 'd', w: 'oszapc' });
  t.def(0xa8, 'test', 'AL,Ib', alu.testAlIb, { w: 'oszapc' });
  t.def(0xa9, 'test', 'eAX,Iz', [alu.testAxIw, alu.testEaxId], { w: 'oszapc' });
  t.def(0xaa, 'stosb', 'Yb,AL', stringOp(StrKind.STOS, 1), { r: 'd' });
  t.def(0xab, 'stosw|stosd', 'Yv,eAX', stringOp(StrKind.STOS, 0), { r: 'd' });
  t.def(0xac, 'lodsb', 'AL,Xb', stringOp(StrKind.LODS, 1), { r: 'd' });
  t.def(0xad, 'lodsw|lodsd', 'eAX,Xv', stringOp(StrKind.LODS, 0), { r: 'd' });
  t.def(0xae, 'scasb', 'AL,Yb', stringOp(StrKind.SCAS, 1), { r: 'd', w: 'oszapc' });
  t.def(0xaf, 'scasw|scasd', 'eAX,Yv', stringOp(StrKind.SCAS, 0), { r: 'd', w: 'oszapc' });

  const SH = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
  for (let o = 0; o < 8; o++) {
    const opt = { r: o === 2 || o === 3 ? 'c' : '', w: o < 4 ? 'oc' : 'oszapc' };
    t.grp(0xc0, o, SH[o], 'Eb,Ib', sh.grp2Eb(o, 2), opt);
    t.grp(0xc1, o, SH[o], 'Ev,Ib', [sh.grp2Ew(o, 2), sh.grp2Ed(o, 2)], opt);
    t.grp(0xd0, o, SH[o], 'Eb,1', sh.grp2Eb(o, 0), opt);
    t.grp(0xd1, o, SH[o], 'Ev,1', [sh.grp2Ew(o, 0), sh.grp2Ed(o, 0)], opt);
    t.grp(0xd2, o, SH[o], 'Eb,CL', sh.grp2Eb(o, 1), opt);
    t.grp(0xd3, o, SH[o], 'Ev,CL', [sh.grp2Ew(o, 1), sh.grp2Ed(o, 1)], opt);
  }
  t.def(0xc2, 'ret', 'Iw', cf.retIw);
  t.def(0xc3, 'ret', '', cf.ret);
  t.def(0xc4, 'les', 'Gv,Mp', d.loadFarPtr(Seg.ES));
  t.def(0xc5, 'lds', 'Gv,Mp', d.loadFarPtr(Seg.DS));
  t.grp(0xc6, 0, 'mov', 'Eb,Ib', d.movEbIb);
  t.grp(0xc7, 0, 'mov', 'Ev,Iz', [d.movEwIw, d.movEdId]);
  t.def(0xc8, 'enter', 'Iw,Ib', cf.enter);
  t.def(0xc9, 'leave', '', cf.leave);
  t.def(0xca, 'retf', 'Iw', fs.retfIw, { w: '*' });
  t.def(0xcb, 'retf', '', fs.retf, { w: '*' });
  t.def(0xcc, 'int3', '', fs.int3, { w: 'tirvn' });
  t.def(0xcd, 'int', 'Ib', fs.intIb, { w: 'tirvn' });
  t.def(0xce, 'into', '', fs.into, { r: 'o', w: 'tirvn' });
  t.def(0xcf, 'iret|iretd', '', fs.iretOp, { w: '*' });
  t.def(0xd4, 'aam', 'Ib', bcd.aam, { w: 'oszapc' });
  t.def(0xd5, 'aad', 'Ib', bcd.aad, { w: 'oszapc' });
  t.def(0xd6, 'salc', '', bcd.salc, { r: 'c' });
  t.def(0xd7, 'xlatb', '', d.xlat);
  for (let e = 0xd8; e <= 0xdf; e++) t.def(e, 'x87', 'X87', x87Escape);
  t.def(0xe0, 'loopne', 'Jb', cf.loopne, { r: 'z' });
  t.def(0xe1, 'loope', 'Jb', cf.loope, { r: 'z' });
  t.def(0xe2, 'loop', 'Jb', cf.loop);
  t.def(0xe3, 'jcxz', 'Jb', cf.jcxz);
  t.def(0xe4, 'in', 'AL,Ib', io.inAlIb);
  t.def(0xe5, 'in', 'eAX,Ib', io.inAxIb);
  t.def(0xe6, 'out', 'Ib,AL', io.outIbAl);
  t.def(0xe7, 'out', 'Ib,eAX', io.outIbAx);
  t.def(0xe8, 'call', 'Jz', cf.callV);
  t.def(0xe9, 'jmp', 'Jz', cf.jmpV);
  t.def(0xea, 'jmp', 'Ap', fs.jmpAp);
  t.def(0xeb, 'jmp', 'Jb', cf.jmp8);
  t.def(0xec, 'in', 'AL,DX', io.inAlDx);
  t.def(0xed, 'in', 'eAX,DX', io.inAxDx);
  t.def(0xee, 'out', 'DX,AL', io.outDxAl);
  t.def(0xef, 'out', 'DX,eAX', io.outDxAx);
  t.def(0xf1, 'int1', '', fs.icebp, { w: 'tirvn' });
  t.def(0xf4, 'hlt', '', fs.hlt);
  t.def(0xf5, 'cmc', '', fs.cmc, { r: 'c', w: 'c' });
  t.grp(0xf6, 0, 'test', 'Eb,Ib', alu.testEbIb, { w: 'oszapc' });
  t.grp(0xf6, 1, 'test', 'Eb,Ib', alu.testEbIb, { w: 'oszapc' });
  t.grp(0xf6, 2, 'not', 'Eb', alu.notEb, { lock: true });
  t.grp(0xf6, 3, 'neg', 'Eb', alu.negEb, { w: 'oszapc', lock: true });
  t.grp(0xf6, 4, 'mul', 'Eb', md.mulEb, { w: 'oszapc' });
  t.grp(0xf6, 5, 'imul', 'Eb', md.imulEb, { w: 'oszapc' });
  t.grp(0xf6, 6, 'div', 'Eb', md.divEb, { w: 'oszapc' });
  t.grp(0xf6, 7, 'idiv', 'Eb', md.idivEb, { w: 'oszapc' });
  t.grp(0xf7, 0, 'test', 'Ev,Iz', [alu.testEwIw, alu.testEdId], { w: 'oszapc' });
  t.grp(0xf7, 1, 'test', 'Ev,Iz', [alu.testEwIw, alu.testEdId], { w: 'oszapc' });
  t.grp(0xf7, 2, 'not', 'Ev', [alu.notEw, alu.notEd], { lock: true });
  t.grp(0xf7, 3, 'neg', 'Ev', [alu.negEw, alu.negEd], { w: 'oszapc', lock: true });
  t.grp(0xf7, 4, 'mul', 'Ev', [md.mulEw, md.mulEd], { w: 'oszapc' });
  t.grp(0xf7, 5, 'imul', 'Ev', [md.imulEw, md.imulEd], { w: 'oszapc' });
  t.grp(0xf7, 6, 'div', 'Ev', [md.divEw, md.divEd], { w: 'oszapc' });
  t.grp(0xf7, 7, 'idiv', 'Ev', [md.idivEw, md.idivEd], { w: 'oszapc' });
  t.def(0xf8, 'clc', '', fs.clc, { w: 'c' });
  t.def(0xf9, 'stc', '', fs.stc, { w: 'c' });
  t.def(0xfa, 'cli', '', fs.cli, { w: 'i' });
  t.def(0xfb, 'sti', '', fs.sti, { w: 'i' });
  t.def(0xfc, 'cld', '', fs.cld, { w: 'd' });
  t.def(0xfd, 'std', '', fs.std, { w: 'd' });
  t.grp(0xfe, 0, 'inc', 'Eb', alu.incEb, { w: 'oszap', lock: true });
  t.grp(0xfe, 1, 'dec', 'Eb', alu.decEb, { w: 'oszap', lock: true });
  t.grp(0xff, 0, 'inc', 'Ev', [alu.incEw, alu.incEd], { w: 'oszap', lock: true });
  t.grp(0xff, 1, 'dec', 'Ev', [alu.decEw, alu.decEd], { w: 'oszap', lock: true });
  t.grp(0xff, 2, 'call', 'Ev', cf.callEv);
  t.grp(0xff, 3, 'call', 'Mp', fs.callEp);
  t.grp(0xff, 4, 'jmp', 'Ev', cf.jmpEv);
  t.grp(0xff, 5, 'jmp', 'Mp', fs.jmpEp);
  t.grp(0xff, 6, 'push', 'Ev', d.pushEv);
}
