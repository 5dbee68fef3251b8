/**
 * Comparison of our result with the real x87's, field by field. Masks cover only what Intel leaves
 * undefined or what the hardware here (not a Pentium Pro) may legitimately do differently; each is named.
 */
import { firstInsn, FpuCase, FpuResult, hex80 } from './harness';

const TRANSCENDENTAL = new Set([0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff]);

export function isTranscendental(c: FpuCase): boolean {
  const f = firstInsn(c.code);
  return f.op === 0xd9 && TRANSCENDENTAL.has(f.modrm);
}

/** Finite non-zero values as signed integers ordered like the reals (exponent above significand). */
function ordered(b: Uint8Array): bigint | null {
  const se = b[8] | (b[9] << 8);
  if ((se & 0x7fff) === 0x7fff) return null;
  // Exponent above the 63 fraction bits (J dropped), so 1 - ulp and 1 are neighbours.
  let mag = BigInt(se & 0x7fff) << 63n;
  for (let i = 7; i >= 0; i--) mag += BigInt(i === 7 ? b[i] & 0x7f : b[i]) << BigInt(8 * i);
  return se & 0x8000 ? -mag : mag;
}

/** Returns a list of human-readable differences (empty when they agree). */
export function differences(c: FpuCase, mine: FpuResult, real: FpuResult): string[] {
  const d: string[] = [];
  if (mine.status !== real.status) {
    d.push(`status ${mine.status} != ${real.status}`);
    return d;
  }
  if (mine.status !== 'ok') return d;
  let swMask = 0xffff;
  const { op, modrm, o16 } = firstInsn(c.code);
  const trans = isTranscendental(c);
  // Transcendentals: computed in double precision here (README), so C1 (round-up) and the low bits differ.
  if (trans) swMask &= ~0x0200;
  // FPREM/FPREM1 partial remainder (C2=1): the quotient bits in C0/C3/C1 are undefined.
  if (op === 0xd9 && (modrm === 0xf8 || modrm === 0xf5) && real.sw & 0x400) swMask &= ~0x4300;
  // FXAM of an empty register: C1 is the stale sign bit, undefined by Intel.
  if (op === 0xd9 && modrm === 0xe5 && (real.sw & 0x4500) === 0x4100) swMask &= ~0x0200;
  // F2XM1 outside -1..+1: the result is undefined (SDM), so only the stack and tags are compared.
  const exp0 = (c.st[0][9] & 0x7f) * 256 + c.st[0][8];
  const j0 = c.st[0][7] & 0x80;
  // F2XM1 outside -1..+1 and FYL2XP1 outside +-(1 - sqrt(2)/2): undefined results (SDM).
  const undefinedRange = (modrm === 0xf0 && exp0 >= 0x3fff) || (modrm === 0xf9 && exp0 >= 0x3ffd);
  const st0Empty = ((c.tw >>> (2 * ((c.sw >>> 11) & 7))) & 3) === 3;
  const undefinedResult = op === 0xd9 && undefinedRange && exp0 !== 0x7fff && j0 && !st0Empty;
  if (undefinedResult) swMask &= ~0x80bf & ~0x0200;
  if (mine.cw !== real.cw) d.push(`cw ${mine.cw.toString(16)} != ${real.cw.toString(16)}`);
  if ((mine.sw & swMask) !== (real.sw & swMask)) d.push(`sw ${mine.sw.toString(16)} != ${real.sw.toString(16)}`);
  if (undefinedResult) return d; // registers and tags hold the undefined value
  if (mine.tw !== real.tw) d.push(`tw ${mine.tw.toString(16)} != ${real.tw.toString(16)}`);
  for (let i = 0; i < 8; i++) {
    const a = hex80(mine.st[i]);
    const b = hex80(real.st[i]);
    if (a === b) continue;
    // Transcendentals: within 2^16 units in the last place of the 64-bit significand (about 2^-48 relative).
    if (trans && ordered(mine.st[i]) !== null && ordered(real.st[i]) !== null) {
      const diff = (ordered(mine.st[i]) as bigint) - (ordered(real.st[i]) as bigint);
      if (diff >= -(1n << 16n) && diff <= 1n << 16n) continue;
    }
    d.push(`st${i} ${a} != ${b}`);
  }
  if ((mine.eflags & 0x8d5) !== (real.eflags & 0x8d5)) d.push(`eflags ${mine.eflags.toString(16)} != ${real.eflags.toString(16)}`);
  // Environment images: FIP/FCS/FOP/FDP/FDS are not comparable (other CPU, other addresses): bytes 12..27
  // of the 32-bit layout, 6..13 of the 16-bit one.
  const env = (op === 0xd9 || op === 0xdd) && modrm < 0xc0 && modrm >>> 3 === 6;
  const [skipFrom, skipTo] = o16 ? [6, 14] : [12, 28];
  for (let i = 0; i < mine.data.length; i++) {
    if (env && i >= skipFrom && i < skipTo) continue;
    if (mine.data[i] !== real.data[i]) {
      d.push(`mem[${i}] ${mine.data[i].toString(16)} != ${real.data[i].toString(16)}`);
      break;
    }
  }
  return d;
}

export function describeCase(c: FpuCase): string {
  const regs = c.st.map(hex80).join(' ');
  const mem = Array.from(c.data.slice(0, 10), (b) => b.toString(16).padStart(2, '0')).join('');
  return `code=${c.code.map((b) => b.toString(16)).join(' ')} cw=${c.cw.toString(16)} sw=${c.sw.toString(16)} tw=${c.tw.toString(16)} eflags=${c.eflags.toString(16)} st=[${regs}] mem=${mem}`;
}
