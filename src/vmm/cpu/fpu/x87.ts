/**
 * The x87 FPU of a Pentium Pro (P6): every D8-DF encoding, including FCMOVcc and FCOMI/FUCOMI(P). Reserved
 * encodings (among them FISTTP, an SSE3 addition) raise #UD through the host. See README.md for what is
 * exact and what is not.
 */
import { Core } from './core';
import { execMem } from './exec-mem';
import { execReg } from './exec-reg';
import { bytesOf, toDouble } from './f80';
import { ES } from './status';
import { X87, X87Host, X87InvalidOpcode, X87Snapshot } from './x87-host';

/** Valid register forms (ModRM 0xC0..0xFF) per escape opcode, as 64-bit masks split in two 32-bit halves. */
function regMask(valid: (m: number) => boolean): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let m = 0; m < 64; m++) {
    if (!valid(0xc0 + m)) continue;
    if (m < 32) lo |= 1 << m;
    else hi |= 1 << (m - 32);
  }
  return [lo >>> 0, hi >>> 0];
}

const VALID_REG: [number, number][] = [
  regMask(() => true), // D8
  regMask((m) => m <= 0xd0 || (m >= 0xd8 && m <= 0xe1) || m === 0xe4 || m === 0xe5 || (m >= 0xe8 && m !== 0xef)), // D9
  regMask((m) => m < 0xe0 || m === 0xe9), // DA
  regMask((m) => m < 0xe5 || (m >= 0xe8 && m < 0xf8)), // DB
  regMask(() => true), // DC
  regMask((m) => m < 0xf0), // DD
  regMask((m) => m < 0xd8 || m === 0xd9 || m >= 0xe0), // DE
  regMask((m) => m < 0xe1 || (m >= 0xe8 && m < 0xf8)), // DF
];

/** Reserved memory forms: /1 of D9, DB, DD, DF (DB/DD/DF /1 are FISTTP, SSE3) and DB /4, /6, DD /5. */
const RESERVED_MEM = [0, 1 << 1, 0, (1 << 1) | (1 << 4) | (1 << 6), 0, (1 << 1) | (1 << 5), 0, 1 << 1];

/** isValidX87 as a table, by (opcode & 7) << 8 | modrm: the check runs on every x87 instruction. */
const VALID = new Uint8Array(2048);

export function isValidX87(opcode: number, modrm: number): boolean {
  return VALID[((opcode & 7) << 8) | (modrm & 0xff)] === 1;
}

function computeValid(opcode: number, modrm: number): boolean {
  const op = opcode & 7;
  if (modrm < 0xc0) return (RESERVED_MEM[op] & (1 << ((modrm >>> 3) & 7))) === 0;
  const m = modrm - 0xc0;
  const [lo, hi] = VALID_REG[op];
  return ((m < 32 ? lo >>> m : hi >>> (m - 32)) & 1) !== 0;
}

for (let i = 0; i < 2048; i++) VALID[i] = computeValid(i >>> 8, i & 0xff) ? 1 : 0;

/** The FN* control instructions that do not wait for (or check) pending exceptions. */
export function isNoWait(opcode: number, modrm: number): boolean {
  if (modrm >= 0xc0) return (opcode === 0xdb && modrm >= 0xe0 && modrm <= 0xe4) || (opcode === 0xdf && modrm === 0xe0);
  const reg = (modrm >>> 3) & 7;
  return (opcode === 0xd9 && reg >= 6) || (opcode === 0xdd && reg >= 6);
}

/** Control instructions leave the last-instruction pointers and opcode alone. */
function isControl(opcode: number, modrm: number): boolean {
  if (isNoWait(opcode, modrm)) return true;
  if (modrm >= 0xc0) return false;
  const reg = (modrm >>> 3) & 7;
  return (opcode === 0xd9 && (reg === 4 || reg === 5)) || (opcode === 0xdd && reg === 4);
}

export class X87Fpu implements X87 {
  private readonly core = new Core();

  execute(host: X87Host, opcode: number, modrm: number, ea: number): void {
    const c = this.core;
    c.host = host;
    if (!isValidX87(opcode, modrm)) {
      if (host.raiseInvalidOpcode) host.raiseInvalidOpcode();
      throw new X87InvalidOpcode(opcode, modrm);
    }
    if (!isNoWait(opcode, modrm)) this.checkPendingFault(host);
    if (!isControl(opcode, modrm)) {
      const st = c.st;
      st.fop = ((opcode & 7) << 8) | modrm;
      const p = host.instructionPointers?.();
      if (p) {
        st.fip = p.eip >>> 0;
        st.fcs = p.cs & 0xffff;
        if (modrm < 0xc0) {
          st.fdp = p.offset >>> 0;
          st.fds = p.ds & 0xffff;
        }
      }
    }
    if (modrm < 0xc0) execMem(c, opcode, (modrm >>> 3) & 7, ea);
    else execReg(c, opcode, modrm);
  }

  checkPendingFault(host: X87Host): void {
    if (this.core.st.sw & ES) host.raiseMathFault();
  }

  reset(): void {
    this.core.st.init();
  }

  snapshot(): X87Snapshot {
    const st = this.core.st;
    const regs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => st.get(i));
    return {
      cw: st.cw,
      sw: st.status,
      tw: st.tagWord,
      st: regs.map(bytesOf),
      stValues: regs.map(toDouble),
    };
  }

  /**
   * Test and debugger hook: loads the full state the way FRSTOR would (registers in ST order, `tw` decides
   * only which ones are empty).
   */
  load(state: { cw: number; sw: number; tw: number; st: Uint8Array[] }): void {
    const st = this.core.st;
    st.cw = state.cw & 0xffff;
    st.status = state.sw;
    st.tagWord = state.tw;
    for (let i = 0; i < 8; i++) {
      const b = state.st[i];
      const p = st.phys(i);
      st.lo[p] = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
      st.hi[p] = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
      st.se[p] = b[8] | (b[9] << 8);
    }
    st.updateSummary();
  }
}
