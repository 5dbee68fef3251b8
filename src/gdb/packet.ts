/**
 * The remote serial protocol's framing: `$payload#cc` with a modulo-256 checksum, `+`/`-` acknowledgements,
 * a raw 0x03 byte for an interrupt, `}` escapes (byte XOR 0x20) for binary data. Pure byte handling, no I/O,
 * so it can be fed arbitrary chunks in tests.
 */

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;
const INTERRUPT = 0x03;

export function checksum(payload: Uint8Array): number {
  let sum = 0;
  for (const b of payload) sum = (sum + b) & 0xff;
  return sum;
}

/**
 * Frames a reply. `$`, `#` and `}` are escaped because they delimit packets; `*` because gdb reads it as a
 * run-length marker in replies.
 */
export function framePacket(payload: string | Uint8Array): Buffer {
  const raw = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const body: number[] = [];
  for (const b of raw) {
    if (b === DOLLAR || b === HASH || b === ESCAPE || b === STAR) body.push(ESCAPE, b ^ 0x20);
    else body.push(b);
  }
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from('$'), bytes, Buffer.from('#' + checksum(bytes).toString(16).padStart(2, '0'))]);
}

/** Undoes `}` escapes (X packets, binary replies). */
export function unescapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) out.push(data[i] === ESCAPE && i + 1 < data.length ? data[++i] ^ 0x20 : data[i]);
  return Buffer.from(out);
}

export type ReaderEvent =
  | { kind: 'packet'; payload: Buffer; checksumOk: boolean }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' };

/** Splits an incoming byte stream into packets, acknowledgements and interrupts. */
export class PacketReader {
  private state: 'idle' | 'body' | 'sum1' | 'sum2' = 'idle';
  private body: number[] = [];
  private sumText = '';

  feed(chunk: Uint8Array): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          if (b === DOLLAR) {
            this.state = 'body';
            this.body = [];
          } else if (b === 0x2b) events.push({ kind: 'ack' });
          else if (b === 0x2d) events.push({ kind: 'nack' });
          else if (b === INTERRUPT) events.push({ kind: 'interrupt' });
          // Anything else between packets is line noise; the protocol says to ignore it.
          break;
        case 'body':
          if (b === HASH) this.state = 'sum1';
          else this.body.push(b);
          break;
        case 'sum1':
          this.sumText = String.fromCharCode(b);
          this.state = 'sum2';
          break;
        case 'sum2': {
          this.sumText += String.fromCharCode(b);
          const payload = Buffer.from(this.body);
          const expected = parseInt(this.sumText, 16);
          events.push({ kind: 'packet', payload, checksumOk: expected === checksum(payload) });
          this.state = 'idle';
          break;
        }
      }
    }
    return events;
  }
}
