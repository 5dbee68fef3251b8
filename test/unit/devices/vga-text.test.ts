import * as assert from 'node:assert';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import { CP437, VgaText } from '../../../src/vmm/devices/vga-text';
import { VirtualClock } from '../../../src/vmm/monitor/virtual-clock';

function setup() {
  const bus = new IoBus();
  const clock = new VirtualClock();
  const mem = new Uint8Array(1 << 20);
  const vga = new VgaText({ clock, readMemory: (a, n) => mem.slice(a, a + n) });
  vga.attach(bus);
  const put = (row: number, col: number, text: string, attr = 0x07, base = 0xb8000) => {
    for (let i = 0; i < text.length; i++) {
      const o = base + (row * 80 + col + i) * 2;
      mem[o] = text.charCodeAt(i);
      mem[o + 1] = attr;
    }
  };
  const crtc = (i: number, v: number) => {
    bus.write(0x3d4, 1, i);
    bus.write(0x3d5, 1, v);
  };
  return { bus, clock, mem, vga, put, crtc };
}

describe('VGA text mode', () => {
  it('CP437 table covers 256 code points', () => {
    assert.strictEqual(CP437.length, 256);
    assert.strictEqual(CP437[0x41], 'A');
    assert.strictEqual(CP437[0xdb], '█');
    assert.strictEqual(CP437[0xc4], '─');
  });

  it('renders 80x25 from 0xB8000 with attributes', () => {
    const { vga, put } = setup();
    put(0, 0, 'Hello', 0x1f);
    put(24, 75, 'end');
    const s = vga.screen();
    assert.strictEqual(s.cols, 80);
    assert.strictEqual(s.rows, 25);
    assert.strictEqual(s.textMode, true);
    assert.strictEqual(s.cells[0], 0x1f48);
    assert.strictEqual(vga.lines()[0], 'Hello');
    assert.strictEqual(vga.lines()[24], ' '.repeat(75) + 'end');
  });

  it('cursor location and shape from CRTC 0x0A/0x0B/0x0E/0x0F, word writes', () => {
    const { bus, vga, crtc } = setup();
    crtc(0x0e, 0x00);
    crtc(0x0f, 0xa5); // 165 = row 2, col 5
    let s = vga.screen();
    assert.deepStrictEqual([s.cursor.row, s.cursor.col, s.cursor.visible], [2, 5, true]);
    bus.write(0x3d4, 2, 0x200a); // cursor disable bit
    s = vga.screen();
    assert.strictEqual(s.cursor.visible, false);
    bus.write(0x3d4, 1, 0x0a);
    assert.strictEqual(bus.read(0x3d5, 1), 0x20);
  });

  it('start address scrolls the display', () => {
    const { vga, put, crtc } = setup();
    put(1, 0, 'second line');
    crtc(0x0c, 0x00);
    crtc(0x0d, 80);
    assert.strictEqual(vga.lines()[0], 'second line');
  });

  it('80x50 geometry from the max scan line register', () => {
    const { vga, crtc } = setup();
    crtc(0x09, 0x47); // 8-line characters
    assert.strictEqual(vga.screen().rows, 50);
  });

  it('CRTC protect bit locks registers 0-7', () => {
    const { bus, crtc } = setup();
    crtc(0x11, 0x8e);
    crtc(0x01, 0x10);
    bus.write(0x3d4, 1, 0x01);
    assert.strictEqual(bus.read(0x3d5, 1), 0x4f);
    crtc(0x11, 0x0e);
    crtc(0x01, 0x27);
    assert.strictEqual(bus.read(0x3d5, 1), 0x27);
  });

  it('input status 1 shows vertical retrace from virtual time and resets the attribute flip-flop', () => {
    const { bus, clock } = setup();
    clock.advanceTo(100 * 31778);
    assert.strictEqual(bus.read(0x3da, 1) & 0x08, 0);
    clock.advanceTo(412 * 31778 + 10);
    assert.strictEqual(bus.read(0x3da, 1) & 0x09, 0x09);
    bus.write(0x3c0, 1, 0x30); // index 0x10 with PAS
    bus.read(0x3da, 1);
    bus.write(0x3c0, 1, 0x30); // index again after the reset
    bus.write(0x3c0, 1, 0x04); // mode control: blink off
    bus.write(0x3c0, 1, 0x30);
    assert.strictEqual(bus.read(0x3c1, 1), 0x04);
  });

  it('mono mode moves the CRTC to 0x3B4', () => {
    const { bus } = setup();
    bus.write(0x3c2, 1, 0x66);
    assert.strictEqual(bus.read(0x3d5, 1), 0xff);
    bus.write(0x3b4, 1, 0x0e);
    bus.write(0x3b5, 1, 0x12);
    assert.strictEqual(bus.read(0x3b5, 1), 0x12);
    assert.strictEqual(bus.read(0x3cc, 1), 0x66);
  });

  it('DAC read/write cycles through RGB triplets', () => {
    const { bus } = setup();
    bus.write(0x3c8, 1, 5);
    for (const v of [1, 2, 3, 4, 5, 6]) bus.write(0x3c9, 1, v);
    bus.write(0x3c7, 1, 5);
    const got = [0, 1, 2, 3, 4, 5].map(() => bus.read(0x3c9, 1));
    assert.deepStrictEqual(got, [1, 2, 3, 4, 5, 6]);
  });

  it('graphics mode is reported as not text', () => {
    const { bus, vga } = setup();
    bus.write(0x3ce, 1, 0x06);
    bus.write(0x3cf, 1, 0x05);
    assert.strictEqual(vga.screen().textMode, false);
    assert.strictEqual(vga.memoryBase, 0xa0000);
  });
});
