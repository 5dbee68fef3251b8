/**
 * What the page-table panel's controller and its webview say to each other. Plain data; the snapshot's run
 * columns may arrive as typed arrays (the controller converts them, because VS Code moves typed arrays between
 * the extension host and a webview without serialising each number).
 */
import type { PageRuns, PageTableSnapshot } from '../vmm/monitor/page-table-snapshot';

/** PageRuns with each column as any array of numbers (number[] from JSON, Int32Array/Uint8Array once converted). */
export type RunColumns = { [K in keyof PageRuns]: ArrayLike<number> };

export type PanelSnapshot = Omit<PageTableSnapshot, 'runs'> & { runs: RunColumns };

export interface VmChoice {
  vm: number;
  name: string;
  cpus: number;
}

/** The part of the view worth keeping across hide/restore and window reloads (small: never the snapshot). */
export interface PanelViewState {
  vm?: number;
  cpu?: number;
  /** Undefined: follow the vCPU's current CR3. */
  cr3?: number;
  /** Linear address of the top row, to scroll back to. */
  top?: number;
  /** Linear addresses of the runs expanded into pages. */
  expanded?: number[];
  search?: string;
}

export type ToWebview =
  | { type: 'snapshot'; snapshot: PanelSnapshot; vms: VmChoice[]; running: boolean }
  | { type: 'noSession'; message?: string }
  | { type: 'error'; message: string }
  | { type: 'running'; running: boolean };

export type FromWebview =
  | { type: 'ready'; view?: PanelViewState }
  | { type: 'select'; vm: number; cpu: number; cr3?: number }
  | { type: 'openMemory'; address: number; space: 'linear' | 'physical' }
  | { type: 'refresh' };
