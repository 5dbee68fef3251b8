import type { IoBus } from '../devices/io-bus';
import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { BiosCall } from './bios-cpu';

const TEXT = 0xb8000;
const COLS = 80;
const ROWS = 25;
const ATTR = 0x07;
const BDA_MODE = 0x449;
const BDA_COLS = 0x44a;
const BDA_CURSOR = 0x450;
const BDA_ROWS = 0x484;

/**
 * INT 10h for 80x25 colour text (mode 3) only: teletype, cursor, scrolling, mode query. The screen is the VGA
 * text buffer in RAM, the cursor the CRTC's, so the VGA model shows exactly what the guest would see.
 */
export class BiosVideo {
  constructor(private readonly phys: GuestPhysicalMemory, private readonly io: IoBus) {}

  init(): void {
    this.phys.write8(BDA_MODE, 3);
    this.phys.write16(BDA_COLS, COLS);
    this.phys.write8(BDA_ROWS, ROWS - 1);
    this.clear(0, 0, ROWS - 1, COLS - 1, ATTR);
    this.setCursor(0, 0);
  }

  private get cursor(): [number, number] {
    return [this.phys.read8(BDA_CURSOR + 1), this.phys.read8(BDA_CURSOR)];
  }

  private setCursor(row: number, col: number): void {
    this.phys.write8(BDA_CURSOR, col);
    this.phys.write8(BDA_CURSOR + 1, row);
    const pos = row * COLS + col;
    this.io.write(0x3d4, 1, 0x0e);
    this.io.write(0x3d5, 1, pos >> 8);
    this.io.write(0x3d4, 1, 0x0f);
    this.io.write(0x3d5, 1, pos & 0xff);
  }

  private clear(top: number, left: number, bottom: number, right: number, attr: number): void {
    for (let r = top; r <= bottom; r++) for (let col = left; col <= right; col++) this.phys.write16(TEXT + 2 * (r * COLS + col), (attr << 8) | 0x20);
  }

  private scroll(lines: number, top: number, left: number, bottom: number, right: number, attr: number): void {
    if (lines === 0 || lines > bottom - top) return this.clear(top, left, bottom, right, attr);
    for (let r = top; r <= bottom - lines; r++) {
      for (let col = left; col <= right; col++) this.phys.write16(TEXT + 2 * (r * COLS + col), this.phys.read16(TEXT + 2 * ((r + lines) * COLS + col)));
    }
    this.clear(bottom - lines + 1, left, bottom, right, attr);
  }

  teletype(ch: number): void {
    let [row, col] = this.cursor;
    if (ch === 0x0d) col = 0;
    else if (ch === 0x0a) row++;
    else if (ch === 0x08) col = Math.max(0, col - 1);
    else if (ch !== 0x07) {
      this.phys.write8(TEXT + 2 * (row * COLS + col), ch);
      if (++col === COLS) {
        col = 0;
        row++;
      }
    }
    if (row === ROWS) {
      this.scroll(1, 0, 0, ROWS - 1, COLS - 1, ATTR);
      row = ROWS - 1;
    }
    this.setCursor(row, col);
  }

  call(c: BiosCall): void {
    switch (c.ah) {
      case 0x00:
        this.init();
        return;
      case 0x01:
        return;
      case 0x02:
        this.setCursor(Math.min(c.dh, ROWS - 1), Math.min(c.dl, COLS - 1));
        return;
      case 0x03: {
        const [row, col] = this.cursor;
        c.dx = (row << 8) | col;
        c.cx = 0x0607;
        return;
      }
      case 0x06:
      case 0x07: {
        const up = c.ah === 0x06;
        if (!up) return this.clear(c.ch, c.cl, Math.min(c.dh, ROWS - 1), Math.min(c.dl, COLS - 1), c.bh);
        return this.scroll(c.al, c.ch, c.cl, Math.min(c.dh, ROWS - 1), Math.min(c.dl, COLS - 1), c.bh);
      }
      case 0x09:
      case 0x0a: {
        const [row, col] = this.cursor;
        for (let i = 0; i < c.cx && row * COLS + col + i < ROWS * COLS; i++) {
          const at = TEXT + 2 * (row * COLS + col + i);
          this.phys.write8(at, c.al);
          if (c.ah === 0x09) this.phys.write8(at + 1, c.bl);
        }
        return;
      }
      case 0x0e:
        return this.teletype(c.al);
      case 0x0f:
        c.ax = (COLS << 8) | 3;
        c.bx = c.bx & 0xff;
        return;
      case 0x12:
        if (c.bl === 0x10) c.bx = 0x0003; // EGA+ present, 256 KiB
        return;
      case 0x13: {
        const at = (c.es + (c.cpu.reg[5] & 0xffff)) >>> 0; // ES:BP
        for (let i = 0; i < c.cx; i++) this.teletype(this.phys.read8(at + (c.al & 2 ? 2 * i : i)));
        return;
      }
      default:
        return;
    }
  }
}
