import { Breakpoint } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Watchpoint } from '../vmm/monitor/protocol';
import { BreakpointBook } from './breakpoint-book';

/**
 * Data breakpoints: any number, any size, on read, write or access, by variable or by address. Each becomes
 * a monitor watchpoint (the CPU keeps watched pages out of its TLB, so unwatched code runs at full speed).
 * Conditions, hit counts and log messages reuse the BreakpointBook; watchpoint ids are its engine ids.
 * A dataId is "<address hex>/<bytes>[/<label>]": stable across stops, so a breakpoint outlives the variable
 * reference it came from.
 */
export interface DataTarget {
  address: number;
  size: number;
  label: string;
}

export function formatDataId(t: DataTarget): string {
  return `0x${(t.address >>> 0).toString(16)}/${t.size}/${t.label}`;
}

export function parseDataId(id: string): DataTarget | undefined {
  const m = /^(0x[0-9a-f]+|\d+)\/(\d+)(?:\/(.*))?$/i.exec(id);
  if (!m) return undefined;
  const address = Number(m[1]);
  const size = Number(m[2]);
  if (!(address >= 0 && address <= 0xffffffff) || !(size >= 1)) return undefined;
  return { address, size, label: m[3] ?? m[1] };
}

const ACCESS: Record<DebugProtocol.DataBreakpointAccessType, Watchpoint['access']> = { read: 'read', write: 'write', readWrite: 'readWrite' };

export class DataBreakpoints {
  readonly book = new BreakpointBook();
  private targets = new Map<number, { target: DataTarget; access: Watchpoint['access'] }>();

  replace(list: DebugProtocol.DataBreakpoint[]): DebugProtocol.Breakpoint[] {
    const result: DebugProtocol.Breakpoint[] = [];
    const parsed = list.map((d) => ({ d, t: parseDataId(d.dataId) }));
    this.book.replace(
      'data',
      parsed.map(({ d, t }) => {
        const bp = new Breakpoint(!!t) as DebugProtocol.Breakpoint;
        if (!t) bp.message = `not a data breakpoint id: ${d.dataId}`;
        result.push(bp);
        return { bp, addresses: t ? [t.address] : [], condition: d.condition, hitCondition: d.hitCondition };
      }),
    );
    this.targets.clear();
    const engine = this.book.engineBreakpoints();
    let k = 0;
    for (const { d, t } of parsed) {
      if (!t) continue;
      this.targets.set(engine[k++].id, { target: t, access: ACCESS[d.accessType ?? 'write'] ?? 'write' });
    }
    return result;
  }

  watchpoints(): Watchpoint[] {
    return [...this.targets].map(([id, { target, access }]) => ({ id, address: target.address, length: target.size, access }));
  }

  /** "ticks (4 bytes at 0x1149e0)" for the stop description. */
  labels(engineIds: number[]): string[] {
    return engineIds.map((id) => this.targets.get(id)?.target.label).filter((x): x is string => !!x);
  }
}
