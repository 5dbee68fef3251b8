/** Hex as the remote protocol writes it: two lower-case digits per byte, registers in target (little-endian) order. */

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Buffer {
  if (text.length % 2 || /[^0-9a-fA-F]/.test(text)) throw new RangeError(`not hex: "${text.slice(0, 32)}"`);
  return Buffer.from(text, 'hex');
}

/** A 32-bit value as 8 hex digits, least significant byte first (what `g` and `p` send for i386). */
export function le32Hex(v: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b.toString('hex');
}

/** A protocol number (addresses, lengths, thread ids): big-endian hex without a fixed width. */
export function parseNumber(text: string): number {
  if (!/^[0-9a-fA-F]+$/.test(text)) throw new RangeError(`not a hex number: "${text}"`);
  return parseInt(text, 16);
}
