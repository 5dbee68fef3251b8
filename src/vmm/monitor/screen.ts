/**
 * The screen panel's view of a VM: the VGA text model's cells and cursor, and the host keyboard feeding the
 * i8042. Plain data so it crosses the worker boundary.
 */
import type { Machine } from './machine';
import type { ScreenSnapshot } from './screen-snapshot';

export type { ScreenSnapshot };

export function screenSnapshot(m: Machine): ScreenSnapshot {
  const s = m.platform.vga.screen();
  return {
    cols: s.cols,
    rows: s.rows,
    cells: Array.from(s.cells),
    cursor: { row: s.cursor.row, col: s.cursor.col, visible: s.cursor.visible },
    mode: s.textMode ? 'text' : 'graphics',
    blink: s.blinkEnabled,
  };
}

/** Set-1 scancode bytes (make and break, E0 prefixes included) as a PS/2 keyboard behind a translating 8042 sends them. */
export function keyInput(m: Machine, scancodes: readonly number[]): void {
  for (const b of scancodes) if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new Error(`bad scancode ${b}`);
  m.platform.kbc.keyboardInput(scancodes);
}
