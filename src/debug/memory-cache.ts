/**
 * Guest memory for the symbol layer, which reads synchronously (DWARF location expressions, CFI, C strings)
 * while the monitor answers asynchronously from its worker. The cache holds whole linear pages for one stop:
 * `run` evaluates a pure function against it, notes the pages it missed, fetches them in one batch, and runs
 * the function again until nothing is missing. A stack trace typically needs two rounds (stack, then code).
 */
export type PageFetcher = (linear: number, length: number) => Promise<Uint8Array>;

const PAGE = 0x1000;
/** Rounds before giving up on a computation that keeps wandering into new pages (corrupt pointers). */
const MAX_ROUNDS = 24;
/** Pages one computation may pull in; a corrupt length must not make us copy the whole address space. */
const MAX_PAGES = 2048;

export class MemoryCache {
  /** Page number -> bytes, or null when the page is not mapped. */
  private readonly pages = new Map<number, Uint8Array | null>();
  private readonly missing = new Set<number>();

  constructor(private readonly fetch: PageFetcher) {}

  /** Forgets everything: the guest ran, or memory was written. */
  reset(): void {
    this.pages.clear();
  }

  /** A synchronous reader: the bytes, or undefined when unmapped or not fetched yet (then noted as missing). */
  readonly read = (address: number, size: number): Uint8Array | undefined => {
    if (size < 0 || size > MAX_PAGES * PAGE) return undefined;
    const out = new Uint8Array(size);
    let complete = true;
    for (let off = 0; off < size; ) {
      const a = (address + off) >>> 0;
      const inPage = Math.min(size - off, PAGE - (a & (PAGE - 1)));
      const page = this.pages.get(a >>> 12);
      if (page === null) return undefined;
      if (page === undefined) {
        if (this.missing.size < MAX_PAGES) this.missing.add(a >>> 12);
        complete = false;
      } else {
        out.set(page.subarray(a & (PAGE - 1), (a & (PAGE - 1)) + inPage), off);
      }
      off += inPage;
    }
    return complete ? out : undefined;
  };

  /** Runs `fn` (which must be free of side effects outside its result) until its memory reads are all satisfied. */
  async run<T>(fn: () => T): Promise<T> {
    for (let round = 0; ; round++) {
      this.missing.clear();
      let result: T;
      try {
        result = fn();
      } catch (e) {
        // Failing for want of a page is not failing: fetch it and try again.
        if (this.missing.size === 0 || round >= MAX_ROUNDS) throw e;
        await this.fill([...this.missing]);
        continue;
      }
      if (this.missing.size === 0 || round >= MAX_ROUNDS) return result;
      await this.fill([...this.missing]);
    }
  }

  /** Reads `size` bytes, fetching what is missing; undefined if any byte is unmapped. */
  async readAsync(address: number, size: number): Promise<Uint8Array | undefined> {
    return this.run(() => this.read(address, size));
  }

  private async fill(pages: number[]): Promise<void> {
    await Promise.all(
      pages.map(async (p) => {
        const bytes = await this.fetch((p * PAGE) >>> 0, PAGE);
        this.pages.set(p, bytes.length === PAGE ? bytes : null);
      }),
    );
  }
}
