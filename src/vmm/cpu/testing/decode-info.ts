import type { DecodedInstruction } from './contracts';
import { decode } from '../decoder';

/** Decoder view for the differential tests (compared with iced-x86), straight from the opcode table. */
export function describeInstruction(bytes: Uint8Array, offset: number, bits: 16 | 32, eip: number): DecodedInstruction {
  const d = decode(bytes, offset, bits, eip);
  return { length: d.length, mnemonic: d.mnemonic, operands: d.operands };
}
