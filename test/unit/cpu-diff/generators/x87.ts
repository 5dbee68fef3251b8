import { CF, PF, ZF } from '../layout';
import { FPX, FX } from '../flag-effects';
import { emitRm } from './common';
import { f32Bytes, f64Bytes, f80FromNumber } from './f80';
import { memOperand } from './operands';
import { EAX, StreamBuilder, imm } from './stream';

/** Values worth loading: signed zeros, infinities, NaNs, denormals, powers of two, ordinary numbers. */
function fpValue(b: StreamBuilder): number {
  const rng = b.rng;
  return rng.weighted<number>([
    [1, 0], [1, -0], [1, Infinity], [1, -Infinity], [1, NaN], [1, 5e-324], [1, -2.2250738585072014e-308],
    [2, 1], [1, -1], [1, Math.PI], [1, 2 ** rng.range(-80, 80)], [1, 1e308], [1, -3.5],
    [8, (rng.u32() - 2 ** 31) / (rng.u32() + 1)], [4, (rng.u32() | 0) * 2 ** rng.range(-40, 40)],
  ]);
}

/** Control words: default, each rounding mode and precision, and a few with exceptions unmasked (#MF paths). */
function pickCw(b: StreamBuilder): number {
  const rng = b.rng;
  let cw = 0x037f;
  if (rng.chance(0.4)) cw = (cw & ~0x0c00) | (rng.int(4) << 10);
  if (rng.chance(0.2)) cw = (cw & ~0x0300) | (rng.pick([0, 2, 3]) << 8);
  if (rng.chance(0.1)) cw &= ~(1 << rng.int(6));
  return cw;
}

const ARITH_REG: number[] = [0xd8, 0xdc, 0xde];

/**
 * x87: loads/stores of every memory format, constants, register and memory arithmetic (all eight D8 group ops,
 * reversed and popping forms), compares (FCOM/FUCOM/FTST/FXAM, FCOMI/FUCOMI into EFLAGS), FCMOVcc, FXCH,
 * FCHS/FABS/FSQRT/FRNDINT/FSCALE/FPREM/FPREM1, FINCSTP/FDECSTP/FFREE, FLDCW/FNSTCW/FNSTSW, FNCLEX/FNINIT/FWAIT.
 * No transcendental instructions (their last bits differ between implementations) and no FNSTENV/FNSAVE images
 * (FIP/FDP/FOP are not comparable).
 */
export function genX87(b: StreamBuilder): void {
  const rng = b.rng;
  b.noPtr |= 1 << EAX;
  b.written |= 1 << EAX;
  if (rng.chance(0.8)) {
    const k = rng.int(9);
    const st: Uint8Array[] = [];
    for (let i = 0; i < k; i++) st.push(f80FromNumber(fpValue(b)));
    b.fpu = { cw: pickCw(b), st };
  }
  const n = rng.range(1, 6);
  for (let i = 0; i < n; i++) {
    const sti = rng.int(8);
    switch (rng.int(16)) {
      case 0: { // fld m32/m64/m80
        const kind = rng.int(3);
        const size = [4, 8, 10][kind];
        const m = memOperand(b, { size, allowSeg: true });
        const v = fpValue(b);
        b.poke(m.ea!, kind === 0 ? f32Bytes(v) : kind === 1 ? f64Bytes(v) : Array.from(f80FromNumber(v)));
        emitRm(b, [[0xd9, 0xdd, 0xdb][kind]], m, kind === 2 ? 5 : 0, [], FPX.arith);
        break;
      }
      case 1: { // fst/fstp m32/m64, fstp m80
        const kind = rng.int(3);
        const m = memOperand(b, { size: [4, 8, 10][kind], allowSeg: true, write: true });
        if (kind === 2) emitRm(b, [0xdb], m, 7, [], FPX.arith);
        else emitRm(b, [kind === 0 ? 0xd9 : 0xdd], m, rng.chance(0.5) ? 2 : 3, [], FPX.arith);
        break;
      }
      case 2: { // fild m16/m32/m64
        const kind = rng.int(3);
        const size = [2, 4, 8][kind];
        const m = memOperand(b, { size, allowSeg: true });
        b.poke(m.ea!, kind === 2 ? [...imm(rng.interesting(), 4), ...imm(rng.interesting(), 4)] : imm(rng.interesting(), size));
        emitRm(b, [[0xdf, 0xdb, 0xdf][kind]], m, kind === 2 ? 5 : 0, [], FPX.arith);
        break;
      }
      case 3: { // fist/fistp m16/m32, fistp m64
        const kind = rng.int(3);
        const m = memOperand(b, { size: [2, 4, 8][kind], allowSeg: true, write: true });
        if (kind === 2) emitRm(b, [0xdf], m, 7, [], FPX.arith);
        else emitRm(b, [kind === 0 ? 0xdf : 0xdb], m, rng.chance(0.5) ? 2 : 3, [], FPX.arith);
        break;
      }
      case 4: b.emit([0xd9, 0xe8 + rng.int(7)], FPX.arith); break; // fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz
      case 5: case 6: { // arithmetic st(0)/st(i) register forms (D8, DC, DE); DE D9 = fcompp
        const op = rng.int(8);
        const opc = rng.pick(ARITH_REG);
        const isCmp = op === 2 || op === 3;
        if (isCmp && opc !== 0xd8) { b.emit([0xde, 0xd9], FPX.compare); break; }
        b.emit([opc, 0xc0 | (op << 3) | sti], isCmp ? FPX.compare : FPX.arith);
        break;
      }
      case 7: { // arithmetic with memory: m32fp (D8), m64fp (DC), m32int (DA), m16int (DE)
        const kind = rng.int(4);
        const size = [4, 8, 4, 2][kind];
        const m = memOperand(b, { size, allowSeg: true });
        const v = fpValue(b);
        b.poke(m.ea!, kind === 0 ? f32Bytes(v) : kind === 1 ? f64Bytes(v) : imm(rng.interesting(), size));
        const op = rng.int(8);
        emitRm(b, [[0xd8, 0xdc, 0xda, 0xde][kind]], m, op, [], op === 2 || op === 3 ? FPX.compare : FPX.arith);
        break;
      }
      case 8: b.emit([0xd9, rng.pick([0xe0, 0xe1, 0xfa, 0xfc, 0xfd])], FPX.arith); break; // fchs fabs fsqrt frndint fscale
      case 9: b.emit([0xd9, rng.pick([0xe4, 0xe5])], FPX.compare); break; // ftst fxam
      case 10: b.emit([0xd9, rng.pick([0xf8, 0xf5])], FPX.prem); break; // fprem fprem1
      case 11: { // fld st(i) / fxch / fst(p) st(i) / ffree / fincstp / fdecstp
        const k = rng.int(5);
        if (k === 0) b.emit([0xd9, 0xc0 | sti], FPX.arith);
        else if (k === 1) b.emit([0xd9, 0xc8 | sti], FPX.xch);
        else if (k === 2) b.emit([0xdd, (rng.chance(0.5) ? 0xd0 : 0xd8) | sti], FPX.arith);
        else if (k === 3) b.emit([0xdd, 0xc0 | sti], FPX.control);
        else b.emit([0xd9, rng.chance(0.5) ? 0xf7 : 0xf6], FPX.arith);
        break;
      }
      case 12: { // fcomi/fcomip/fucomi/fucomip, fucom/fucomp/fucompp
        const k = rng.int(5);
        if (k < 4) b.emit([[0xdb, 0xdf, 0xdb, 0xdf][k], (k < 2 ? 0xf0 : 0xe8) | sti], FPX.comi);
        else b.emit(rng.chance(0.5) ? [0xda, 0xe9] : [0xdd, (rng.chance(0.5) ? 0xe0 : 0xe8) | sti], FPX.compare);
        break;
      }
      case 13: // fcmovcc st(0), st(i): reads CF/ZF/PF
        b.emit([rng.chance(0.5) ? 0xda : 0xdb, 0xc0 | (rng.int(4) << 3) | sti], FPX.arith, CF | ZF | PF);
        break;
      case 14: { // fnstsw ax / m16, fnstcw m16, fldcw m16: the status word read must be fully defined
        const k = rng.int(4);
        if (k < 2 && b.swUndef) b.emit([0xd9, 0xe5], FPX.exam); // fxam defines C0-C3 without exceptions
        if (k === 0) { b.emit([0xdf, 0xe0], FPX.none); break; }
        const m = memOperand(b, { size: 2, allowSeg: true, write: k !== 3 });
        if (k === 3) b.poke(m.ea!, imm(pickCw(b), 2));
        emitRm(b, [k === 1 ? 0xdd : 0xd9], m, k === 1 ? 7 : k === 2 ? 7 : 5, [], k === 3 ? FPX.control : FPX.none);
        break;
      }
      default: { // fnclex / fninit / fwait / fnop
        const k = rng.int(4);
        if (k === 0) b.emit([0xdb, 0xe2], FPX.fnclex);
        else if (k === 1) b.emit([0xdb, 0xe3], FPX.exam);
        else if (k === 2) b.emit([0x9b], FPX.fnclex);
        else b.emit([0xd9, 0xd0], FPX.fnclex);
      }
    }
  }
  void FX;
}
