import { MemoryReader } from './dwarf-expr';
import { DwarfType, sizeOf, stripTypedefs, typeName } from './dwarf-types';

/** Turns bytes + a DWARF type into what the Variables view shows: a display string and expandable children. */

export interface FormatOptions {
  /** Lets char pointers show their string. */
  readMemory?: MemoryReader;
  /** Names code addresses, for function pointers ("0x100123 <task_main>"). */
  symbolize?: (address: number) => string | undefined;
  /** Integers in hex. */
  hex?: boolean;
  maxStringLength?: number;
  /** Maximum characters of a struct/array summary. */
  maxSummary?: number;
}

export interface ValueChild {
  name: string;
  type: DwarfType;
  /** The child's bytes when they are part of the parent's (members, elements, bit fields). */
  bytes?: Uint8Array;
  /** Where the child lives in guest memory, if known; for pointer targets this is all there is. */
  address?: number;
}

const MAX_DEPTH = 3;
/** Children listed when the caller does not ask for a window (a corrupt bound must not allocate millions). */
export const MAX_CHILDREN = 10_000;
const SUMMARY_ELEMENTS = 64;

export function formatValue(type: DwarfType, bytes: Uint8Array, opts: FormatOptions = {}, depth = 0): string {
  const t = stripTypedefs(type);
  const size = sizeOf(t);
  if (bytes.length < size) return '<unavailable>';
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'base':
      return formatBase(t.encoding, t.size, bytes, opts);
    case 'enum': {
      const v = readInt(bytes, t.size, t.signed);
      const n = Number(v);
      const hit = t.enumerators.find((e) => e.value === n);
      if (hit) return hit.name;
      const flags = t.enumerators.filter((e) => e.value > 0 && (e.value & (e.value - 1)) === 0 && (n & e.value) === e.value);
      const covered = flags.reduce((a, e) => a | e.value, 0);
      if (flags.length > 1 && covered === n) return `(${flags.map((e) => e.name).join(' | ')})`;
      return String(v);
    }
    case 'pointer': {
      const p = Number(readInt(bytes, t.size, false));
      const text = '0x' + p.toString(16).padStart(t.size * 2, '0');
      const target = stripTypedefs(t.target);
      if (target.kind === 'function') {
        const sym = p !== 0 ? opts.symbolize?.(p) : undefined;
        return sym ? `${text} <${sym}>` : text;
      }
      if (target.kind === 'base' && target.size === 1 && isCharEncoding(target.encoding) && p !== 0 && opts.readMemory) {
        const s = readCString(opts.readMemory, p, opts.maxStringLength ?? 200);
        if (s !== undefined) return `${text} ${s}`;
      }
      return text;
    }
    case 'array': {
      const el = stripTypedefs(t.element);
      if (el.kind === 'base' && el.size === 1 && isCharEncoding(el.encoding)) {
        return quote(bytes.subarray(0, t.count ?? bytes.length), true);
      }
      if (depth >= MAX_DEPTH) return `[${t.count ?? '?'}]`;
      const shown = valueChildren(t, bytes, undefined, 0, SUMMARY_ELEMENTS).map((c) => formatValue(c.type, c.bytes ?? new Uint8Array(0), opts, depth + 1));
      if ((t.count ?? 0) > SUMMARY_ELEMENTS) shown.push('...');
      return summarize(shown, '{', '}', opts);
    }
    case 'struct':
    case 'union':
    case 'class': {
      if (depth >= MAX_DEPTH) return '{...}';
      return summarize(valueChildren(t, bytes).map((c) => `${c.name} = ${formatValue(c.type, c.bytes ?? new Uint8Array(0), opts, depth + 1)}`), '{', '}', opts);
    }
    case 'function':
      return `{${typeName(t)}}`;
    default:
      return `<${t.name}>`;
  }
}

/** Whether the Variables view should offer to expand a value of this type. */
export function hasChildren(type: DwarfType, bytes?: Uint8Array): boolean {
  const t = stripTypedefs(type);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') return t.members.length > 0;
  if (t.kind === 'array') return (t.count ?? 0) > 0;
  if (t.kind === 'pointer') {
    const target = stripTypedefs(t.target);
    if (target.kind === 'void' || target.kind === 'function' || target.kind === 'unknown') return false;
    return !bytes || readInt(bytes, t.size, false) !== 0n;
  }
  return false;
}

/**
 * Children of a value: struct members, array elements (a window of them with start/count), or the target of
 * a pointer (address only: the caller reads memory). `address` is where the parent lives, if in memory.
 */
export function valueChildren(type: DwarfType, bytes: Uint8Array, address?: number, start = 0, count = Infinity): ValueChild[] {
  const t = stripTypedefs(type);
  const at = (off: number): number | undefined => (address === undefined ? undefined : (address + off) >>> 0);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
    return t.members.map((m, i) => {
      const name = m.name || `<anonymous ${i}>`;
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        return { name, type: m.type, bytes: extractBits(bytes, m.bitOffset, m.bitSize, sizeOf(m.type), isSigned(m.type)) };
      }
      const size = sizeOf(m.type);
      return { name, type: m.type, bytes: bytes.subarray(m.offset, m.offset + size), address: at(m.offset) };
    });
  }
  if (t.kind === 'array') {
    const n = t.count ?? 0;
    const elSize = sizeOf(t.element);
    const out: ValueChild[] = [];
    const end = Math.min(n, start + Math.min(count, MAX_CHILDREN));
    for (let i = start; i < end; i++) {
      const off = i * elSize;
      out.push({ name: `[${i}]`, type: t.element, bytes: off + elSize <= bytes.length ? bytes.subarray(off, off + elSize) : undefined, address: at(off) });
    }
    return out;
  }
  if (t.kind === 'pointer' && hasChildren(t, bytes)) {
    return [{ name: '*', type: t.target, address: Number(readInt(bytes, t.size, false)) }];
  }
  return [];
}

function isCharEncoding(e: string): boolean {
  return e === 'signed_char' || e === 'unsigned_char';
}

function isSigned(type: DwarfType): boolean {
  const t = stripTypedefs(type);
  if (t.kind === 'base') return t.encoding === 'signed' || t.encoding === 'signed_char';
  if (t.kind === 'enum') return t.signed;
  return false;
}

export function readInt(bytes: Uint8Array, size: number, signed: boolean): bigint {
  let v = 0n;
  const n = Math.min(size, bytes.length, 16);
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return signed && n > 0 ? BigInt.asIntN(n * 8, v) : v;
}

/** A bit field's value, sign-extended if needed, re-encoded in its declared type's size. */
function extractBits(bytes: Uint8Array, bitOffset: number, bitSize: number, size: number, signed: boolean): Uint8Array {
  let v = 0n;
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i;
    const byte = bytes[bit >> 3] ?? 0;
    if ((byte >> (bit & 7)) & 1) v |= 1n << BigInt(i);
  }
  if (signed && bitSize > 0) v = BigInt.asIntN(bitSize, v);
  const out = new Uint8Array(Math.max(size, 1));
  let u = BigInt.asUintN(out.length * 8, v);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

function formatBase(encoding: string, size: number, bytes: Uint8Array, opts: FormatOptions): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (encoding) {
    case 'bool':
      return readInt(bytes, size, false) === 0n ? 'false' : 'true';
    case 'float':
      if (size === 4) return String(view.getFloat32(0, true));
      if (size === 8) return String(view.getFloat64(0, true));
      if (size >= 10) return String(x87ToNumber(bytes));
      return '<float?>';
    case 'signed_char':
    case 'unsigned_char': {
      const v = readInt(bytes, size, encoding === 'signed_char');
      return `${v} ${quote(Uint8Array.of(Number(v) & 0xff), false)}`;
    }
    default: {
      const signed = encoding === 'signed';
      const v = readInt(bytes, size, signed && !opts.hex);
      return opts.hex ? '0x' + v.toString(16) : v.toString();
    }
  }
}

/** 80-bit x87 extended precision to a JS number (losing what does not fit in a double). */
export function x87ToNumber(b: Uint8Array): number {
  let mant = 0;
  for (let i = 7; i >= 0; i--) mant = mant * 256 + b[i];
  const se = b[8] | (b[9] << 8);
  const sign = se & 0x8000 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0 && mant === 0) return sign * 0;
  if (exp === 0x7fff) return (b[7] & 0x7f) === 0 && mant % 2 ** 56 === 0 ? sign * Infinity : NaN;
  return sign * (mant / 2 ** 63) * 2 ** (exp - 16383);
}

function quote(chars: Uint8Array, stopAtNul: boolean): string {
  let s = '';
  for (const ch of chars) {
    if (ch === 0 && stopAtNul) break;
    s += escapeChar(ch);
  }
  return stopAtNul ? `"${s}"` : `'${s}'`;
}

function escapeChar(c: number): string {
  switch (c) {
    case 0: return '\\0';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x22: return '\\"';
    case 0x27: return "\\'";
    case 0x5c: return '\\\\';
  }
  return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '\\x' + c.toString(16).padStart(2, '0');
}

function readCString(read: MemoryReader, address: number, max: number): string | undefined {
  let s = '';
  for (let i = 0; i < max; i++) {
    const b = read((address + i) >>> 0, 1);
    if (!b || b.length < 1) return i === 0 ? undefined : `"${s}"...`;
    if (b[0] === 0) return `"${s}"`;
    s += escapeChar(b[0]);
  }
  return `"${s}"...`;
}

function summarize(parts: string[], open: string, close: string, opts: FormatOptions): string {
  const max = opts.maxSummary ?? 120;
  let out = open;
  for (let i = 0; i < parts.length; i++) {
    const sep = i === 0 ? '' : ', ';
    if (out.length + sep.length + parts[i].length > max) return out + sep + '...' + close;
    out += sep + parts[i];
  }
  return out + close;
}
