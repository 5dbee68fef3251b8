import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';

/**
 * Disassembly for the debugger's views, formatted by iced-x86 (GNU or Intel syntax). Execution never uses this:
 * the CPU decodes with its own opcode table; this is presentation only.
 */
export interface DisassembledInstruction {
  address: number;
  length: number;
  bytes: Uint8Array;
  text: string;
}

export type Syntax = 'gnu' | 'intel';

export class Disassembler {
  private readonly formatter: Formatter;

  constructor(syntax: Syntax = 'gnu') {
    this.formatter = new Formatter(syntax === 'gnu' ? FormatterSyntax.Gas : FormatterSyntax.Intel);
  }

  /** Decodes up to `count` instructions from `bytes`, the first at `address`, in 16- or 32-bit mode. */
  disassemble(bytes: Uint8Array, address: number, bits: 16 | 32, count: number): DisassembledInstruction[] {
    const decoder = new Decoder(bits, bytes, DecoderOptions.None);
    decoder.ip = BigInt(address >>> 0);
    const out: DisassembledInstruction[] = [];
    let offset = 0;
    while (out.length < count && decoder.canDecode) {
      const insn = decoder.decode();
      const length = insn.length;
      const text = insn.isInvalid ? '(bad)' : this.formatter.format(insn);
      insn.free();
      // An instruction cut off by the end of the buffer decodes as invalid: stop rather than show it.
      if (offset + length > bytes.length) break;
      out.push({ address: (address + offset) >>> 0, length, bytes: bytes.subarray(offset, offset + length), text });
      offset += length;
    }
    decoder.free();
    return out;
  }

  dispose(): void {
    this.formatter.free();
  }
}
