import type { CpuState, SegmentState } from '../vmm/monitor/protocol';
import { hex16, hex32, type VariableNode } from './variable-tree';

/** The Registers scope: every register a kernel developer asks about, with flags and descriptors decoded. */
const EFLAGS_BITS: [number, string][] = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
  [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
];
const CR0_BITS: [number, string][] = [[0, 'PE'], [1, 'MP'], [2, 'EM'], [3, 'TS'], [4, 'ET'], [5, 'NE'], [16, 'WP'], [18, 'AM'], [29, 'NW'], [30, 'CD'], [31, 'PG']];
const CR4_BITS: [number, string][] = [[0, 'VME'], [1, 'PVI'], [2, 'TSD'], [3, 'DE'], [4, 'PSE'], [5, 'PAE'], [6, 'MCE'], [7, 'PGE'], [8, 'PCE'], [9, 'OSFXSR'], [10, 'OSXMMEXCPT']];

export function decodeBits(value: number, bits: [number, string][]): string {
  const set = bits.filter(([b]) => (value >>> b) & 1).map(([, n]) => n);
  return set.length ? set.join(' ') : '-';
}

export function decodeEflags(v: number): string {
  return `${decodeBits(v, EFLAGS_BITS)} IOPL=${(v >>> 12) & 3}`;
}

function describeSegment(s: SegmentState, realMode: boolean): string {
  if (realMode) return `${hex16(s.selector)} (base ${hex32(s.base)})`;
  const present = (s.access & 0x80) !== 0;
  if (!present && s.selector < 4) return `${hex16(s.selector)} (null)`;
  const dpl = (s.access >>> 5) & 3;
  const code = (s.access & 0x18) === 0x18;
  const system = (s.access & 0x10) === 0;
  const kind = system ? 'system' : code ? 'code' : 'data';
  return `${hex16(s.selector)} (${kind}, base ${hex32(s.base)}, limit ${hex32(s.limit)}, DPL ${dpl})`;
}

function segmentNode(name: string, s: SegmentState, realMode: boolean, setReg: Setter): VariableNode {
  return {
    name,
    value: describeSegment(s, realMode),
    evaluateName: `$${name}`,
    setter: (t) => setReg(name, t),
    children: () => [
      { name: 'selector', value: hex16(s.selector) },
      { name: 'index', value: String(s.selector >>> 3) },
      { name: 'TI', value: (s.selector & 4) !== 0 ? 'LDT' : 'GDT' },
      { name: 'RPL', value: String(s.selector & 3) },
      { name: 'base', value: hex32(s.base) },
      { name: 'limit', value: hex32(s.limit) },
      { name: 'access', value: `0x${s.access.toString(16)}` },
    ],
  };
}

type Setter = (name: string, text: string) => Promise<string>;

const reg = (name: string, value: number, setReg: Setter, decoded?: string): VariableNode => ({
  name,
  value: decoded ? `${hex32(value)}  ${decoded}` : hex32(value),
  evaluateName: `$${name}`,
  setter: (t) => setReg(name, t),
});

export function registerGroups(s: CpuState, setReg: Setter): VariableNode[] {
  const real = s.mode === 'real' || s.mode === 'v86';
  const g = s.gpr;
  return [
    reg('eax', g.eax, setReg), reg('ebx', g.ebx, setReg), reg('ecx', g.ecx, setReg), reg('edx', g.edx, setReg),
    reg('esi', g.esi, setReg), reg('edi', g.edi, setReg), reg('ebp', g.ebp, setReg), reg('esp', g.esp, setReg),
    reg('eip', s.eip, setReg),
    reg('eflags', s.eflags, setReg, decodeEflags(s.eflags)),
    { name: 'mode', value: `${s.mode}, CPL ${s.cpl}${s.halted ? ', halted' : ''}` },
    {
      name: 'segments',
      value: `cs=${hex16(s.seg.cs.selector)} ss=${hex16(s.seg.ss.selector)} ds=${hex16(s.seg.ds.selector)}`,
      children: () => (['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const).map((n) => segmentNode(n, s.seg[n], real, setReg)),
    },
    {
      name: 'control',
      value: `cr0=${hex32(s.cr.cr0)} cr3=${hex32(s.cr.cr3)}`,
      children: () => [
        reg('cr0', s.cr.cr0, setReg, decodeBits(s.cr.cr0, CR0_BITS)),
        reg('cr2', s.cr.cr2, setReg),
        reg('cr3', s.cr.cr3, setReg),
        reg('cr4', s.cr.cr4, setReg, decodeBits(s.cr.cr4, CR4_BITS)),
      ],
    },
    {
      name: 'tables',
      value: `gdt ${hex32(s.gdtr.base)} idt ${hex32(s.idtr.base)}`,
      children: () => [
        { name: 'gdtr', value: `base ${hex32(s.gdtr.base)}, limit ${hex16(s.gdtr.limit)}` },
        { name: 'idtr', value: `base ${hex32(s.idtr.base)}, limit ${hex16(s.idtr.limit)}` },
        segmentNode('ldtr', s.ldtr, false, setReg),
        segmentNode('tr', s.tr, false, setReg),
      ],
    },
    {
      name: 'debug',
      value: `dr7=${hex32(s.dr[7] ?? 0)}`,
      children: () => s.dr.map((v, i) => (i === 4 || i === 5 ? undefined : reg(`dr${i}`, v, setReg))).filter((n): n is VariableNode => !!n),
    },
    ...(s.fpu
      ? [
          {
            name: 'fpu',
            value: `cw=${hex16(s.fpu.cw)} sw=${hex16(s.fpu.sw)} top=${(s.fpu.sw >>> 11) & 7}`,
            children: () => [
              { name: 'cw', value: hex16(s.fpu!.cw) },
              { name: 'sw', value: hex16(s.fpu!.sw) },
              { name: 'tw', value: hex16(s.fpu!.tw) },
              ...s.fpu!.st.map((v, i) => ({ name: `st${i}`, value: String(v) })),
            ],
          },
        ]
      : []),
  ];
}
