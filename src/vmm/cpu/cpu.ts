import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { CpuHost } from './cpu-host';
import { ExitReason, StopReason } from './cpu-host';
import type { X87 } from './fpu/x87-host';
import { AR, CPUID_SIGNATURE, CR0, F, Seg } from './constants';
import { FAULT } from './fault';
import { WalkResult, walk } from './paging';
import { checkPhysGen, switchRoot, translate } from './access';
import { ShadowMmu } from '../memory/shadow/shadow-mmu';
import type { ShadowRoot } from '../memory/shadow/root';
import { getFlags } from './flags';
import { refreshAllSegs, setSegCache } from './segmentation';
import { GROUPS, HANDLERS, LOCKABLE, OPINFO, OpInfo } from './dispatch';
import { boundary, handleFault } from './interrupts';
import type { DrData, WatchHit, Watchpoint } from './debug-access';
import { drExecEnabled, ioBreakpointsEnabled, rebuildSlowPages } from './debug-access';
import { loadEflags } from './eflags';
import { makeX87Host } from './x87-glue';
import type { X87Host } from './fpu/x87-host';
import { raise } from './fault';
import { BREAK, BreakpointPages } from './breakpoint-pages';
import type { DirectState } from './ring-compression';

/** One step of a fault chain (what the guest was doing when the machine shut down). */
export interface FaultRecord {
  vector: number;
  errorCode: number;
  eip: number;
}

export type CpuMode = 'real' | 'protected16' | 'protected32' | 'v86';

export interface CpuSnapshot {
  gpr: number[];
  eip: number;
  eflags: number;
  segments: { name: string; selector: number; base: number; limit: number; access: number }[];
  cr: number[];
  dr: number[];
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  cpl: number;
  mode: CpuMode;
  halted: boolean;
  instructions: number;
}

/** Instructions between polls of the pause flag and the interrupt controller. */
const POLL = 4096;

/**
 * An IA-32 (P6-class) vCPU: the reference interpreter. Registers live in typed arrays the debugger reads and
 * writes directly; arithmetic flags are lazy (flags.ts); memory goes through the VM's shadow page
 * tables (access.ts, memory/shadow/). Instruction semantics live in ops/*, wired up by the opcode table (opcode-table.ts).
 */
export class Cpu {
  readonly index: number;
  readonly host: CpuHost;
  fpu: X87 | null;
  readonly x87Host: X87Host;
  readonly phys: GuestPhysicalMemory;
  readonly u8: Uint8Array;
  readonly dv: DataView;

  // ---- architectural state (live; see the README for how the debugger may write it) ----
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  readonly reg = new Int32Array(8);
  /** EIP as an int32 (use >>> 0 to show it). */
  eip = 0;
  /** EFLAGS except the arithmetic flags listed in lzMask (use getEflags()). */
  flags = 2;
  lzMask = 0;
  lzOp = 0;
  lzA = 0;
  lzB = 0;
  lzRes = 0;
  lzSize = 0;
  /** ES CS SS DS FS GS LDTR TR: selectors and hidden caches (base, limit in bytes, access rights per AR). */
  readonly segSel = new Int32Array(8);
  readonly segBase = new Int32Array(8);
  readonly segLimit = new Int32Array(8);
  readonly segAr = new Int32Array(8);
  /** CR0, CR1 (unused), CR2, CR3, CR4. */
  readonly cr = new Int32Array(5);
  readonly dr = new Int32Array(8);
  /** GDTR base, GDTR limit, IDTR base, IDTR limit. */
  readonly dtr = new Int32Array(4);
  cpl = 0;
  /** MSRs beyond the TSC. */
  apicBase = 0;
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  tscOffset = 0;

  // ---- derived state ----
  readonly rLo = new Float64Array(6);
  readonly rHi = new Float64Array(6);
  readonly wLo = new Float64Array(6);
  readonly wHi = new Float64Array(6);
  /** Bit s: segment s has base 0 and admits every offset for reads (flatR) / writes (flatW); see updateFlat. */
  flatR = 0;
  flatW = 0;
  defOsz = 0;
  defAsz = 0;
  ss32 = 0;
  csHi = 0xffff;
  rdBit = 1;
  wrBit = 2;
  acCheck = false;
  /**
   * Code fetch window: EIPs in [fEip, fEip + fSpan] are on one cached, present page inside the CS limit, and
   * byte EIP is at u8[fDelta + EIP]. fSpan = -1 means no window (the next fetch takes the slow path).
   */
  fEip = 0;
  fSpan = -1;
  fDelta = 0;
  /** Whether the window was opened with user-mode permissions (CPL 3); see updatePriv. */
  fUser = 0;

  // ---- current instruction ----
  instrStart = 0;
  osz = 0;
  asz = 0;
  segOvr = -1;
  rep = 0;
  lock = 0;
  /**
   * Nonzero when osz/asz/segOvr/rep/lock may differ from their defaults (a prefix was decoded, or a CS load
   * changed the default sizes): the run loop resets them only then, not before every instruction.
   */
  pfx = 1;
  modrm = 0;
  /** The opcode being executed (0x000-0x1ff), for register-in-opcode forms. */
  instrOp = 0;
  eaSeg = 0;
  eaOff = 0;
  descLo = 0;
  descHi = 0;
  xPhys = 0;
  /** Selector and offset of the last x87 memory operand (for FSTENV/FSAVE images). */
  x87Ds = 0;
  x87Off = 0;
  /**
   * Linear pages instruction fetches may not come from (a #PF with I/D set, as with NX). P6 has no NX; this is
   * for harnesses that mimic an NX host (flat-user) and costs nothing unless set: only fetch-window misses
   * look at it.
   */
  noExec: Uint8Array | null = null;
  /** The last #PF came from an instruction fetch (no NX here, but the flat-user oracle reports I/D). */
  pfFetch = false;

  // ---- shadow paging (memory/shadow/) ----
  /** The VM's shadow MMU, shared by its vCPUs. */
  readonly smmu: ShadowMmu;
  /** The active shadow root and its entries: the fast path's one lookup (`tlb[linear >>> 12]`). */
  root: ShadowRoot | null = null;
  tlb: Int32Array;
  /** The VM-wide watched linear pages (smmu.watched): accesses there check watchpoints and DR0-3. */
  readonly watched: Uint8Array;
  /** Pages this vCPU's own watchpoints and data breakpoints put in `watched`. */
  readonly slowPageList: number[] = [];
  physGen = -1;
  readonly walkRes = new WalkResult();

  // ---- run control ----
  /**
   * Instructions retired since construction. Starts as -0 so V8 gives the field a double representation
   * from the outset: an integer field that later outgrows the small-integer range (2^31, ~25 s of guest
   * time) would be re-represented and every loop iteration would get ~30% slower.
   */
  icount = -0;
  /** Forces the slow boundary check before the next instruction. */
  attn = true;
  /** A StopReason to return at the next boundary, or -1. */
  stopReq = -1;
  halted = false;
  /** An AP after INIT, waiting for a startup IPI. */
  waitSipi = false;
  /** Interrupt shadow (STI, MOV SS, POP SS): no interrupt before the next instruction completes. */
  shadow = false;
  /** MOV SS / POP SS also hold back debug traps (TF, data breakpoints) until after the next instruction. */
  ssShadow = false;
  /** An NMI is waiting (raiseNmi); NMIs are blocked from delivery until the handler's IRET. */
  nmiPending = false;
  nmiBlocked = false;
  /** Whether run()/step() deliver external interrupts at all. */
  interruptsEnabled = true;
  /** Whether step() may deliver a pending external interrupt (off by default: steps skip IRQs). */
  stepInterrupts = false;
  /** A shared pause flag polled every few thousand instructions (Atomics.store(flag, 0, 1) to pause). */
  pauseFlag: Int32Array | null = null;

  // ---- exceptions ----
  excVector = 0;
  /** Vector being delivered while nesting > 0. */
  curVector = -1;
  /** Triple fault happened: the CPU stays stopped (state kept) until reset(). */
  shutdown = false;
  /** The direct engine's ring-compression state (ring-compression.ts); null under the interpreter. */
  direct: DirectState | null = null;
  /** Monitor exits per ExitReason. */
  readonly exitCounts = new Float64Array(ExitReason.Count);
  excCode = 0;
  /** Exceptions being delivered right now (for #DF and triple-fault classification). */
  nesting = 0;
  /** Preallocated state saves for transfers that may fault half-way (see interrupts.ts saveFrameState). */
  readonly frameSaves: Int32Array[] = [new Int32Array(28), new Int32Array(28), new Int32Array(28), new Int32Array(28)];
  frameTop = 0;
  /** The faults that led to the last shutdown (triple fault), oldest first. */
  faultChain: FaultRecord[] = [];
  /** Vectors the host wants to see instead of the guest (run returns MonitorEvent before delivery). */
  readonly intercept = new Uint8Array(256);
  intercepted: FaultRecord | null = null;
  /** Set when the last delivered event came from an intercept-free path (for statistics). */
  exceptionsDelivered = 0;

  // ---- debugging ----
  /** Pending DR6 B0-B3 bits from data breakpoints, delivered as a #DB trap at the next boundary. */
  pendingDr6 = 0;
  tfTrap = false;
  /** A task switch into a TSS with the T bit set: #DB before the new task runs. */
  tssTrap = false;
  drExecActive = false;
  /** CR4.DE and an I/O breakpoint in DR7: port accesses check DR0-DR3. */
  ioBreakpoints = false;
  drData: DrData[] = [];
  readonly watches: Watchpoint[] = [];
  watchHit: WatchHit | null = null;
  /** Engine breakpoints: checked when the fetch window is refilled, never per instruction (breakpoint-pages.ts). */
  readonly bp = new BreakpointPages();
  bpCount = 0;
  /**
   * Linear address whose breakpoint is skipped once (resuming from it), valid only while no instruction has
   * run since the stop (bpSkipAt = icount then), so a later visit to the same address breaks again.
   */
  bpSkip = -1;
  bpSkipAt = -1;

  constructor(index: number, host: CpuHost, fpu?: X87) {
    this.index = index;
    this.host = host;
    this.fpu = fpu ?? null;
    this.phys = host.phys;
    this.u8 = host.phys.machine.u8;
    this.dv = new DataView(host.phys.machine.buffer);
    this.smmu = host.shadow ?? new ShadowMmu(host.phys);
    this.watched = this.smmu.watched;
    this.tlb = new Int32Array(0);
    this.x87Host = makeX87Host(this);
    this.reset();
  }

  /** Power-on / RESET state. APs (index > 0) then wait for a startup IPI. */
  reset(): void {
    this.reg.fill(0);
    // EDX holds the processor signature after RESET, the same as CPUID.1:EAX.
    this.reg[2] = CPUID_SIGNATURE;
    this.eip = 0xfff0;
    this.flags = 2;
    this.lzMask = 0;
    this.cr.fill(0);
    this.cr[0] = 0x60000010;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.dtr[0] = 0;
    this.dtr[1] = 0xffff;
    this.dtr[2] = 0;
    this.dtr[3] = 0xffff;
    this.cpl = 0;
    this.apicBase = (0xfee00000 | 0x800 | (this.index === 0 ? 0x100 : 0)) | 0;
    this.sysenterCs = this.sysenterEsp = this.sysenterEip = 0;
    this.tscOffset = 0;
    for (let s = 0; s < 6; s++) setSegCache(this, s, 0, 0, 0xffff, AR.P | AR.S | AR.RW | AR.ACCESSED);
    setSegCache(this, Seg.CS, 0xf000, 0xffff0000, 0xffff, AR.P | AR.S | AR.CODE | AR.RW | AR.ACCESSED);
    setSegCache(this, Seg.LDTR, 0, 0, 0xffff, AR.P | 2);
    setSegCache(this, Seg.TR, 0, 0, 0xffff, AR.P | 11);
    refreshAllSegs(this);
    switchRoot(this);
    checkPhysGen(this);
    this.halted = false;
    this.nmiPending = false;
    this.nmiBlocked = false;
    this.bpSkip = -1;
    this.shutdown = false;
    this.faultChain = [];
    this.waitSipi = this.index !== 0;
    this.shadow = false;
    this.ssShadow = false;
    this.tfTrap = false;
    this.pendingDr6 = 0;
    this.nesting = 0;
    this.frameTop = 0;
    this.stopReq = -1;
    this.attn = true;
    this.drExecActive = false;
    this.ioBreakpoints = false;
    this.tssTrap = false;
    rebuildSlowPages(this);
    this.fpu?.reset();
  }

  /** INIT IPI: like RESET but an AP then waits for SIPI; caches and MSRs other than APIC_BASE are reset too. */
  init(): void {
    const apic = this.apicBase;
    this.reset();
    this.apicBase = apic;
  }

  /** Startup IPI: real mode at vector << 12. */
  sipi(vector: number): void {
    if (!this.waitSipi) return;
    this.waitSipi = false;
    this.halted = false;
    setSegCache(this, Seg.CS, (vector & 0xff) << 8, (vector & 0xff) << 12, 0xffff, AR.P | AR.S | AR.CODE | AR.RW | AR.ACCESSED);
    this.eip = 0;
    this.attn = true;
  }

  /** Non-maskable interrupt (from the local APIC or the chipset); delivered at the next boundary. */
  raiseNmi(): void {
    this.nmiPending = true;
    this.attn = true;
  }

  get instructionsRetired(): number {
    return this.icount;
  }

  /** Runs up to `budget` instructions. */
  run(budget: number): StopReason {
    if (this.phys.generation !== this.physGen) checkPhysGen(this);
    if (this.waitSipi) return StopReason.Halted;
    const end = this.icount + budget;
    this.attn = true;
    for (;;) {
      try {
        for (;;) {
          if (this.attn) {
            const r = boundary(this);
            if (r >= 0) return r;
          }
          if (this.icount >= end) return StopReason.Budget;
          const chunk = Math.min(end, this.icount + POLL);
          this.loop(chunk);
          if (this.icount >= chunk && !this.attn) {
            const pf = this.pauseFlag;
            if (pf !== null && Atomics.load(pf, 0) !== 0) {
              Atomics.store(pf, 0, 0);
              return StopReason.Paused;
            }
            if (this.phys.generation !== this.physGen) checkPhysGen(this);
            this.attn = true;
          }
        }
      } catch (e) {
        if (e === BREAK) continue; // stopReq is set: the boundary returns it
        if (e !== FAULT) throw e;
        if (!handleFault(this)) return StopReason.Shutdown;
      }
    }
  }

  /**
   * Executes one instruction, ignoring an engine breakpoint at the current EIP. External interrupts are
   * delivered first only if `stepInterrupts` is set (the debugger's "step into IRQs" option).
   */
  step(): StopReason {
    this.bpSkip = (this.segBase[Seg.CS] + this.eip) | 0;
    this.bpSkipAt = this.icount;
    const saved = this.interruptsEnabled;
    this.interruptsEnabled = saved && this.stepInterrupts;
    try {
      return this.run(1);
    } finally {
      this.interruptsEnabled = saved;
      this.bpSkip = -1;
    }
  }

  /** A plain, JSON-friendly copy of the architectural state for views and snapshots. */
  snapshot(): CpuSnapshot {
    const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'].map((name, i) => ({
      name,
      selector: this.segSel[i],
      base: this.segBase[i] >>> 0,
      limit: this.segLimit[i] >>> 0,
      access: this.segAr[i],
    }));
    return {
      gpr: Array.from(this.reg, (v) => v >>> 0),
      eip: this.eip >>> 0,
      eflags: this.getEflags(),
      segments: segs,
      cr: [this.cr[0] >>> 0, 0, this.cr[2] >>> 0, this.cr[3] >>> 0, this.cr[4] >>> 0],
      dr: Array.from(this.dr, (v) => v >>> 0),
      gdtr: { base: this.dtr[0] >>> 0, limit: this.dtr[1] & 0xffff },
      idtr: { base: this.dtr[2] >>> 0, limit: this.dtr[3] & 0xffff },
      cpl: this.cpl,
      mode: this.describeMode(),
      halted: this.halted,
      instructions: this.icount,
    };
  }

  private loop(end: number): void {
    // Handlers never write icount, so a local copy saves reloading the (double) field; the field itself stays
    // current after every instruction because devices read it (the machine's clock) during an instruction.
    let n = this.icount;
    while (n < end) {
      this.instrStart = this.eip;
      if (this.pfx !== 0) this.resetPrefixes();
      // execOp without its LOCK checks: lock is 0 here, a LOCK prefix re-enters through execOp.
      let op = this.fetch8();
      if (op === 0x0f) op = 0x100 | this.fetch8();
      const info = OPINFO[op];
      this.instrOp = op;
      if (info & OpInfo.Group) {
        const m = this.fetch8();
        this.modrm = m;
        GROUPS[(this.osz << 12) | (op << 3) | ((m >> 3) & 7)](this);
      } else {
        if (info & OpInfo.Modrm) this.modrm = this.fetch8();
        HANDLERS[(this.osz << 9) | op](this);
      }
      this.icount = ++n;
      if (this.attn) return;
    }
  }

  /** Back to no prefixes (after an instruction that had some, a fault in one, or a CS load). */
  resetPrefixes(): void {
    this.osz = this.defOsz;
    this.asz = this.defAsz;
    this.segOvr = -1;
    this.rep = 0;
    this.lock = 0;
    this.pfx = 0;
  }

  /**
   * An engine breakpoint at `lin`, met on the first byte of an instruction: stops (throws BREAK, nothing of the
   * instruction has happened) unless this is the resume from that same stop.
   */
  private engineBreak(lin: number): void {
    if (this.bpSkip === lin && this.bpSkipAt === this.icount) {
      this.bpSkip = -1;
      return;
    }
    this.bpSkip = lin;
    this.bpSkipAt = this.icount;
    this.stopReq = StopReason.Breakpoint;
    this.attn = true;
    throw BREAK;
  }

  /** Dispatches one opcode (0x000-0x0ff one-byte map, 0x100-0x1ff the 0F map). Prefixes re-enter here. */
  execOp(op: number): void {
    // The 0F escape (7% of a typical mix) is decoded here rather than through its own table entry and call.
    if (op === 0x0f) op = 0x100 | this.fetch8();
    const info = OPINFO[op];
    this.instrOp = op;
    if (info & OpInfo.Modrm) {
      const m = this.fetch8();
      this.modrm = m;
      if (this.lock !== 0 && (m >= 0xc0 || LOCKABLE[(op << 3) | ((m >> 3) & 7)] === 0)) raise(this, 6);
      if (info & OpInfo.Group) {
        GROUPS[(this.osz << 12) | (op << 3) | ((m >> 3) & 7)](this);
        return;
      }
    } else if (this.lock !== 0 && (info & OpInfo.Prefix) === 0) raise(this, 6);
    HANDLERS[(this.osz << 9) | op](this);
  }

  // ---- instruction fetch ----

  fetch8(): number {
    const eip = this.eip;
    if ((eip - this.fEip) >>> 0 <= this.fSpan) {
      this.eip = (eip + 1) | 0;
      return this.u8[(this.fDelta + eip) | 0];
    }
    return this.fetchSlow();
  }

  fetch16(): number {
    const eip = this.eip;
    if (((eip - this.fEip) >>> 0) + 1 <= this.fSpan) {
      this.eip = (eip + 2) | 0;
      return this.dv.getUint16((this.fDelta + eip) | 0, true);
    }
    return this.fetch8() | (this.fetch8() << 8);
  }

  fetch32(): number {
    const eip = this.eip;
    if (((eip - this.fEip) >>> 0) + 3 <= this.fSpan) {
      this.eip = (eip + 4) | 0;
      return this.dv.getInt32((this.fDelta + eip) | 0, true);
    }
    return this.fetch8() | (this.fetch8() << 8) | (this.fetch8() << 16) | (this.fetch8() << 24);
  }

  /** Immediate of the current operand size (Iz/Iv). */
  fetchImmV(): number {
    return this.osz ? this.fetch32() : this.fetch16();
  }

  private fetchSlow(): number {
    const eip = this.eip;
    const lin = (this.segBase[1] + eip) | 0;
    // Windows never cover a breakpoint byte, so every instruction that starts on one comes through here first.
    const bpHere = this.bpCount !== 0 && this.bp.perPage[lin >>> 12] !== 0;
    if (bpHere && eip === this.instrStart && this.bp.all.has(lin >>> 0)) this.engineBreak(lin);
    if (eip >>> 0 > this.csHi) raise(this, 13, 0);
    const mo = translate(this, lin, 4, this.cpl === 3);
    if (this.noExec !== null && this.noExec[lin >>> 12] !== 0) {
      this.cr[2] = lin;
      this.pfFetch = true;
      raise(this, 14, 0x11 | (this.cpl === 3 ? 4 : 0));
    }
    this.eip = (eip + 1) | 0;
    if (mo < 0) return this.phys.read8(this.xPhys);
    // Open a window over this page (bounded by the CS limit), or over its stretch between two breakpoints.
    let first = 0;
    let last = 0xfff;
    if (bpHere) {
      const run = this.bp.clearRun(lin >>> 12, lin & 0xfff);
      if (run < 0) return this.u8[mo];
      first = run >>> 16;
      last = run & 0xffff;
    }
    const pageStartEip = (eip - (lin & 0xfff)) | 0;
    const lastEip = Math.min((pageStartEip >>> 0) + last, this.csHi);
    this.fEip = (pageStartEip + first) | 0;
    this.fSpan = lastEip - ((pageStartEip >>> 0) + first);
    // Wrapping int32 arithmetic keeps the field a small integer; (fDelta + eip) | 0 recovers mo.
    this.fDelta = (mo - eip) | 0;
    return this.u8[mo];
  }

  // ---- state API for the machine and the debugger ----

  getEflags(): number {
    return getFlags(this) >>> 0;
  }

  setEflags(v: number): void {
    loadEflags(this, v, F.VALID);
  }

  describeMode(): CpuMode {
    if ((this.cr[0] & CR0.PE) === 0) return 'real';
    if (this.flags & F.VM) return 'v86';
    return this.segAr[Seg.CS] & AR.D ? 'protected32' : 'protected16';
  }

  /**
   * Linear to guest-physical for the debugger: no A/D bits, no faults, no TLB fill. Returns -1 if the page is
   * not mapped or the access would fault.
   */
  linearToPhysical(lin: number, forWrite = false, user = false): number {
    if (this.cr[0] >= 0) return lin >>> 0;
    const w = new WalkResult();
    return walk(this.phys, this.cr[0], this.cr[3], this.cr[4], lin | 0, forWrite ? 2 : 0, user, false, w) ? w.phys : -1;
  }

  /** Engine breakpoints by linear address (not guest-visible). */
  get breakpoints(): ReadonlySet<number> {
    return this.bp.all;
  }

  addBreakpoint(lin: number): void {
    if (!this.bp.add(lin >>> 0)) return;
    this.bpCount++;
    this.fSpan = -1; // the open window may cover the new breakpoint
  }

  removeBreakpoint(lin: number): void {
    if (!this.bp.remove(lin >>> 0)) return;
    this.bpCount--;
    this.fSpan = -1;
  }

  /** Data watchpoints by linear range; run() returns StopReason.Watchpoint after the accessing instruction. */
  addWatchpoint(w: Watchpoint): void {
    this.watches.push(w);
    rebuildSlowPages(this);
  }

  removeWatchpoint(id: number): void {
    const i = this.watches.findIndex((w) => w.id === id);
    if (i >= 0) this.watches.splice(i, 1);
    rebuildSlowPages(this);
  }

  /** Takes and clears the last intercepted event (see `intercept`). */
  takeIntercepted(): FaultRecord | null {
    const e = this.intercepted;
    this.intercepted = null;
    return e;
  }

  /** Takes and clears the last watchpoint hit. */
  takeWatchHit(): WatchHit | null {
    const h = this.watchHit;
    this.watchHit = null;
    return h;
  }

  /** Sets a segment register's selector and hidden cache directly (debugger, boot loaders). */
  setSegment(s: Seg, sel: number, base: number, limit: number, ar: number): void {
    setSegCache(this, s, sel, base, limit, ar);
    if (s === Seg.CS) this.cpl = (this.cr[0] & CR0.PE) === 0 ? 0 : this.flags & F.VM ? 3 : sel & 3;
    refreshAllSegs(this);
  }

  /** Call after writing cr/dtr/segment arrays directly: recomputes derived state and re-selects the shadow root. */
  stateChanged(): void {
    this.cpl = (this.cr[0] & CR0.PE) === 0 ? 0 : this.flags & F.VM ? 3 : this.segSel[Seg.CS] & 3;
    refreshAllSegs(this);
    switchRoot(this);
    this.fSpan = -1;
    rebuildSlowPages(this);
    this.drExecActive = drExecEnabled(this.dr[7]);
    this.ioBreakpoints = ioBreakpointsEnabled(this);
    this.attn = true;
  }
}
