/**
 * FNSTENV/FLDENV/FNSAVE/FRSTOR images: 14 bytes (16-bit operand size) or 28 bytes (32-bit), in the real/V86
 * or protected-mode layout (SDM Vol. 1 §8.1.10, figures 8-9 to 8-12). Reserved upper halves of the 32-bit
 * image are written as 0xFFFF, as the hardware does.
 */
import type { X87Host } from './x87-host';
import { bytesOf, fromBytes, F80 } from './f80';
import { X87State } from './state';

export function envSize(host: X87Host): number {
  return host.operandSize32() ? 28 : 14;
}

function envWords(st: X87State, o32: boolean, pm: boolean): number[] {
  const cw = st.cw;
  const sw = st.status;
  const tw = st.tagWord;
  if (o32) {
    const hi = 0xffff0000;
    if (pm) return [cw | hi, sw | hi, tw | hi, st.fip, (st.fop << 16) | st.fcs, st.fdp, st.fds | hi];
    return [
      cw | hi,
      sw | hi,
      tw | hi,
      (st.fip & 0xffff) | hi,
      ((st.fip >>> 16) << 12) | st.fop,
      (st.fdp & 0xffff) | hi,
      (st.fdp >>> 16) << 12,
    ];
  }
  if (pm) return [cw, sw, tw, st.fip & 0xffff, st.fcs, st.fdp & 0xffff, st.fds];
  return [
    cw,
    sw,
    tw,
    st.fip & 0xffff,
    (((st.fip >>> 16) & 0xf) << 12) | st.fop,
    st.fdp & 0xffff,
    ((st.fdp >>> 16) & 0xf) << 12,
  ];
}

/** Writes the environment at ea (the caller has probed the whole range). */
export function writeEnv(host: X87Host, ea: number, st: X87State): number {
  const o32 = host.operandSize32();
  const words = envWords(st, o32, host.protectedMode());
  for (let i = 0; i < 7; i++) {
    if (o32) host.write32(ea + 4 * i, words[i] >>> 0);
    else host.write16(ea + 2 * i, words[i] & 0xffff);
  }
  return o32 ? 28 : 14;
}

export interface LoadedEnv {
  cw: number;
  sw: number;
  tw: number;
  fip: number;
  fcs: number;
  fop: number;
  fdp: number;
  fds: number;
}

/** Reads (but does not apply) an environment image, so a fault part-way leaves the FPU untouched. */
export function readEnv(host: X87Host, ea: number): LoadedEnv {
  const o32 = host.operandSize32();
  const pm = host.protectedMode();
  const w: number[] = [];
  for (let i = 0; i < 7; i++) w.push(o32 ? host.read32(ea + 4 * i) >>> 0 : host.read16(ea + 2 * i) & 0xffff);
  const env: LoadedEnv = { cw: w[0] & 0xffff, sw: w[1] & 0xffff, tw: w[2] & 0xffff, fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0 };
  if (pm) {
    env.fip = o32 ? w[3] : w[3] & 0xffff;
    env.fcs = w[4] & 0xffff;
    env.fop = o32 ? (w[4] >>> 16) & 0x7ff : 0;
    env.fdp = o32 ? w[5] : w[5] & 0xffff;
    env.fds = w[6] & 0xffff;
  } else if (o32) {
    env.fip = ((w[3] & 0xffff) | (((w[4] >>> 12) & 0xffff) << 16)) >>> 0;
    env.fop = w[4] & 0x7ff;
    env.fdp = ((w[5] & 0xffff) | (((w[6] >>> 12) & 0xffff) << 16)) >>> 0;
  } else {
    env.fip = (w[3] & 0xffff) | (((w[4] >>> 12) & 0xf) << 16);
    env.fop = w[4] & 0x7ff;
    env.fdp = (w[5] & 0xffff) | (((w[6] >>> 12) & 0xf) << 16);
  }
  return env;
}

/** Bit 6 of the control word reads as 1 and bits 7, 13-15 as 0 whatever is loaded. */
export function normalizeCw(v: number): number {
  return (v & 0x1f3f) | 0x40;
}

export function applyEnv(st: X87State, env: LoadedEnv): void {
  st.cw = normalizeCw(env.cw);
  st.status = env.sw;
  st.tagWord = env.tw;
  st.fip = env.fip;
  st.fcs = env.fcs;
  st.fop = env.fop;
  st.fdp = env.fdp;
  st.fds = env.fds;
  st.updateSummary();
}

export function writeRegisters(host: X87Host, ea: number, st: X87State): void {
  for (let i = 0; i < 8; i++) {
    const b = bytesOf(st.get(i));
    for (let k = 0; k < 10; k += 2) host.write16(ea + 10 * i + k, b[k] | (b[k + 1] << 8));
  }
}

export function readRegisters(host: X87Host, ea: number): F80[] {
  const regs: F80[] = [];
  for (let i = 0; i < 8; i++) {
    const b: number[] = [];
    for (let k = 0; k < 10; k += 2) {
      const w = host.read16(ea + 10 * i + k);
      b.push(w & 0xff, (w >>> 8) & 0xff);
    }
    regs.push(fromBytes(b));
  }
  return regs;
}
