import type { MonitorClient } from '../vmm/monitor/monitor-client';
import type { CpuState } from '../vmm/monitor/protocol';
import type { DebugSymbols } from './debug-symbols';
import { formatMemoryReference } from './memory-reference';

/**
 * Expressions in the Debug Console, watch and hover, and breakpoint conditions: registers ($eax, $cr3, $cs.base),
 * symbols, numbers, `*addr` (a 32-bit load), `*(char*)addr`-style sized loads, C operators. Words that name a
 * monitor command (`help`, `info tlb`, `walk 0xc0000000`...) go to the monitor when typed in the console.
 */
export interface EvalContext {
  monitor: MonitorClient;
  vm: number;
  cpu: number;
  symbols?: DebugSymbols;
  repl?: boolean;
}

export const MONITOR_COMMANDS = ['help', 'info', 'walk', 'gdt', 'idt', 'tss', 'exits', 'x', 'stats'];

const SIZES: Record<string, number> = { char: 1, 'unsigned char': 1, uint8_t: 1, short: 2, uint16_t: 2, 'unsigned short': 2, int: 4, 'unsigned int': 4, uint32_t: 4, long: 4, 'unsigned long': 4 };

type Token = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'cast'; size: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\s+/.exec(rest))) { i += m[0].length; continue; }
    if ((m = /^\(\s*((?:unsigned\s+)?(?:char|short|int|long)|u?int(?:8|16|32)_t)\s*\*?\s*\)/.exec(rest))) {
      out.push({ t: 'cast', size: SIZES[m[1].replace(/\s+/g, ' ')] ?? 4 });
      i += m[0].length;
      continue;
    }
    if ((m = /^(0x[0-9a-f]+|\d+)/i.exec(rest))) { out.push({ t: 'num', v: Number(m[1]) }); i += m[0].length; continue; }
    if ((m = /^\$?[A-Za-z_][A-Za-z0-9_.]*/.exec(rest))) { out.push({ t: 'id', v: m[0] }); i += m[0].length; continue; }
    if ((m = /^(<<|>>|==|!=|<=|>=|&&|\|\||[-+*/%&|^~!<>()])/.exec(rest))) { out.push({ t: 'op', v: m[1] }); i += m[0].length; continue; }
    throw new Error(`cannot parse "${rest}"`);
  }
  return out;
}

const BINARY: [string[], (a: number, b: number) => number][] = [
  [['||'], (a, b) => (a || b ? 1 : 0)],
  [['&&'], (a, b) => (a && b ? 1 : 0)],
  [['|'], (a, b) => a | b],
  [['^'], (a, b) => a ^ b],
  [['&'], (a, b) => a & b],
  [['==', '!='], () => 0],
  [['<', '>', '<=', '>='], () => 0],
  [['<<', '>>'], () => 0],
  [['+', '-'], () => 0],
  [['*', '/', '%'], () => 0],
];

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '||': return a || b ? 1 : 0;
    case '&&': return a && b ? 1 : 0;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '==': return a >>> 0 === b >>> 0 ? 1 : 0;
    case '!=': return a >>> 0 !== b >>> 0 ? 1 : 0;
    case '<': return a >>> 0 < b >>> 0 ? 1 : 0;
    case '>': return a >>> 0 > b >>> 0 ? 1 : 0;
    case '<=': return a >>> 0 <= b >>> 0 ? 1 : 0;
    case '>=': return a >>> 0 >= b >>> 0 ? 1 : 0;
    case '<<': return a << b;
    case '>>': return a >>> b;
    case '+': return (a + b) | 0;
    case '-': return (a - b) | 0;
    case '*': return Math.imul(a, b);
    case '/': if (b === 0) throw new Error('division by zero'); return Math.trunc((a >>> 0) / (b >>> 0)) | 0;
    case '%': if (b === 0) throw new Error('division by zero'); return (a >>> 0) % (b >>> 0) | 0;
  }
  throw new Error(`unknown operator ${op}`);
}

export function registerValue(s: CpuState, name: string): number | undefined {
  const n = name.replace(/^\$/, '').toLowerCase();
  if (n in s.gpr) return s.gpr[n as keyof CpuState['gpr']];
  if (n === 'eip' || n === 'pc') return s.eip;
  if (n === 'eflags') return s.eflags;
  if (n in s.cr) return s.cr[n as keyof CpuState['cr']];
  const dr = /^dr([0-7])$/.exec(n);
  if (dr) return s.dr[Number(dr[1])];
  const seg = /^(cs|ds|es|fs|gs|ss)(?:\.(base|limit|selector))?$/.exec(n);
  if (seg) return s.seg[seg[1] as keyof CpuState['seg']][(seg[2] ?? 'selector') as 'base' | 'limit' | 'selector'];
  const r16 = /^(ax|bx|cx|dx|si|di|bp|sp)$/.exec(n);
  if (r16) return s.gpr[('e' + n) as keyof CpuState['gpr']] & 0xffff;
  const r8 = /^([abcd])([lh])$/.exec(n);
  if (r8) {
    const full = s.gpr[`e${r8[1]}x` as keyof CpuState['gpr']];
    return r8[2] === 'l' ? full & 0xff : (full >>> 8) & 0xff;
  }
  if (n === 'cpl') return s.cpl;
  return undefined;
}

export async function evaluateExpression(expr: string, ctx: EvalContext): Promise<{ value: number; text: string; memoryReference?: string }> {
  const first = expr.trim().split(/\s+/)[0];
  if (ctx.repl && MONITOR_COMMANDS.includes(first)) {
    const text = await ctx.monitor.call('command', { vm: ctx.vm, cpu: ctx.cpu, text: expr.trim() });
    return { value: 0, text };
  }
  const state = await ctx.monitor.call('getState', { vm: ctx.vm, cpu: ctx.cpu });
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = () => tokens[pos];
  const load = async (addr: number, size: number): Promise<number> => {
    const r = await ctx.monitor.call('readMemory', { vm: ctx.vm, cpu: ctx.cpu, address: addr >>> 0, length: size, space: 'virtual' });
    const b = Buffer.from(r.data, 'base64');
    if (b.length < size) throw new Error(`cannot read ${size} bytes at 0x${(addr >>> 0).toString(16)}: not mapped`);
    return size === 1 ? b[0] : size === 2 ? b.readUInt16LE(0) : b.readInt32LE(0);
  };
  const unary = async (): Promise<number> => {
    const t = peek();
    if (!t) throw new Error('incomplete expression');
    pos++;
    if (t.t === 'num') return t.v | 0;
    if (t.t === 'cast') {
      if (peek()?.t === 'op' && (peek() as { v: string }).v === '*') {
        // (char*)x without a leading '*' is just x; '*(char*)x' is handled below.
      }
      return unary();
    }
    if (t.t === 'id') {
      const r = registerValue(state, t.v);
      if (r !== undefined) return r | 0;
      const sym = ctx.symbols?.symbolAddress(t.v);
      if (sym !== undefined) return sym | 0;
      throw new Error(`no register or symbol named ${t.v}`);
    }
    switch (t.v) {
      case '(': {
        const v = await binary(0);
        if (peek()?.t !== 'op' || (peek() as { v: string }).v !== ')') throw new Error('missing )');
        pos++;
        return v;
      }
      case '-': return -(await unary()) | 0;
      case '~': return ~(await unary());
      case '!': return (await unary()) ? 0 : 1;
      case '*': {
        const next = peek();
        let size = 4;
        if (next?.t === 'cast') {
          size = next.size;
          pos++;
        }
        return load(await unary(), size);
      }
    }
    throw new Error(`unexpected ${t.v}`);
  };
  const binary = async (level: number): Promise<number> => {
    if (level >= BINARY.length) return unary();
    let left = await binary(level + 1);
    for (;;) {
      const t = peek();
      if (!t || t.t !== 'op' || !BINARY[level][0].includes(t.v)) return left;
      pos++;
      left = apply(t.v, left, await binary(level + 1));
    }
  };
  const value = await binary(0);
  if (pos < tokens.length) throw new Error(`unexpected input after the expression`);
  const u = value >>> 0;
  return { value, text: `0x${u.toString(16)} (${value})`, memoryReference: formatMemoryReference(u) };
}
