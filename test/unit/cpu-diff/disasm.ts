import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { CODE_BASE } from './layout';
import { hex } from './convert';

let formatter: Formatter | undefined;

/** Disassembly of a code stream (32-bit, at the oracle's code address), one instruction per line, for reports. */
export function disassemble(code: Uint8Array, base = CODE_BASE): string[] {
  formatter ??= new Formatter(FormatterSyntax.Nasm);
  const dec = new Decoder(32, code, DecoderOptions.None);
  dec.ip = BigInt(base);
  const lines: string[] = [];
  try {
    while (dec.canDecode) {
      const at = Number(dec.position);
      const ins = dec.decode();
      const bytes = code.subarray(at, at + ins.length);
      lines.push(`  +${at.toString(16).padStart(3, '0')}  ${hex(bytes).padEnd(24)} ${formatter.format(ins)}`);
      ins.free();
    }
  } finally {
    dec.free();
  }
  return lines;
}
