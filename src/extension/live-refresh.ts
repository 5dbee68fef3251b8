/**
 * How a panel keeps up with a debug session: one request to the adapter at a time (a refresh asked for
 * meanwhile runs once more when it ends, so a stop during an in-flight frame is never lost), and a periodic
 * refresh while the guest runs, only while the panel is visible.
 */
export class LiveRefresh {
  running = false;
  private timer?: NodeJS.Timeout;
  private inFlight = false;
  private again = false;

  /**
   * `visible` is the panel's visibility, undefined when there is no panel; `refresh` is the panel's whole
   * refresh (its own checks, then `exclusive`).
   */
  constructor(
    private readonly intervalMs: number,
    private readonly visible: () => boolean | undefined,
    private readonly refresh: () => Promise<void>,
  ) {}

  /** Records the guest running or stopped; true if that changed (the caller tells its webview). */
  setRunning(running: boolean): boolean {
    if (this.running === running) return false;
    this.running = running;
    if (running) this.startTimer();
    else this.stopTimer();
    return true;
  }

  startTimer(): void {
    if (this.timer || this.visible() === undefined) return;
    this.timer = setInterval(() => {
      if (this.running && this.visible() && !this.inFlight) void this.refresh();
    }, this.intervalMs);
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs `fetch` unless one is in flight; then this refresh is remembered and runs once after it. */
  async exclusive(fetch: () => Promise<void>): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    try {
      await fetch();
    } finally {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    }
  }
}
