import type { Clock } from '../monitor/virtual-clock';
import type { IoBus, IoDevice } from './io-bus';

/**
 * VGA text mode. The text buffer (0xB8000-0xBFFFF) is deliberately plain guest RAM, not MMIO: kernels write it
 * a character at a time and scroll it with 4 KB memmoves, and MMIO would send every one of those accesses down
 * the CPU's slow path. Plain RAM keeps them on the TLB fast path; the screen is read only when the extension
 * renders it (`screen()`), through a reader of guest-physical memory. The cost is that there is no write
 * notification: the renderer polls (a 4 KB read and compare per frame is nothing).
 *
 * This module holds the registers a text console touches: CRTC (start address, cursor, geometry),
 * misc output, sequencer, graphics controller memory map, attribute controller, DAC and input status 1 with
 * retrace timing from the virtual clock.
 */

/** Code page 437 as Unicode, for rendering and tests. Index 0 renders as a space. */
export const CP437 =
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export interface TextScreen {
  cols: number;
  rows: number;
  /** Row-major cells: character in the low byte, attribute (fg bits 0-3, bg 4-6, blink/bright bg 7) above. */
  cells: Uint16Array;
  cursor: { row: number; col: number; visible: boolean; startLine: number; endLine: number };
  /** Attribute bit 7 means blink (true) or a bright background (false). */
  blinkEnabled: boolean;
  /** False while the guest is not in a text mode this model understands (graphics mode, screen off). */
  textMode: boolean;
}

/** Mode 3 (80x25, 16 colours) CRTC values, as the BIOS programs them. */
const MODE3_CRTC = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f,
  0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
const MODE3_SEQ = [0x03, 0x00, 0x03, 0x00, 0x02];
const MODE3_GC = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff];
const MODE3_ATTR = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f,
  0x08, 0x00,
];

/** 720x400 at 70 Hz: 449 lines of 31.78 us, 400 visible, vertical retrace on lines 412-413. */
const LINE_NS = 31778;
const LINES = 449;
const VISIBLE_LINES = 400;
const HBLANK_NS = 6356;
const VRETRACE_FIRST = 412;
const VRETRACE_LAST = 413;

export interface VgaTextOptions {
  clock: Clock;
  /** Reads guest-physical memory without side effects (e.g. `GuestPhysicalMemory.readBytes`). */
  readMemory: (addr: number, length: number) => Uint8Array;
}

export class VgaText implements IoDevice {
  readonly name = 'vga';
  private readonly clock: Clock;
  private readonly readMemory: (addr: number, length: number) => Uint8Array;
  readonly crtc = Uint8Array.from(MODE3_CRTC);
  readonly seq = Uint8Array.from(MODE3_SEQ);
  readonly gc = Uint8Array.from(MODE3_GC);
  readonly attr = Uint8Array.from(MODE3_ATTR);
  /** 256 RGB triplets of 6 bits each. */
  readonly dac = new Uint8Array(768);
  misc = 0x67;
  private crtcIndex = 0;
  private seqIndex = 0;
  private gcIndex = 0;
  private attrIndex = 0;
  /** The attribute controller's index/data flip-flop; reset by reading input status 1. */
  private attrFlip = false;
  /** Palette address source: 0 while the guest loads the palette, which blanks the screen. */
  private attrPas = 0x20;
  private dacReadIndex = 0;
  private dacWriteIndex = 0;
  private dacComponent = 0;
  private dacState = 0;
  dacMask = 0xff;
  featureControl = 0;

  constructor(opts: VgaTextOptions) {
    this.clock = opts.clock;
    this.readMemory = opts.readMemory;
    this.initDac();
  }

  attach(bus: IoBus): void {
    bus.register(this, 0x3b4, 2);
    bus.register(this, 0x3ba, 1);
    bus.register(this, 0x3c0, 16);
    bus.register(this, 0x3d4, 2);
    bus.register(this, 0x3da, 1);
  }

  /** The default EGA palette in the first 64 DAC entries, enough for the attribute palette to index. */
  private initDac(): void {
    for (let i = 0; i < 64; i++) {
      const r = ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15;
      const g = ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15;
      const b = (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15;
      this.dac.set([r, g, b], i * 3);
    }
  }

  /** The CRTC answers at 0x3Dx in colour mode (misc bit 0 set) and at 0x3Bx in mono mode. */
  private crtcPortOk(port: number): boolean {
    const color = (this.misc & 1) !== 0;
    return (port & 0xfff0) === (color ? 0x3d0 : 0x3b0);
  }

  private inputStatus1(): number {
    this.attrFlip = false;
    const t = this.clock.now();
    const frame = LINE_NS * LINES;
    const inFrame = t % frame;
    const line = Math.floor(inFrame / LINE_NS);
    const inLine = inFrame - line * LINE_NS;
    const vretrace = line >= VRETRACE_FIRST && line <= VRETRACE_LAST;
    const blank = line >= VISIBLE_LINES || inLine >= LINE_NS - HBLANK_NS;
    return (vretrace ? 0x08 : 0) | (blank ? 0x01 : 0);
  }

  portRead(port: number, _size: 1 | 2 | 4): number {
    switch (port) {
      case 0x3b4:
      case 0x3d4:
        return this.crtcPortOk(port) ? this.crtcIndex : 0xff;
      case 0x3b5:
      case 0x3d5:
        return this.crtcPortOk(port) && this.crtcIndex < this.crtc.length ? this.crtc[this.crtcIndex] : 0xff;
      case 0x3ba:
      case 0x3da:
        return this.crtcPortOk(port) ? this.inputStatus1() : 0xff;
      case 0x3c0:
        return this.attrIndex | this.attrPas;
      case 0x3c1:
        return this.attrIndex < this.attr.length ? this.attr[this.attrIndex] : 0;
      case 0x3c2:
        return 0x10; // input status 0: switch sense reads as a colour monitor
      case 0x3c4:
        return this.seqIndex;
      case 0x3c5:
        return this.seqIndex < this.seq.length ? this.seq[this.seqIndex] : 0xff;
      case 0x3c6:
        return this.dacMask;
      case 0x3c7:
        return this.dacState;
      case 0x3c8:
        return this.dacWriteIndex;
      case 0x3c9: {
        const v = this.dac[this.dacReadIndex * 3 + this.dacComponent];
        if (++this.dacComponent === 3) {
          this.dacComponent = 0;
          this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
        }
        return v;
      }
      case 0x3ca:
        return this.featureControl;
      case 0x3cc:
        return this.misc;
      case 0x3ce:
        return this.gcIndex;
      case 0x3cf:
        return this.gcIndex < this.gc.length ? this.gc[this.gcIndex] : 0xff;
      default:
        return 0xff;
    }
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (size === 2) {
      // `outw(0x3D4, reg | value << 8)` is the classic way to set a CRTC register in one go.
      this.portWrite(port, 1, value & 0xff);
      this.portWrite(port + 1, 1, (value >> 8) & 0xff);
      return;
    }
    value &= 0xff;
    switch (port) {
      case 0x3b4:
      case 0x3d4:
        if (this.crtcPortOk(port)) this.crtcIndex = value & 0x3f;
        return;
      case 0x3b5:
      case 0x3d5:
        if (this.crtcPortOk(port)) this.writeCrtc(value);
        return;
      case 0x3ba:
      case 0x3da:
        if (this.crtcPortOk(port)) this.featureControl = value;
        return;
      case 0x3c0:
        if (!this.attrFlip) {
          this.attrIndex = value & 0x1f;
          this.attrPas = value & 0x20;
        } else if (this.attrIndex < this.attr.length) {
          this.attr[this.attrIndex] = value;
        }
        this.attrFlip = !this.attrFlip;
        return;
      case 0x3c2:
        this.misc = value;
        return;
      case 0x3c4:
        this.seqIndex = value & 0x07;
        return;
      case 0x3c5:
        if (this.seqIndex < this.seq.length) this.seq[this.seqIndex] = value;
        return;
      case 0x3c6:
        this.dacMask = value;
        return;
      case 0x3c7:
        this.dacReadIndex = value;
        this.dacComponent = 0;
        this.dacState = 0x00;
        return;
      case 0x3c8:
        this.dacWriteIndex = value;
        this.dacComponent = 0;
        this.dacState = 0x03;
        return;
      case 0x3c9:
        this.dac[this.dacWriteIndex * 3 + this.dacComponent] = value & 0x3f;
        if (++this.dacComponent === 3) {
          this.dacComponent = 0;
          this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
        }
        return;
      case 0x3ce:
        this.gcIndex = value & 0x0f;
        return;
      case 0x3cf:
        if (this.gcIndex < this.gc.length) this.gc[this.gcIndex] = value;
        return;
      default:
        return;
    }
  }

  private writeCrtc(value: number): void {
    const i = this.crtcIndex;
    if (i >= this.crtc.length) return;
    // Vertical retrace end bit 7 write-protects registers 0-7 (bit 4 of the overflow register excepted).
    if (this.crtc[0x11] & 0x80 && i <= 7) {
      if (i === 7) this.crtc[7] = (this.crtc[7] & ~0x10) | (value & 0x10);
      return;
    }
    this.crtc[i] = value;
  }

  /** Word offset of the first displayed character in video memory (CRTC 0x0C/0x0D). */
  get startAddress(): number {
    return (this.crtc[0x0c] << 8) | this.crtc[0x0d];
  }

  /** Word offset of the cursor in video memory (CRTC 0x0E/0x0F). */
  get cursorAddress(): number {
    return (this.crtc[0x0e] << 8) | this.crtc[0x0f];
  }

  /** Guest-physical base of the window the graphics controller maps (GC 6 bits 2-3). */
  get memoryBase(): number {
    switch ((this.gc[6] >> 2) & 3) {
      case 0:
      case 1:
        return 0xa0000;
      case 2:
        return 0xb0000;
      default:
        return 0xb8000;
    }
  }

  private geometry(): { cols: number; rows: number; pitch: number } {
    const cols = this.crtc[0x01] + 1;
    const vde = this.crtc[0x12] | ((this.crtc[0x07] & 0x02) << 7) | ((this.crtc[0x07] & 0x40) << 3);
    let charHeight = (this.crtc[0x09] & 0x1f) + 1;
    if (this.crtc[0x09] & 0x80) charHeight *= 2; // scan doubling
    const rows = Math.max(1, Math.floor((vde + 1) / charHeight));
    const pitch = this.crtc[0x13] * 2 || cols;
    return { cols, rows, pitch };
  }

  /** What a text-mode monitor would show now. */
  screen(): TextScreen {
    const { cols, rows, pitch } = this.geometry();
    const textMode = (this.gc[6] & 1) === 0 && (this.attr[0x10] & 1) === 0 && (this.seq[1] & 0x20) === 0;
    const base = this.memoryBase;
    const windowBytes = base === 0xa0000 ? 0x10000 : 0x8000;
    const mem = this.readMemory(base, windowBytes);
    const cells = new Uint16Array(cols * rows);
    const start = this.startAddress;
    const wrap = windowBytes >> 1;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const w = (start + r * pitch + c) % wrap;
        cells[r * cols + c] = mem[w * 2] | (mem[w * 2 + 1] << 8);
      }
    }
    const rel = this.cursorAddress - start;
    const maxScan = this.crtc[0x09] & 0x1f;
    const startLine = this.crtc[0x0a] & 0x1f;
    const endLine = this.crtc[0x0b] & 0x1f;
    const onScreen = rel >= 0 && rel < rows * pitch && rel % pitch < cols;
    return {
      cols,
      rows,
      cells,
      cursor: {
        row: onScreen ? Math.floor(rel / pitch) : -1,
        col: onScreen ? rel % pitch : -1,
        visible: onScreen && (this.crtc[0x0a] & 0x20) === 0 && startLine <= endLine && startLine <= maxScan,
        startLine,
        endLine,
      },
      blinkEnabled: (this.attr[0x10] & 0x08) !== 0,
      textMode,
    };
  }

  /** The screen as Unicode lines, trailing spaces trimmed; for terminals, logs and tests. */
  lines(): string[] {
    const s = this.screen();
    const out: string[] = [];
    for (let r = 0; r < s.rows; r++) {
      let line = '';
      for (let c = 0; c < s.cols; c++) line += CP437[s.cells[r * s.cols + c] & 0xff];
      out.push(line.replace(/[ \u00a0]+$/, ''));
    }
    return out;
  }
}
