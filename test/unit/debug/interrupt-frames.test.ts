import * as assert from 'node:assert';
import { EntryPaths, idtHandlers, tracePath } from '../../../src/debug/interrupt-frames';

/** A sparse little-endian memory for hand-made code, IDTs and stacks. */
class Mem {
  private bytes = new Map<number, number>();
  put(addr: number, data: number[]): void {
    data.forEach((b, i) => this.bytes.set(addr + i, b & 0xff));
  }
  put32(addr: number, v: number): void {
    this.put(addr, [v, v >>> 8, v >>> 16, v >>> 24]);
  }
  readonly read = (addr: number, size: number): Uint8Array | undefined => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const b = this.bytes.get(addr + i);
      if (b === undefined) return i > 0 && size === 16 ? out.subarray(0, i) : undefined;
      out[i] = b;
    }
    return out;
  };
}

const rel32 = (from: number, to: number): number[] => {
  const d = (to - from) | 0;
  return [d, d >> 8, d >> 16, d >> 24];
};

/** vector32/33 stubs (push 0; push n; jmp alltraps) and an alltraps that saves ds and all registers, then calls. */
function kernel(): { mem: Mem; afterCall: number; iret: number } {
  const mem = new Mem();
  mem.put(0x1000, new Array(34 * 8).fill(0));
  const gate = (v: number, handler: number): void => {
    mem.put32(0x1000 + v * 8, (0x08 << 16) | (handler & 0xffff));
    mem.put32(0x1000 + v * 8 + 4, (handler & 0xffff0000) | 0x8e00);
  };
  for (const [v, at] of [[32, 0x2000], [33, 0x2010]]) {
    mem.put(at, [0x6a, 0x00, 0x6a, v, 0xe9, ...rel32(at + 9, 0x3000)]);
    gate(v, at);
  }
  // alltraps: push ds; pushad; push esp; call 0x4000; add esp,4; popad; pop ds; add esp,8; iret
  mem.put(0x3000, [0x1e, 0x60, 0x54, 0xe8, ...rel32(0x3008, 0x4000), 0x83, 0xc4, 0x04, 0x61, 0x1f, 0x83, 0xc4, 0x08, 0xcf]);
  return { mem, afterCall: 0x3008, iret: 0x3010 };
}

describe('debug: interrupt frames from traced entry paths', () => {
  it('reads the present interrupt gates of an IDT', () => {
    const { mem } = kernel();
    assert.deepStrictEqual(idtHandlers(mem.read, 0x1000, 34 * 8 - 1), [{ vector: 32, handler: 0x2000 }, { vector: 33, handler: 0x2010 }]);
  });

  it('traces a stub through its jump to the shared code, counting pushes', () => {
    const { mem } = kernel();
    const path = tracePath(mem.read, 0x2000);
    assert.deepStrictEqual(path.map((s) => [s.ip, s.delta]), [
      [0x2000, 0], [0x2002, 4], [0x2004, 8], [0x3000, 8], [0x3001, 12], [0x3002, 44], [0x3003, 48], [0x3008, 48], [0x300b, 44], [0x300c, 12], [0x300d, 8], [0x3010, 0],
    ]);
  });

  it('recovers a ring-3 context from the CPU-pushed frame and the saved registers, and the right vector', () => {
    const { mem, afterCall, iret } = kernel();
    // The CPU switched to the kernel stack (top 0x9000) and pushed SS, ESP, EFLAGS, CS, EIP.
    [0x23, 0x7fff0, 0x202, 0x1b, 0x40001234].forEach((v, i) => mem.put32(0x9000 - 4 * (i + 1), v));
    mem.put32(0x8fe8, 0);
    mem.put32(0x8fe4, 32);
    mem.put32(0x8fe0, 0x23);
    // pushad: eax ecx edx ebx esp ebp esi edi, from 0x8fdc down.
    [0xa, 0xc, 0xd, 0xb, 0x8fe0, 0x7ff80, 0x5, 0x7].forEach((v, i) => mem.put32(0x8fdc - 4 * i, v));
    mem.put32(0x8fbc, 0x8fc0);
    const paths = new EntryPaths(mem.read, 0x1000, 34 * 8 - 1);
    // The frame of trap()'s caller: its ESP is where `push %esp` wrote.
    const regs = [0, 0, 0, 0, 0x8fbc, 0x8fb0, 0, 0, afterCall];
    const f = paths.frameAt(afterCall, regs, 0, mem.read)!;
    assert.strictEqual(f.vector, 32);
    assert.strictEqual(f.ring, 3);
    assert.deepStrictEqual(f.regs.slice(0, 9), [0xa, 0xc, 0xd, 0xb, 0x7fff0, 0x7ff80, 0x5, 0x7, 0x40001234]);
    // At the iret everything is popped: still the same frame, now right at ESP.
    const g = paths.frameAt(iret, [0xa, 0xc, 0xd, 0xb, 0x8fec, 0x7ff80, 5, 7, iret], 0, mem.read)!;
    assert.strictEqual(g.regs[8], 0x40001234);
    assert.strictEqual(g.vector, 32, 'the stale vector push still identifies it');
    assert.strictEqual(paths.frameAt(0x5000, regs, 0, mem.read), undefined);
  });

  it('continues on the same stack when the interrupt came from the same ring', () => {
    const { mem } = kernel();
    // Stopped at the stub's first instruction: ESP points at the CPU frame (EIP, CS, EFLAGS), no stack switch.
    [0x100200, 0x08, 0x202].forEach((v, i) => mem.put32(0x8000 + 4 * i, v));
    const paths = new EntryPaths(mem.read, 0x1000, 34 * 8 - 1);
    const f = paths.frameAt(0x2010, [0, 0, 0, 0, 0x8000, 0x8100, 0, 0, 0x2010], 0, mem.read)!;
    assert.strictEqual(f.vector, 33);
    assert.strictEqual(f.ring, 0);
    assert.strictEqual(f.regs[4], 0x800c);
    assert.strictEqual(f.regs[5], 0x8100);
  });
});
