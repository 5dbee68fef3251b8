import { decode } from './decoder';
import type { DecodedOperand } from './testing/contracts';

/**
 * Intel-syntax text for the debugger's disassembly view, from the table-driven decoder (so it always
 * agrees with what the interpreter executes). Mode-aware through `bits` (CS.D) and `eip`.
 */

const SIZE_NAME: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 6: 'fword', 8: 'qword', 10: 'tbyte' };

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

function operandText(o: DecodedOperand, showSize: boolean): string {
  switch (o.kind) {
    case 'reg':
      return o.reg ?? '?';
    case 'imm':
      return hex(o.imm ?? 0);
    case 'rel':
      return hex(o.target ?? 0);
    case 'farptr':
      return `${hex(o.selector ?? 0)}:${hex(o.offset ?? 0)}`;
    default: {
      const parts: string[] = [];
      if (o.base) parts.push(o.base);
      if (o.index) parts.push(o.scale && o.scale > 1 ? `${o.index}*${o.scale}` : o.index);
      let text = parts.join('+');
      const disp = o.disp ?? 0;
      if (disp !== 0 || parts.length === 0) {
        const neg = parts.length > 0 && disp >= 0x80000000;
        text += parts.length === 0 ? hex(disp) : neg ? `-${hex(-disp >>> 0)}` : `+${hex(disp)}`;
      }
      const size = showSize && o.size ? `${SIZE_NAME[o.size] ?? ''} ptr ` : '';
      return `${size}${o.seg ?? 'ds'}:[${text}]`;
    }
  }
}

export interface DisassembledInstruction {
  /** 0 for an invalid encoding (#UD), which is shown as "(bad)" and one byte long. */
  length: number;
  text: string;
  bytes: Uint8Array;
}

export function disassemble(code: Uint8Array, offset: number, bits: 16 | 32, eip: number): DisassembledInstruction {
  const d = decode(code, offset, bits, eip);
  if (d.length === 0) return { length: 0, text: '(bad)', bytes: code.subarray(offset, offset + 1) };
  // Operand sizes are spelled out only when no register operand implies them.
  const showSize = !d.operands.some((o) => o.kind === 'reg');
  const prefix = (d.lock ? 'lock ' : '') + (d.rep === 0xf3 ? (/^(cmps|scas)/.test(d.mnemonic) ? 'repe ' : /^(movs|stos|lods|ins|outs)/.test(d.mnemonic) ? 'rep ' : '') : d.rep === 0xf2 && /^(cmps|scas)/.test(d.mnemonic) ? 'repne ' : '');
  // String instructions' operands are implicit (ESI/EDI): the mnemonic says it all, as in every disassembler.
  const implicit = /^(movs|cmps|stos|lods|scas|ins|outs)[bwd]$/.test(d.mnemonic);
  const ops = implicit ? '' : d.operands.map((o) => operandText(o, showSize)).join(', ');
  return { length: d.length, text: `${prefix}${d.mnemonic}${ops ? ' ' + ops : ''}`, bytes: code.subarray(offset, offset + d.length) };
}
