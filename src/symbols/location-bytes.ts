import { Location, MemoryReader } from './dwarf-expr';
import { Registers } from './cfi';

/** Reads the bytes a DWARF location describes: memory, a register, a computed value, or a mix of pieces. */

export interface LocatedBytes {
  location: Location;
  bytes?: Uint8Array;
  error?: string;
}

export function locationBytes(location: Location, size: number, frame: { regs: Registers; readMemory: MemoryReader }): LocatedBytes {
  if (location.kind === 'unavailable') return { location, error: location.reason };
  const bytes = new Uint8Array(size);
  const err = fill(location, bytes, 0, size * 8, frame);
  return err ? { location, error: err } : { location, bytes };
}

function fill(loc: Location, out: Uint8Array, bitPos: number, bits: number, frame: { regs: Registers; readMemory: MemoryReader }): string | undefined {
  const nbytes = Math.ceil(bits / 8);
  let src: Uint8Array | undefined;
  switch (loc.kind) {
    case 'memory': {
      if (nbytes === 0) return undefined;
      src = frame.readMemory(loc.address, nbytes);
      if (!src || src.length < nbytes) return `cannot read memory at 0x${loc.address.toString(16)}`;
      break;
    }
    case 'register': {
      const v = frame.regs[loc.reg];
      if (v === undefined) return `register ${loc.reg} is not available`;
      src = le32(v);
      break;
    }
    case 'value':
      src = le32(loc.value);
      break;
    case 'implicit':
      src = loc.bytes;
      break;
    case 'pieces': {
      let pos = bitPos;
      for (const p of loc.pieces) {
        const err = fill(p.location, out, pos, p.bits, frame);
        if (err) return err;
        pos += p.bits;
      }
      return undefined;
    }
    case 'unavailable':
      return loc.reason;
  }
  for (let i = 0; i < bits; i++) {
    const bit = (src[i >> 3] >> (i & 7)) & 1;
    const dst = bitPos + i;
    if ((dst >> 3) >= out.length) break;
    if (bit) out[dst >> 3] |= 1 << (dst & 7);
  }
  return undefined;
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  // Values wider than 32 bits (DW_OP_const8u) keep their high half.
  new DataView(b.buffer).setUint32(4, Math.floor(v / 2 ** 32) >>> 0, true);
  return b;
}
