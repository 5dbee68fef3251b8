import type { DebugProtocol } from '@vscode/debugprotocol';
import type { MonitorClient } from '../vmm/monitor/monitor-client';
import type { DebugSymbols } from './debug-symbols';
import { Disassembler } from './disassembler';
import { formatMemoryReference, parseMemoryReference } from './memory-reference';

/**
 * DAP `disassemble`: mode-aware (16/32-bit from the vCPU's CS), with symbols and source lines. Negative
 * instruction offsets need a decode that lands on the reference address; x86 has no fixed length, so we decode
 * forward from further back and keep the sequence that hits it. Memory before the first readable page (or before
 * address 0) and after the last becomes placeholder entries, one byte apart, so the view can still scroll.
 */
interface Ctx {
  monitor: MonitorClient;
  vm: number;
  cpu: number;
  symbols?: DebugSymbols;
}

const MAX_INSN = 15;
let shared: Disassembler | undefined;

/** Reads [lo, hi), starting at the first page at or before `origin` that is readable (the monitor reads prefixes). */
async function readReadable(ctx: Ctx, lo: number, hi: number, origin: number): Promise<{ start: number; bytes: Uint8Array }> {
  for (let s = lo; s <= origin; s = (Math.floor(s / 0x1000) + 1) * 0x1000) {
    const r = await ctx.monitor.call('readMemory', { vm: ctx.vm, cpu: ctx.cpu, address: s, length: hi - s, space: 'linear' });
    const bytes = new Uint8Array(Buffer.from(r.data, 'base64'));
    if (bytes.length > 0) return { start: s, bytes };
  }
  return { start: origin, bytes: new Uint8Array(0) };
}

export async function disassembleRequest(args: DebugProtocol.DisassembleArguments, ctx: Ctx): Promise<DebugProtocol.DisassembledInstruction[]> {
  const ref = parseMemoryReference(args.memoryReference);
  if (!ref) throw new Error(`not a memory reference: ${args.memoryReference}`);
  const state = await ctx.monitor.call('getState', { vm: ctx.vm, cpu: ctx.cpu });
  const bits: 16 | 32 = state.mode === 'protected32' ? 32 : 16;
  const dis = (shared ??= new Disassembler('gnu'));
  const origin = (ref.address + (args.offset ?? 0)) >>> 0;
  const wanted = args.instructionCount;
  const insnOffset = args.instructionOffset ?? 0;
  const before = Math.max(0, -insnOffset);
  const after = Math.max(0, insnOffset) + wanted;
  const lo = Math.max(0, origin - (before * MAX_INSN + 16));
  const hi = Math.min(0x100000000, origin + after * MAX_INSN);
  const { start, bytes } = await readReadable(ctx, lo, hi, origin);

  // Find a starting byte from which the decode stream lands exactly on `origin`.
  const count = before + after + (origin - start);
  let list = start <= origin ? dis.disassemble(bytes.subarray(origin - start), origin, bits, after) : [];
  for (let skip = 0; skip < 16 && start + skip <= origin; skip++) {
    const l = dis.disassemble(bytes.subarray(skip), (start + skip) >>> 0, bits, count);
    if (l.some((i) => i.address === origin)) {
      list = l;
      break;
    }
  }
  const idx = Math.max(0, list.findIndex((i) => i.address === origin));
  const first = list[0]?.address ?? origin;
  const last = list.length ? list[list.length - 1].address + list[list.length - 1].length : origin;
  const out: DebugProtocol.DisassembledInstruction[] = [];
  let lastPath: string | undefined;
  for (let k = idx + insnOffset; out.length < wanted; k++) {
    const i = k >= 0 ? list[k] : undefined;
    if (!i) {
      const address = k < 0 ? first + k : last + (k - list.length);
      out.push({ address: formatMemoryReference(address >>> 0), instruction: '??', presentationHint: 'invalid' });
      continue;
    }
    const d: DebugProtocol.DisassembledInstruction = {
      address: formatMemoryReference(i.address),
      instructionBytes: Buffer.from(i.bytes).toString('hex').replace(/(..)/g, '$1 ').trim(),
      instruction: i.text,
    };
    const fn = ctx.symbols?.functionAt(i.address);
    if (fn && fn.low === i.address) d.symbol = fn.name;
    const loc = ctx.symbols?.locationAt(i.address);
    if (loc) {
      if (loc.path !== lastPath) d.location = { name: loc.path.split('/').pop(), path: loc.path };
      lastPath = loc.path;
      d.line = loc.line;
    }
    out.push(d);
  }
  return out;
}
