/** What the screen panel's controller and its webview say to each other (plain data). */
import type { ScreenSnapshot } from '../vmm/monitor/screen-snapshot';

export type ToScreenWebview =
  | { type: 'screen'; screen: ScreenSnapshot; running: boolean }
  | { type: 'noSession'; message?: string }
  | { type: 'error'; message: string }
  | { type: 'running'; running: boolean };

export type FromScreenWebview =
  | { type: 'ready' }
  /** Set-1 bytes for one key press or release, E0 prefixes included. */
  | { type: 'keys'; scancodes: number[] }
  | { type: 'refresh' };
