import type { DebugProtocol } from '@vscode/debugprotocol';
import type { MonitorClient } from '../vmm/monitor/monitor-client';
import type { DebugSymbols } from './debug-symbols';
import { Disassembler } from './disassembler';
import { formatMemoryReference, parseMemoryReference } from './memory-reference';

/**
 * DAP `disassemble`: mode-aware (16/32-bit from the vCPU's CS), with symbols and source lines. Negative
 * instruction offsets need a decode that lands on the reference address; x86 has no fixed length, so we decode
 * forward from further back and keep the sequence that hits it.
 */
interface Ctx {
  monitor: MonitorClient;
  vm: number;
  cpu: number;
  symbols?: DebugSymbols;
}

const MAX_INSN = 15;
let shared: Disassembler | undefined;

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
  const backBytes = before * MAX_INSN + 16;
  const start = Math.max(0, origin - backBytes) >>> 0;
  const span = (origin - start) + (Math.max(0, insnOffset) + wanted) * MAX_INSN;
  const r = await ctx.monitor.call('readMemory', { vm: ctx.vm, cpu: ctx.cpu, address: start, length: span, space: 'linear' });
  const bytes = new Uint8Array(Buffer.from(r.data, 'base64'));

  // Find a starting byte from which the decode stream lands exactly on `origin`.
  let list = dis.disassemble(bytes, start, bits, before + Math.max(0, insnOffset) + wanted + backBytes);
  for (let skip = 0; skip < 16; skip++) {
    const l = dis.disassemble(bytes.subarray(skip), (start + skip) >>> 0, bits, before + Math.max(0, insnOffset) + wanted + backBytes);
    if (l.some((i) => i.address === origin)) {
      list = l;
      break;
    }
  }
  let idx = list.findIndex((i) => i.address === origin);
  if (idx < 0) idx = 0;
  const out: DebugProtocol.DisassembledInstruction[] = [];
  let lastPath: string | undefined;
  for (let k = idx + insnOffset; out.length < wanted; k++) {
    const i = k >= 0 ? list[k] : undefined;
    if (!i) {
      out.push({ address: formatMemoryReference(k < 0 ? origin : origin + out.length), instruction: '??', presentationHint: 'invalid' });
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
