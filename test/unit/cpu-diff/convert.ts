import { DATA_BASE, DATA_SIZE } from './layout';
import { GenCase } from './generators/stream';
import { f80FromHex, f80ToHex } from './generators/f80';
import { OracleRequest, OracleResponse } from './oracle-client';
import type { FlatUserCase, FlatUserResult } from '../../../src/vmm/cpu/testing/contracts';

/** The CPU's instruction budget per case: far above any generated stream, so 'timeout' means a real loop. */
export const MAX_INSTRUCTIONS = 100_000;

/** One side's result, normalised so oracle and CPU compare field by field. */
export interface Outcome {
  status: string;
  vector?: number;
  /** The oracle could report only the Linux signal (QEMU user mode leaves the trap number out). */
  signal?: string;
  siCode?: number;
  errorCode?: number;
  cr2?: number;
  eip: number;
  regs: number[];
  eflags: number;
  data: Uint8Array;
  fpu: { cw: number; sw: number; tw: number; st: Uint8Array[] };
}

export function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] >>> 4).toString(16) + (bytes[i] & 15).toString(16);
  return s;
}

export function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

export function toOracleRequest(c: GenCase, id: number): OracleRequest {
  const req: OracleRequest = { id, code: hex(c.code), regs: c.regs, eflags: c.eflags };
  if (c.mem.length) req.mem = c.mem.map((m) => ({ addr: m.addr, hex: hex(m.bytes) }));
  if (c.readonlyPages.length) req.readonly_pages = c.readonlyPages;
  if (c.unmappedPages.length) req.unmapped_pages = c.unmappedPages;
  if (c.fpu) {
    req.fpu = { cw: c.fpu.cw, st: c.fpu.st.map(f80ToHex) };
    if (c.fpu.sw !== undefined) req.fpu.sw = c.fpu.sw;
    if (c.fpu.tw !== undefined) req.fpu.tw = c.fpu.tw;
  }
  return req;
}

export function toFlatUserCase(c: GenCase): FlatUserCase {
  return {
    code: c.code,
    regs: c.regs.slice(),
    eflags: c.eflags,
    mem: c.mem.map((m) => ({ addr: m.addr, bytes: m.bytes })),
    readonlyPages: c.readonlyPages.slice(),
    unmappedPages: c.unmappedPages.slice(),
    fpu: c.fpu ? { cw: c.fpu.cw, sw: c.fpu.sw, tw: c.fpu.tw, st: c.fpu.st.map((s) => s.slice()) } : undefined,
    maxInstructions: MAX_INSTRUCTIONS,
  };
}

/** The data region as the case starts it: zeros plus the preloaded blocks, in order. */
export function initialData(c: GenCase, into = new Uint8Array(DATA_SIZE)): Uint8Array {
  into.fill(0);
  for (const m of c.mem) into.set(m.bytes, m.addr - DATA_BASE);
  return into;
}

const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

/** The oracle reports changed bytes only: the final image is the initial one with those runs applied. */
export function fromOracle(r: OracleResponse, c: GenCase): Outcome {
  const data = initialData(c);
  for (const m of r.mem ?? []) data.set(fromHex(m.hex), m.addr - DATA_BASE);
  const o: Outcome = {
    status: r.status,
    eip: r.eip_abs >>> 0,
    regs: REG_NAMES.map((n) => r.regs[n] >>> 0),
    eflags: r.eflags >>> 0,
    data,
    fpu: { cw: r.fpu.cw, sw: r.fpu.sw, tw: r.fpu.tw, st: r.fpu.st.map(f80FromHex) },
  };
  if (r.status === 'exception') {
    o.errorCode = r.error_code ?? 0;
    if ((r.vector ?? -1) >>> 0 === 0xffffffff) {
      o.signal = r.signal;
      o.siCode = r.si_code;
    } else {
      o.vector = r.vector;
      if (r.vector === 14) o.cr2 = r.cr2;
    }
  }
  return o;
}

export function fromCpu(r: FlatUserResult): Outcome {
  return {
    status: r.status,
    vector: r.vector,
    errorCode: r.status === 'exception' ? r.errorCode ?? 0 : undefined,
    cr2: r.status === 'exception' && r.vector === 14 ? r.cr2 : undefined,
    eip: r.eip >>> 0,
    regs: r.regs.map((v) => v >>> 0),
    eflags: r.eflags >>> 0,
    data: r.data,
    fpu: { cw: r.fpu.cw, sw: r.fpu.sw, tw: r.fpu.tw, st: r.fpu.st },
  };
}
