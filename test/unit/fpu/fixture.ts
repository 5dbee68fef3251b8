/**
 * Recorded oracle results: cases and the real x87's answers as compact JSON lines, so the comparison also
 * runs where no oracle can (CI runners without IA-32 emulation). `record.ts` writes them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DATA_LEN, firstInsn, FpuCase, FpuResult, from80hex, hex80 } from './harness';
import { findRepoRoot } from './oracle';

export interface Recorded {
  c: FpuCase;
  real: FpuResult;
  /** Where it came from (seed/index or a note). */
  note: string;
}

/** Bytes of the memory operand region worth keeping (the rest of the case's data is zero). */
export function usedBytes(code: number[]): number {
  const { op, modrm, o16 } = firstInsn(code);
  if (modrm >= 0xc0) return 10;
  const reg = modrm >>> 3;
  if (op === 0xdd && (reg === 4 || reg === 6)) return o16 ? 94 : 108;
  if (op === 0xd9 && (reg === 4 || reg === 6)) return o16 ? 14 : 28;
  return 10;
}

function hex(b: ArrayLike<number>): string {
  return Array.from(b, (x) => (x & 0xff).toString(16).padStart(2, '0')).join('');
}

function unhex(h: string, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < h.length / 2; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function encodeState(s: { cw: number; sw: number; tw: number; st: Uint8Array[] }): string {
  return `${s.cw.toString(16)} ${s.sw.toString(16)} ${s.tw.toString(16)} ${s.st.map(hex80).join('')}`;
}

function decodeState(t: string): { cw: number; sw: number; tw: number; st: Uint8Array[] } {
  const [cw, sw, tw, st] = t.split(' ');
  return { cw: parseInt(cw, 16), sw: parseInt(sw, 16), tw: parseInt(tw, 16), st: Array.from({ length: 8 }, (_, i) => from80hex(st.slice(20 * i, 20 * i + 20))) };
}

export function encode(r: Recorded): string {
  const n = Math.max(usedBytes(r.c.code), 10);
  return JSON.stringify({
    note: r.note,
    code: hex(r.c.code),
    in: encodeState(r.c),
    fl: r.c.eflags,
    mem: hex(r.c.data.slice(0, n)),
    status: r.real.status,
    out: encodeState(r.real),
    rfl: r.real.eflags & 0x8d5,
    rmem: hex(r.real.data.slice(0, n)),
  });
}

export function decode(line: string): Recorded {
  const j = JSON.parse(line);
  const code = unhex(j.code, j.code.length / 2);
  const c: FpuCase = { code: Array.from(code), ...decodeState(j.in), eflags: j.fl, data: unhex(j.mem, DATA_LEN) };
  const real: FpuResult = { status: j.status, ...decodeState(j.out), eflags: j.rfl, data: unhex(j.rmem, DATA_LEN) };
  return { c, real, note: j.note };
}

export function fixturePath(): string | null {
  const root = findRepoRoot();
  return root && path.join(root, 'test', 'unit', 'fpu', 'fixtures', 'recorded.jsonl');
}

export function loadFixture(): Recorded[] {
  const p = fixturePath();
  if (!p || !fs.existsSync(p)) return [];
  return fs
    .readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map(decode);
}
