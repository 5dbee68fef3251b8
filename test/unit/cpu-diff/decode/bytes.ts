import { Rng } from '../generators/prng';

const PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
export const SLOT = 16;

/**
 * Fills `buf` with `buf.length / SLOT` candidate instructions, one per 16-byte slot (the longest legal
 * instruction is 15 bytes): 40% fully random bytes, the rest opcode-table guided — 0-3 random prefixes, then a
 * uniformly chosen one-byte opcode, 0F-map opcode or x87 escape, followed by random ModRM/SIB/displacement/
 * immediate bytes. Uniform opcode choice reaches the rare 0F opcodes that random bytes almost never produce.
 */
export function fillSlots(rng: Rng, buf: Uint8Array): void {
  for (let i = 0; i < buf.length; i += 4) {
    const v = rng.u32();
    buf[i] = v; buf[i + 1] = v >>> 8; buf[i + 2] = v >>> 16; buf[i + 3] = v >>> 24;
  }
  for (let s = 0; s < buf.length; s += SLOT) {
    if (rng.int(10) < 4) continue;
    let p = s;
    const np = rng.weighted<number>([[50, 0], [30, 1], [15, 2], [5, 3]]);
    for (let k = 0; k < np; k++) buf[p++] = rng.pick(PREFIXES);
    const m = rng.int(10);
    if (m < 5) buf[p++] = rng.int(256);
    else if (m < 9) { buf[p++] = 0x0f; buf[p++] = rng.int(256); }
    else buf[p++] = 0xd8 + rng.int(8);
  }
}
