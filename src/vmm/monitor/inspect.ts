import type { Cpu } from '../cpu/cpu';
import { Seg } from '../cpu/constants';
import type { Machine } from './machine';
import type { AddressSpace, CpuState, MemoryRead, SegmentState } from './protocol';
import { EXIT_NAMES } from './machine';
import { buildSnapshot, describeShadow } from '../memory/shadow/snapshot';
import type { Monitor } from './monitor';
import type { PageTableSnapshot } from './page-table-snapshot';
import { formatExit, TRACE_HEADER } from './exit-trace';

/**
 * The debugger's view into a stopped VM: registers as plain data, memory by virtual, linear or physical
 * address, page walks. Reads never set accessed/dirty bits, never fault, never allocate frames.
 */
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
const GPR_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

function seg(cpu: Cpu, s: number): SegmentState {
  return { selector: cpu.segSel[s] & 0xffff, base: cpu.segBase[s] >>> 0, limit: cpu.segLimit[s] >>> 0, access: cpu.segAr[s] >>> 0 };
}

export function cpuState(m: Machine, vm: number, index: number): CpuState {
  const cpu = m.cpus[index];
  if (!cpu) throw new Error(`no CPU ${index}`);
  const gpr = {} as CpuState['gpr'];
  GPR_NAMES.forEach((n, i) => (gpr[n] = cpu.reg[i] >>> 0));
  const segs = {} as CpuState['seg'];
  SEG_NAMES.forEach((n, i) => (segs[n] = seg(cpu, i)));
  const fpu = cpu.fpu?.snapshot();
  return {
    vm,
    cpu: index,
    gpr,
    eip: cpu.eip >>> 0,
    eflags: cpu.getEflags(),
    seg: segs,
    cr: { cr0: cpu.cr[0] >>> 0, cr2: cpu.cr[2] >>> 0, cr3: cpu.cr[3] >>> 0, cr4: cpu.cr[4] >>> 0 },
    dr: Array.from(cpu.dr, (v) => v >>> 0),
    gdtr: { base: cpu.dtr[0] >>> 0, limit: cpu.dtr[1] & 0xffff },
    idtr: { base: cpu.dtr[2] >>> 0, limit: cpu.dtr[3] & 0xffff },
    ldtr: seg(cpu, Seg.LDTR),
    tr: seg(cpu, Seg.TR),
    cpl: cpu.cpl,
    mode: cpu.describeMode(),
    halted: cpu.halted,
    instructions: cpu.icount,
    fpu: fpu ? { cw: fpu.cw, sw: fpu.sw, tw: fpu.tw, st: fpu.stValues } : undefined,
    sysenter: { cs: cpu.sysenterCs & 0xffff, esp: cpu.sysenterEsp >>> 0, eip: cpu.sysenterEip >>> 0 },
  };
}

export function setRegister(m: Machine, index: number, name: string, value: number): void {
  const cpu = m.cpus[index];
  const n = name.toLowerCase();
  const g = GPR_NAMES.indexOf(n as (typeof GPR_NAMES)[number]);
  if (g >= 0) cpu.reg[g] = value | 0;
  else if (n === 'eip') cpu.eip = value | 0;
  else if (n === 'eflags') cpu.setEflags(value);
  else if (/^cr[0234]$/.test(n)) cpu.cr[Number(n[2])] = value | 0;
  else if (/^dr[0-7]$/.test(n)) cpu.dr[Number(n[2])] = value | 0;
  else throw new Error(`${name} cannot be written from the debugger (segment registers load through the guest's descriptor tables)`);
  cpu.stateChanged();
}

/** Physical address of `address` in `space` for this vCPU, or -1 if unmapped. */
export function toPhysical(m: Machine, index: number, address: number, space: AddressSpace): number {
  const cpu = m.cpus[index];
  if (space === 'physical') return address >>> 0;
  const linear = space === 'virtual' ? (cpu.segBase[Seg.DS] + address) >>> 0 : address >>> 0;
  return cpu.linearToPhysical(linear | 0);
}

export function readMemory(m: Machine, index: number, address: number, length: number, space: AddressSpace): MemoryRead {
  const out = Buffer.alloc(length);
  let n = 0;
  while (n < length) {
    const p = toPhysical(m, index, (address + n) >>> 0, space);
    if (p < 0) break;
    // Page by page: one translation per page, and MMIO is never touched by a debugger read.
    const inPage = Math.min(length - n, 0x1000 - ((address + n) & 0xfff));
    const bytes = m.phys.readBytes(p, inPage);
    out.set(bytes, n);
    n += inPage;
  }
  return { data: out.subarray(0, n).toString('base64'), unreadable: length - n };
}

export function writeMemory(m: Machine, index: number, address: number, data: Buffer, space: AddressSpace): number {
  let n = 0;
  while (n < data.length) {
    const p = toPhysical(m, index, (address + n) >>> 0, space);
    if (p < 0 || !m.phys.isRam(p)) break;
    m.phys.write8(p, data[n]);
    // A page-table byte changed behind the CPU: the shadow entries derived from it must go.
    m.shadow.physWritten(p, 1);
    n++;
  }
  return n;
}

const hex = (v: number, w = 8) => '0x' + (v >>> 0).toString(16).padStart(w, '0');

/** A page walk, described step by step (the `walk` monitor command and the translate request). */
export function describeWalk(m: Machine, index: number, linear: number): { physical: number | null; text: string } {
  const cpu = m.cpus[index];
  const lin = linear >>> 0;
  if (cpu.cr[0] >= 0) return { physical: lin, text: `${hex(lin)}: paging is off, physical = linear` };
  const cr3 = cpu.cr[3] >>> 0;
  const pdeAddr = (cr3 & 0xfffff000) + ((lin >>> 22) << 2);
  const pde = m.phys.read32(pdeAddr) >>> 0;
  const lines = [`cr3 ${hex(cr3)}`, `PDE[${lin >>> 22}] at ${hex(pdeAddr)} = ${hex(pde)} ${flags(pde)}`];
  if (!(pde & 1)) return { physical: null, text: [...lines, 'not present'].join('\n') };
  if (pde & 0x80 && cpu.cr[4] & 0x10) {
    const p = ((pde & 0xffc00000) | (lin & 0x3fffff)) >>> 0;
    return { physical: p, text: [...lines, `4 MiB page -> ${hex(p)}`].join('\n') };
  }
  const pteAddr = (pde & 0xfffff000) + (((lin >>> 12) & 0x3ff) << 2);
  const pte = m.phys.read32(pteAddr) >>> 0;
  lines.push(`PTE[${(lin >>> 12) & 0x3ff}] at ${hex(pteAddr)} = ${hex(pte)} ${flags(pte)}`);
  if (!(pte & 1)) return { physical: null, text: [...lines, 'not present'].join('\n') };
  const p = ((pte & 0xfffff000) | (lin & 0xfff)) >>> 0;
  return { physical: p, text: [...lines, `-> ${hex(p)}`].join('\n') };
}

function flags(e: number): string {
  const f = [[0, 'P'], [1, 'W'], [2, 'U'], [3, 'PWT'], [4, 'PCD'], [5, 'A'], [6, 'D'], [7, 'PS'], [8, 'G']] as const;
  return '[' + f.filter(([b]) => (e >>> b) & 1).map(([, n]) => n).join(' ') + ']';
}

function describeDescriptor(lo: number, hi: number): string {
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  if (hi & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0;
  const p = (hi >>> 15) & 1;
  const dpl = (hi >>> 13) & 3;
  const s = (hi >>> 12) & 1;
  const type = (hi >>> 8) & 0xf;
  if (!p) return 'not present';
  if (s) return `${type & 8 ? 'code' : 'data'} base ${hex(base)} limit ${hex(limit)} DPL ${dpl} ${hi & 0x400000 ? '32-bit' : '16-bit'} type ${type}`;
  const sysTypes: Record<number, string> = { 1: 'TSS16 avail', 2: 'LDT', 3: 'TSS16 busy', 4: 'call gate 16', 5: 'task gate', 6: 'int gate 16', 7: 'trap gate 16', 9: 'TSS32 avail', 11: 'TSS32 busy', 12: 'call gate 32', 14: 'int gate 32', 15: 'trap gate 32' };
  const name = sysTypes[type] ?? `system type ${type}`;
  if (type === 5 || type === 4 || type === 6 || type === 7 || type === 12 || type === 14 || type === 15) {
    const off = ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0;
    return `${name} -> ${hex(lo >>> 16, 4)}:${hex(off)} DPL ${dpl}`;
  }
  return `${name} base ${hex(base)} limit ${hex(limit)} DPL ${dpl}`;
}

function dumpTable(m: Machine, index: number, base: number, limit: number, what: string): string {
  const cpu = m.cpus[index];
  const lines = [`${what} base ${hex(base)} limit ${hex(limit, 4)}`];
  for (let off = 0; off + 7 <= limit && off < 256 * 8; off += 8) {
    const p = cpu.linearToPhysical((base + off) | 0);
    if (p < 0) {
      lines.push(`  ${hex(off, 4)}: not mapped`);
      continue;
    }
    const lo = m.phys.read32(p) >>> 0;
    const hi = m.phys.read32(p + 4) >>> 0;
    if (lo === 0 && hi === 0) continue;
    lines.push(`  ${hex(off, 4)}: ${describeDescriptor(lo, hi)}`);
  }
  return lines.join('\n');
}

export const MONITOR_HELP = [
  'Monitor commands (type them in the Debug Console):',
  '  help                 this list',
  '  walk <address>       walk the guest page tables for a linear address',
  '  gdt | idt            decode the descriptor tables',
  '  info registers       the vCPU state as the monitor sees it',
  '  info shadow          shadow page tables: counters and cached roots',
  '  info tlb             the vCPU\'s active shadow root (its TLB)',
  '  exits | stats        monitor exits by reason and device accesses',
  '  exits recent [N]     the last N monitor exits (default 20), in the exit-trace format (.rstrace)',
].join('\n');

export function monitorCommand(m: Machine, index: number, text: string): string {
  const [cmd, ...args] = text.trim().split(/\s+/);
  const cpu = m.cpus[index];
  switch (cmd) {
    case 'help':
      return MONITOR_HELP;
    case 'walk': {
      const a = Number(args[0]);
      if (!Number.isFinite(a)) return 'usage: walk <linear address>';
      return describeWalk(m, index, a).text;
    }
    case 'gdt':
      return dumpTable(m, index, cpu.dtr[0] >>> 0, cpu.dtr[1] & 0xffff, 'GDT');
    case 'idt':
      return dumpTable(m, index, cpu.dtr[2] >>> 0, cpu.dtr[3] & 0xffff, 'IDT');
    case 'info':
      if (args[0] === 'tlb') return `TLB: ${cpu.root?.filled() ?? 0} entries live in the active shadow root, ${m.shadow.stats.flushes} flushes`;
      if (args[0] === 'shadow') return describeShadow(m.shadow);
      if (args[0] === 'registers') return JSON.stringify(cpuState(m, 0, index), null, 1);
      return 'usage: info shadow | info tlb | info registers';
    case 'exits':
    case 'stats': {
      if (cmd === 'exits' && args[0] === 'recent') {
        const n = args[1] === undefined ? 20 : Number(args[1]);
        if (!Number.isInteger(n) || n < 1) return 'usage: exits recent [N]';
        const ring = m.exitRing;
        const lines = ring.recent(n).map((r) => formatExit(m.options.name, r));
        return [TRACE_HEADER, `# ${ring.total} exits since start, ${Math.min(n, ring.total - ring.first)} shown (the ring holds ${ring.size})`, ...lines].join('\n');
      }
      const lines = EXIT_NAMES.map((n, i) => [n, m.exitCounts[i]] as const).filter(([, c]) => c > 0).map(([n, c]) => `  ${n.padEnd(22)} ${c}`);
      const devs = m.io.devices.map((d, i) => `  ${d.name.padEnd(22)} ${m.io.accessCounts[i]}`);
      return [`instructions ${m.instructions}`, `engine ${m.engine.kind}`, 'exits:', ...lines, 'device accesses:', ...devs].join('\n');
    }
  }
  return `unknown command "${cmd}"; type help`;
}

/** The page-table panel's snapshot of one VM's address space (the vCPU's current CR3 unless `cr3` is given). */
export function pageTables(mon: Monitor, vm: number, index: number, cr3?: number): PageTableSnapshot {
  const m = mon.machine(vm);
  const cpu = m.cpus[index];
  if (!cpu) throw new Error(`no CPU ${index}`);
  return buildSnapshot(m.shadow, cpu, vm, m.options.name, cr3);
}
