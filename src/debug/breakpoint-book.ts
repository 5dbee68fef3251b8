import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EngineBreakpoint, MonitorEventFilter } from '../vmm/monitor/protocol';
import { EXIT_NAMES } from '../vmm/monitor/exit-names';

/**
 * The session's record of every breakpoint the user set, and what each becomes in the execution engine: one
 * engine breakpoint per address (a source line can have several). Conditions, hit counts and log messages are
 * the adapter's business; the engine only stops.
 */
export interface BreakpointSpec {
  bp: DebugProtocol.Breakpoint;
  addresses: number[];
  space?: 'linear' | 'physical';
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

interface Entry extends BreakpointSpec {
  hits: number;
  engineIds: number[];
}

const EXCEPTION_VECTORS: Record<string, number[]> = {
  'page-fault': [14],
  'general-protection': [13],
  'double-fault': [8],
  'invalid-opcode': [6],
  'any-exception': Array.from({ length: 32 }, (_, i) => i),
};
/** Every privileged instruction's exit reason: what the "privileged" filter (and an empty monitor-exit condition) stops on. */
export const PRIVILEGED_EXITS = [
  'CrWrite', 'CrRead', 'DrWrite', 'DrRead', 'DescriptorTableLoad', 'Hlt', 'Invlpg', 'Msr', 'InterruptFlag', 'Clts', 'Lmsw',
  'CacheFlush', 'RingCompression',
];
const EXIT_FILTERS: Record<string, string[]> = {
  'privileged': PRIVILEGED_EXITS,
  io: ['IoIn', 'IoOut'],
  cr3: ['CrWrite'],
  'mode-switch': ['ModeSwitch'],
  'ring-transition': ['RingTransition'],
  hypercall: ['Hypercall'],
  'triple-fault': ['Shutdown'],
};

export class BreakpointBook {
  private groups = new Map<string, Entry[]>();
  private byEngineId = new Map<number, Entry>();
  private nextDapId = 1;
  private nextEngineId = 1;
  private filters: string[] = [];
  private ports: number[] = [];
  private pageFault?: [number, number][];
  private exitNames: string[] = PRIVILEGED_EXITS;

  replace(group: string, specs: BreakpointSpec[]): void {
    for (const old of this.groups.get(group) ?? []) for (const id of old.engineIds) this.byEngineId.delete(id);
    const entries = specs.map((s) => {
      s.bp.id = this.nextDapId++;
      const e: Entry = { ...s, hits: 0, engineIds: [] };
      for (let i = 0; i < s.addresses.length; i++) {
        const id = this.nextEngineId++;
        e.engineIds.push(id);
        this.byEngineId.set(id, e);
      }
      return e;
    });
    this.groups.set(group, entries);
  }

  engineBreakpoints(): EngineBreakpoint[] {
    const out: EngineBreakpoint[] = [];
    for (const entries of this.groups.values()) {
      for (const e of entries) e.addresses.forEach((address, i) => out.push({ id: e.engineIds[i], address, space: e.space ?? 'linear' }));
    }
    return out;
  }

  dapIds(engineIds: number[]): number[] {
    return [...new Set(engineIds.map((id) => this.byEngineId.get(id)?.bp.id).filter((x): x is number => x !== undefined))];
  }

  /** Decides whether a hit stops: conditions are evaluated, hit counts advanced, log messages formatted. */
  async onHit(engineIds: number[], evaluate: (expr: string) => Promise<number>): Promise<{ stop: boolean; logs: string[] }> {
    let stop = false;
    const logs: string[] = [];
    for (const e of new Set(engineIds.map((id) => this.byEngineId.get(id)).filter((x): x is Entry => !!x))) {
      if (e.condition) {
        let ok = false;
        try {
          ok = (await evaluate(e.condition)) !== 0;
        } catch (err) {
          logs.push(`breakpoint condition "${e.condition}" failed: ${(err as Error).message}; stopping`);
          ok = true;
        }
        if (!ok) continue;
      }
      e.hits++;
      if (e.hitCondition && !hitConditionMet(e.hitCondition, e.hits)) continue;
      if (e.logMessage !== undefined) {
        logs.push(await interpolate(e.logMessage, evaluate));
        continue;
      }
      stop = true;
    }
    return { stop, logs };
  }

  setExceptionFilters(filters: string[], options: DebugProtocol.ExceptionFilterOptions[]): void {
    this.filters = filters;
    const io = options.find((o) => o.filterId === 'io');
    this.ports = io?.condition ? io.condition.split(/[\s,]+/).filter(Boolean).map((p) => Number(p)).filter((n) => Number.isInteger(n)) : [];
    const pf = options.find((o) => o.filterId === 'page-fault');
    this.pageFault = pf?.condition ? parseRanges(pf.condition) : undefined;
    const mx = options.find((o) => o.filterId === 'monitor-exit');
    this.exitNames = mx?.condition ? parseExitNames(mx.condition) : PRIVILEGED_EXITS;
  }

  /** Faulting-address ranges [start, end] of the page-fault filter's condition, or undefined for any address. */
  pageFaultRanges(): [number, number][] | undefined {
    return this.pageFault;
  }

  eventFilter(): MonitorEventFilter {
    const vectors = new Set<number>();
    const exits = new Set<string>();
    for (const f of this.filters) {
      for (const v of EXCEPTION_VECTORS[f] ?? []) vectors.add(v);
      for (const x of EXIT_FILTERS[f] ?? []) exits.add(x);
      if (f === 'monitor-exit') for (const x of this.exitNames) exits.add(x);
    }
    // The CR3 filter narrows CR writes to CR3, unless another filter asked for every CR write.
    const anyCr = this.filters.includes('privileged') || (this.filters.includes('monitor-exit') && this.exitNames.includes('CrWrite'));
    const crs = this.filters.includes('cr3') && !anyCr ? [3] : [];
    return { vectors: [...vectors], exits: [...exits], ports: this.ports, crs };
  }
}

/** "Hlt, Clts" -> the exit reasons by name (as the exit trace and `exits` show them); throws on an unknown name. */
export function parseExitNames(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean).map((name) => {
    const known = EXIT_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
    if (!known) throw new Error(`not a monitor exit reason: ${name} (the reasons: ${EXIT_NAMES.join(', ')})`);
    return known;
  });
}

/** "0xc0000000-0xc0400000, 0x1000" -> [[0xc0000000, 0xc0400000], [0x1000, 0x1000]]; throws on anything else. */
export function parseRanges(text: string): [number, number][] {
  return text.split(/[\s,]+/).filter(Boolean).map((part) => {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`not an address or range: ${part}`);
    return [a >>> 0, (b ?? a) >>> 0] as [number, number];
  });
}

/** VS Code's hit conditions: "5" (from the 5th hit on), ">5", ">=5", "==5", "%5" (every 5th). */
export function hitConditionMet(cond: string, hits: number): boolean {
  const m = /^\s*(>=|<=|==|>|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return hits > n;
    case '<': return hits < n;
    case '<=': return hits <= n;
    case '==': return hits === n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits >= n;
  }
}

async function interpolate(message: string, evaluate: (expr: string) => Promise<number>): Promise<string> {
  const parts = message.split(/(\{[^}]*\})/);
  const out: string[] = [];
  for (const p of parts) {
    if (p.startsWith('{') && p.endsWith('}')) {
      try {
        const v = await evaluate(p.slice(1, -1));
        out.push(`0x${(v >>> 0).toString(16)}`);
      } catch (e) {
        out.push(`<${(e as Error).message}>`);
      }
    } else out.push(p);
  }
  return out.join('');
}
