/**
 * Machine memory: one pool of 4 KiB frames shared by every VM of a monitor.
 *
 * It lives in a SharedArrayBuffer so the extension host can read a stopped guest's memory without a copy
 * while the guest runs in a worker. Frames are handed out on first touch; a guest-physical-to-machine map
 * (GuestPhysicalMemory) says which frame backs which guest page, so sharing, ballooning and swapping can
 * later change the mapping without the CPU noticing.
 */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;

export class OutOfMachineMemory extends Error {
  constructor(frames: number) {
    super(`machine memory exhausted: all ${frames} frames (${(frames * PAGE_SIZE) >>> 20} MiB) are in use`);
  }
}

export class MachineMemory {
  readonly buffer: SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly frameCount: number;
  /** Free-frame stack; frames are popped from the top. */
  private readonly free: Int32Array;
  private freeTop: number;

  constructor(bytes: number, buffer?: SharedArrayBuffer) {
    const frames = Math.ceil(bytes / PAGE_SIZE);
    this.frameCount = frames;
    this.buffer = buffer ?? new SharedArrayBuffer(frames * PAGE_SIZE);
    this.u8 = new Uint8Array(this.buffer);
    this.free = new Int32Array(frames);
    // Hand out low frames first so a fresh machine's layout is easy to read in the panels.
    for (let i = 0; i < frames; i++) this.free[i] = frames - 1 - i;
    this.freeTop = frames;
  }

  get freeFrames(): number {
    return this.freeTop;
  }

  /** Allocates a zeroed frame and returns its number. */
  allocFrame(): number {
    if (this.freeTop === 0) throw new OutOfMachineMemory(this.frameCount);
    const frame = this.free[--this.freeTop];
    this.u8.fill(0, frame << PAGE_SHIFT, (frame + 1) << PAGE_SHIFT);
    return frame;
  }

  releaseFrame(frame: number): void {
    this.free[this.freeTop++] = frame;
  }
}
