import { MachineMemory } from '../../memory/machine-memory';
import { GuestPhysicalMemory } from '../../memory/guest-physical';
import { IoBus } from '../../devices/io-bus';
import type { CpuHost } from '../cpu-host';
import { StopReason } from '../cpu-host';
import { Cpu } from '../cpu';
import { AR, F, Seg } from '../constants';
import type { X87 } from '../fpu/x87-host';
import type { FlatUserCase, FlatUserResult } from './contracts';

/**
 * Runs one user-mode case with the native oracle's layout and semantics (see contracts.ts): a tiny machine
 * with guest page tables, CPL 3 flat segments, every exception intercepted before delivery.
 */

const CODE_BASE = 0x10000000;
const DATA_BASE = 0x20000000;
const DATA_SIZE = 0x10000;
const SCRATCH = 0x30000000;
/** Linear base of the supervisor-only window onto the low guest-physical pages (descriptor tables). */
const SYS_BASE = 0xffc00000 | 0;

// Guest-physical layout of the tiny machine.
const P_GDT = 0x1000;
const P_IDT = 0x2000;
/** A 32-bit TSS right after the GDT (same page). */
const P_TSS = P_GDT + 0x100;
const P_PD = 0x3000;
const P_PT_CODE = 0x4000;
const P_PT_DATA = 0x5000;
const P_PT_SCRATCH = 0x6000;
const P_SCRATCH = 0x7000;
const P_PT_LOW = 0x8000;
const P_CODE = 0x10000;
const P_DATA = 0x20000;

class FlatHost implements CpuHost {
  readonly phys: GuestPhysicalMemory;
  readonly io = new IoBus();
  constructor() {
    this.phys = new GuestPhysicalMemory(new MachineMemory(0x40000), 0x40000);
  }
  interruptPending(): boolean {
    return false;
  }
  acknowledgeInterrupt(): number {
    return -1;
  }
  now(): number {
    return 0;
  }
  exit(): boolean {
    return false;
  }
}

let ctx: { host: FlatHost; cpu: Cpu; fpu: X87 | undefined } | undefined;

function loadFpu(): X87 | undefined {
  try {
    // The FPU lands separately; until it does, cases run without one (x87 opcodes then raise #NM).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('../fpu/x87') as { X87Fpu?: new () => X87 };
    return m.X87Fpu ? new m.X87Fpu() : undefined;
  } catch {
    return undefined;
  }
}

function context(): { host: FlatHost; cpu: Cpu; fpu: X87 | undefined } {
  if (!ctx) {
    const host = new FlatHost();
    const fpu = loadFpu();
    const cpu = new Cpu(0, host, fpu);
    ctx = { host, cpu, fpu };
  }
  return ctx;
}

/** Guest-physical 0x1000-0x8fff: GDT+TSS, IDT, page directory, page tables, scratch page (P_GDT..P_PT_LOW). */
const TABLES_BASE = P_GDT;
const TABLES_SIZE = P_PT_LOW + 0x1000 - TABLES_BASE;

/**
 * The tables every case starts from, built once: all data pages mapped read+write. A case copies this image (one
 * 32 KiB load instead of some 600 separate writes through the shadow MMU's write tracking) and then patches only
 * its read-only and unmapped data pages.
 */
let tablesImage: Uint8Array | undefined;

/** Guest-physical address of the PTE that maps data page `i`. */
const dataPte = (i: number): number => P_PT_DATA + (((DATA_BASE >>> 12) + i) & 0x3ff) * 4;

function buildTablesImage(): Uint8Array {
  const img = new Uint8Array(TABLES_SIZE);
  const dv = new DataView(img.buffer);
  const w32 = (a: number, v: number): void => dv.setUint32(a - TABLES_BASE, v >>> 0, true);
  // GDT: 0x08 kernel code, 0x10 kernel data, 0x23 user code, 0x2b user data (Linux's numbering).
  const desc = (i: number, type: number, dpl: number): void => {
    w32(P_GDT + i * 8, 0x0000ffff);
    w32(P_GDT + i * 8 + 4, 0x00cf0000 | ((0x90 | (dpl << 5) | type) << 8));
  };
  desc(1, 0xb, 0);
  desc(2, 0x3, 0);
  desc(4, 0xb, 3);
  desc(5, 0x3, 3);
  // Linux's TSS: its I/O map base lies beyond the limit (no ioperm), so IN/OUT/INS/OUTS at CPL 3 are #GP(0).
  w32(P_TSS + 0x64, 0x68 << 16);
  // IDT: DPL-3 gates for INT3, INTO and INT 0x80; everything else DPL 0 (so INT n from ring 3 is #GP).
  for (let v = 0; v < 256; v++) {
    const dpl = v === 3 || v === 4 || v === 0x80 ? 3 : 0;
    w32(P_IDT + v * 8, 0x00080000);
    w32(P_IDT + v * 8 + 4, 0x8e00 | (dpl << 13));
  }
  // The descriptor tables live in the top 4 MiB (supervisor only), where the oracle's own harness sits and
  // generated cases never point: the low 64 KiB must stay unmapped (user accesses there are error 4/6).
  w32(P_PD + 0x3ff * 4, P_PT_LOW | 0x3);
  for (let i = 1; i < 8; i++) w32(P_PT_LOW + i * 4, (i * 0x1000) | 0x63);
  w32(P_PD + (CODE_BASE >>> 22) * 4, P_PT_CODE | 0x7);
  w32(P_PD + (DATA_BASE >>> 22) * 4, P_PT_DATA | 0x7);
  w32(P_PD + (SCRATCH >>> 22) * 4, P_PT_SCRATCH | 0x7);
  // Accessed/dirty already set, as the oracle pre-touches every accessible page.
  for (let i = 0; i < 2; i++) w32(P_PT_CODE + i * 4, (P_CODE + i * 0x1000) | 0x65);
  for (let i = 0; i < DATA_SIZE / 0x1000; i++) w32(dataPte(i), (P_DATA + i * 0x1000) | 0x67);
  w32(P_PT_SCRATCH, P_SCRATCH | 0x67);
  return img;
}

function buildTables(p: GuestPhysicalMemory, c: FlatUserCase): void {
  tablesImage ??= buildTablesImage();
  p.load(TABLES_BASE, tablesImage);
  for (const a of c.readonlyPages) {
    const i = ((a >>> 0) - DATA_BASE) >>> 12;
    if (i < DATA_SIZE / 0x1000) p.write32(dataPte(i), (P_DATA + i * 0x1000) | 0x65);
  }
  // Unmapped wins over read-only, as before (a page in both lists is not present).
  for (const a of c.unmappedPages) {
    const i = ((a >>> 0) - DATA_BASE) >>> 12;
    if (i < DATA_SIZE / 0x1000) p.write32(dataPte(i), 0);
  }
}

/** Code region image (code, then HLT to the end) and the zeroed data region: reused, never reallocated per case. */
const codeImage = new Uint8Array(0x2000);
const zeroData = new Uint8Array(DATA_SIZE);

/** The oracle's default x87 state: FNINIT with every data register zero (native-oracle/README.md, `fpu`). */
const FNINIT_ZEROED = { cw: 0x37f, sw: 0, tw: 0xffff, st: [] as Uint8Array[] };

function fsaveImage(f: NonNullable<FlatUserCase['fpu']>): Uint8Array {
  const img = new Uint8Array(108);
  const dv = new DataView(img.buffer);
  const sw = f.sw ?? 0;
  const top = (sw >>> 11) & 7;
  let tw = f.tw;
  if (tw === undefined) {
    tw = 0xffff;
    for (let i = 0; i < f.st.length && i < 8; i++) tw &= ~(3 << (((top + i) & 7) * 2));
  }
  dv.setUint16(0, f.cw, true);
  dv.setUint16(4, sw, true);
  dv.setUint16(8, tw, true);
  for (let i = 0; i < 8; i++) if (f.st[i]) img.set(f.st[i].subarray(0, 10), 28 + i * 10);
  return img;
}

export function runFlatUserCase(c: FlatUserCase): FlatUserResult {
  const { host, cpu, fpu } = context();
  const p = host.phys;
  cpu.reset();
  buildTables(p, c);
  codeImage.fill(0xf4);
  codeImage.set(c.code.subarray(0, 0x2000));
  p.load(P_CODE, codeImage);
  p.load(P_DATA, zeroData);
  for (const m of c.mem) {
    const off = (m.addr >>> 0) - DATA_BASE;
    if (off >= 0 && off + m.bytes.length <= DATA_SIZE) p.load(P_DATA + off, m.bytes);
  }
  cpu.dtr[0] = SYS_BASE + P_GDT;
  cpu.dtr[1] = 0xff;
  cpu.dtr[2] = SYS_BASE + P_IDT;
  cpu.dtr[3] = 0x7ff;
  cpu.cr[0] = 0x80050033 | 0;
  cpu.cr[3] = P_PD;
  cpu.cr[4] = 0x90;
  cpu.setEflags((c.eflags & 0x40cd5) | F.IF | 2);
  cpu.stateChanged();
  const userCode = AR.P | AR.S | AR.CODE | AR.RW | AR.ACCESSED | AR.D | AR.G | (3 << AR.DPL_SHIFT);
  const userData = AR.P | AR.S | AR.RW | AR.ACCESSED | AR.D | AR.G | (3 << AR.DPL_SHIFT);
  cpu.setSegment(Seg.CS, 0x23, 0, -1, userCode);
  for (const s of [Seg.DS, Seg.ES, Seg.SS]) cpu.setSegment(s, 0x2b, 0, -1, userData);
  cpu.setSegment(Seg.TR, 0x30, SYS_BASE + P_TSS, 0x67, AR.P | 0xb);
  cpu.setSegment(Seg.FS, 0, 0, 0, AR.UNUSABLE);
  cpu.setSegment(Seg.GS, 0, 0, 0, AR.UNUSABLE);
  for (let i = 0; i < 8; i++) cpu.reg[i] = c.regs[i] ?? 0;
  cpu.intercept.fill(1);
  cpu.intercepted = null;
  cpu.pfFetch = false;
  if (!cpu.noExec) {
    cpu.noExec = new Uint8Array(1 << 20);
    for (let i = 0; i < DATA_SIZE / 0x1000; i++) cpu.noExec[(DATA_BASE >>> 12) + i] = 1;
  }
  if (fpu) {
    // Always FRSTOR: FNINIT alone keeps the data registers, and the previous case's values would show in the
    // empty registers of this one's FNSAVE image.
    fpu.reset();
    p.load(P_SCRATCH, fsaveImage(c.fpu ?? FNINIT_ZEROED));
    // FRSTOR m108byte (DD /4) at the scratch page, with 32-bit operand size.
    cpu.osz = 1;
    fpu.execute(cpu.x87Host, 0xdd, 0x20, SCRATCH);
  }
  // The scratch page only carried the FRSTOR image: unmap it so the case sees the oracle's layout.
  p.write32(P_PT_SCRATCH, 0);
  cpu.stateChanged();
  cpu.eip = CODE_BASE;
  const end = (CODE_BASE + c.code.length) >>> 0;

  let status: FlatUserResult['status'] = 'timeout';
  let vector: number | undefined;
  let errorCode: number | undefined;
  let cr2: number | undefined;
  // Falling off the end of the code is an engine breakpoint; leaving the code pages for the (NX) data region
  // faults through cpu.noExec; everything else is an intercepted exception.
  for (const bp of [...cpu.breakpoints]) cpu.removeBreakpoint(bp);
  cpu.addBreakpoint(end);
  const r = cpu.run(c.maxInstructions);
  const ev = r === StopReason.MonitorEvent ? cpu.takeIntercepted() : null;
  if (r === StopReason.Breakpoint && cpu.eip >>> 0 === end) status = 'ok';
  else if (ev) {
    cpu.eip = ev.eip;
    if (ev.vector === 0x80 || (ev.vector === 13 && isSysenter(p, ev.eip))) status = 'syscall';
    else {
      status = 'exception';
      vector = ev.vector;
      errorCode = ev.errorCode;
      if (ev.vector === 14) {
        cr2 = cpu.cr[2] >>> 0;
        if (cpu.pfFetch) errorCode = ev.errorCode | 0x10;
      }
    }
  } else if (r === StopReason.Shutdown) {
    status = 'exception';
    vector = 8;
  }
  const regs = Array.from(cpu.reg, (v) => v >>> 0);
  const data = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i += 0x1000) {
    const off = p.peekFrameOffset((P_DATA + i) >>> 12);
    if (off >= 0) data.set(p.machine.u8.subarray(off, off + 0x1000), i);
  }
  const snap = fpu?.snapshot();
  return {
    status,
    vector,
    errorCode,
    cr2,
    eip: cpu.eip >>> 0,
    regs,
    eflags: (cpu.getEflags() & ~F.RF) >>> 0,
    data,
    fpu: snap
      ? { cw: snap.cw, sw: snap.sw, tw: snap.tw, st: snap.st }
      : { cw: 0x37f, sw: 0, tw: 0xffff, st: Array.from({ length: 8 }, () => new Uint8Array(10)) },
  };
}

function isSysenter(p: GuestPhysicalMemory, eip: number): boolean {
  const off = eip - CODE_BASE;
  if (off < 0 || off + 1 >= 0x2000) return false;
  return p.read8(P_CODE + off) === 0x0f && p.read8(P_CODE + off + 1) === 0x34;
}
