import type { IoBus, IoDevice } from './io-bus';

/**
 * POST code port 0x80. Firmware and kernels write progress codes here; the last one is worth showing when a
 * guest dies early. Linux also writes it as an I/O delay, so it must stay cheap.
 */
export class PostPort implements IoDevice {
  readonly name = 'post';
  lastValue = 0;
  writes = 0;
  onPostCode?: (code: number) => void;

  attach(bus: IoBus, port = 0x80): void {
    bus.register(this, port, 1);
  }

  portRead(_port: number, _size: 1 | 2 | 4): number {
    return this.lastValue;
  }

  portWrite(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.lastValue = value & 0xff;
    this.writes++;
    this.onPostCode?.(this.lastValue);
  }
}

/** Bochs/QEMU debug console at 0xE9: bytes written go straight to the host; reads return 0xE9 (detection). */
export class DebugConsole implements IoDevice {
  readonly name = 'debugcon';
  onOutput?: (byte: number) => void;

  constructor(onOutput?: (byte: number) => void) {
    this.onOutput = onOutput;
  }

  attach(bus: IoBus, port = 0xe9): void {
    bus.register(this, port, 1);
  }

  portRead(_port: number, _size: 1 | 2 | 4): number {
    return 0xe9;
  }

  portWrite(_port: number, size: 1 | 2 | 4, value: number): void {
    // A wider OUT sends its bytes in order, as the byte-wide device would see them on a 16/32-bit bus cycle.
    for (let i = 0; i < size; i++) this.onOutput?.((value >>> (8 * i)) & 0xff);
  }
}

/**
 * QEMU's isa-debug-exit: writing v ends the VM with exit status (v << 1) | 1, so a test kernel can report
 * success without the exit code colliding with the host's 0. Default iobase 0xF4, 4 ports wide.
 */
export class IsaDebugExit implements IoDevice {
  readonly name = 'isa-debug-exit';
  readonly iobase: number;
  readonly size: number;
  onExit?: (status: number) => void;

  constructor(opts: { iobase?: number; size?: number; onExit?: (status: number) => void } = {}) {
    this.iobase = opts.iobase ?? 0xf4;
    this.size = opts.size ?? 4;
    this.onExit = opts.onExit;
  }

  attach(bus: IoBus): void {
    bus.register(this, this.iobase, this.size);
  }

  portRead(_port: number, size: 1 | 2 | 4): number {
    return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  }

  portWrite(_port: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 1 ? value & 0xff : size === 2 ? value & 0xffff : value >>> 0;
    // Exit statuses are taken modulo 256 by every host OS; report the full value and let the host truncate.
    this.onExit?.(v * 2 + 1);
  }
}
