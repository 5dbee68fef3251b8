/** The VGA text screen as the monitor hands it to a front end (no imports: the webview bundle uses it too). */
export interface ScreenSnapshot {
  cols: number;
  rows: number;
  /** Row-major: character in the low byte, attribute << 8. */
  cells: number[];
  cursor: { row: number; col: number; visible: boolean };
  /** 'text' while the model shows text; 'graphics' when the guest left text mode (cells are then stale RAM). */
  mode: 'text' | 'graphics';
  /** Attribute bit 7 blinks (true) or selects a bright background (false), per the attribute controller. */
  blink: boolean;
}
