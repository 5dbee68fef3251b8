import { sizeOf, stripTypedefs, typeName, type DwarfType } from '../symbols/dwarf-types';
import { formatValue, readInt, valueChildren } from '../symbols/value-format';
import type { MonitorClient } from '../vmm/monitor/monitor-client';
import type { CpuState } from '../vmm/monitor/protocol';
import { parseExpression, type Expr } from './c-expression';
import type { DebugSymbols } from './debug-symbols';
import type { SyncReader } from './interrupt-frames';
import type { MemoryCache } from './memory-cache';
import { formatMemoryReference } from './memory-reference';
import type { Frame } from './stack-unwind';
import { TypeNames } from './type-names';

/**
 * Expressions in the Debug Console, Watch view, hovers and breakpoint conditions, over DWARF types: variables
 * of the selected frame, globals, registers ($eax, $cr3, $cs.base), members, indexing, dereference, address-of,
 * casts to DWARF types, C arithmetic (pointer arithmetic scaled). Values without a type (registers, numbers,
 * ELF symbols) are 32-bit integers, and `*x` of one loads 32 bits, as kernel developers expect from gdb's `x`.
 * Words that name a monitor command (`help`, `info tlb`, `walk 0xc0000000`...) go to the monitor in the console.
 */
export interface Value {
  /** Undefined: a plain 32-bit integer. */
  type?: DwarfType;
  /** Scalar value (integers, pointers, enums); for aggregates the address, if any. */
  value: bigint;
  bytes?: Uint8Array;
  /** Where the value lives in guest memory: it is an lvalue. */
  address?: number;
}

export interface EvalScope {
  state: CpuState;
  read: SyncReader;
  symbols?: DebugSymbols;
  /** The selected stack frame: its variables are in scope. */
  frame?: Frame;
  types: TypeNames;
}

export const MONITOR_COMMANDS = ['help', 'info', 'walk', 'gdt', 'idt', 'tss', 'exits', 'x', 'stats'];

const INT: DwarfType = { kind: 'base', name: 'int', size: 4, encoding: 'signed' };

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

function isSignedType(t: DwarfType | undefined): boolean {
  if (!t) return true;
  const s = stripTypedefs(t);
  if (s.kind === 'base') return s.encoding === 'signed' || s.encoding === 'signed_char';
  if (s.kind === 'enum') return s.signed;
  return false;
}

const isPointer = (t?: DwarfType): boolean => !!t && stripTypedefs(t).kind === 'pointer';
const isArray = (t?: DwarfType): boolean => !!t && stripTypedefs(t).kind === 'array';

function scalarOf(t: DwarfType, bytes: Uint8Array): bigint {
  const s = stripTypedefs(t);
  if (s.kind === 'base' && s.encoding === 'float') {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const f = s.size === 4 ? dv.getFloat32(0, true) : s.size === 8 ? dv.getFloat64(0, true) : 0;
    return BigInt(Math.trunc(f));
  }
  if (s.kind === 'base' || s.kind === 'enum' || s.kind === 'pointer') return readInt(bytes, s.size, isSignedType(s));
  return 0n;
}

/** A typed value read from memory (or unavailable there: an error). */
function load(scope: EvalScope, type: DwarfType, address: number): Value {
  const size = sizeOf(type);
  const bytes = scope.read(address >>> 0, size);
  if (!bytes) throw new Error(`cannot read ${size} bytes at ${hex(address)}: not mapped`);
  const s = stripTypedefs(type);
  const value = s.kind === 'array' || s.kind === 'struct' || s.kind === 'union' || s.kind === 'class' ? BigInt(address >>> 0) : scalarOf(type, bytes);
  return { type, value, bytes, address: address >>> 0 };
}

const hex = (v: number | bigint): string => '0x' + BigInt.asUintN(32, BigInt(v)).toString(16);

export function variableValue(scope: EvalScope, name: string): Value | undefined {
  const frame = scope.frame;
  const lookups: { file: NonNullable<Frame['file']>; v: NonNullable<Frame['source']>['variables'][number]; global: boolean }[] = [];
  const local = frame?.source?.variables.find((v) => v.name === name);
  if (local && frame?.file) lookups.push({ file: frame.file, v: local, global: false });
  else {
    // The frame's own file first: two programs may both have a global of that name.
    const files = [...(frame?.file ? [frame.file] : []), ...(scope.symbols?.table.all() ?? []).filter((f) => f !== frame?.file)];
    for (const file of files) {
      const g = file.globals().find((x) => x.name === name);
      if (g) {
        lookups.push({ file, v: g, global: true });
        break;
      }
    }
  }
  const hit = lookups[0];
  if (!hit) return undefined;
  scope.types.add(hit.v.type);
  const pc = frame?.pc ?? 0;
  const r = hit.file.readVariable(hit.v, { pc, regs: frame?.regs ?? [], readMemory: scope.read, caller: frame?.caller });
  if (!r.bytes) throw new Error(`${name}: ${r.error ?? 'unavailable'}`);
  const address = r.location.kind === 'memory' ? r.location.address : undefined;
  const s = stripTypedefs(hit.v.type);
  const aggregate = s.kind === 'array' || s.kind === 'struct' || s.kind === 'union' || s.kind === 'class';
  return { type: hit.v.type, bytes: r.bytes, address, value: aggregate ? BigInt(address ?? 0) : scalarOf(hit.v.type, r.bytes) };
}

function truthy(v: Value): boolean {
  return v.value !== 0n;
}

function int(v: bigint, type?: DwarfType): Value {
  return { type, value: BigInt.asIntN(64, v) };
}

/** Converts to what C's usual conversions would leave for arithmetic: arrays decay to pointers. */
function rvalue(v: Value): Value {
  if (v.type && isArray(v.type)) {
    const a = stripTypedefs(v.type) as Extract<DwarfType, { kind: 'array' }>;
    return { type: { kind: 'pointer', size: 4, target: a.element }, value: BigInt(v.address ?? 0) };
  }
  return v;
}

function deref(scope: EvalScope, v: Value): Value {
  const r = rvalue(v);
  if (!r.type) {
    // A plain number dereferenced is a 32-bit word, shown as a number like the address it came from.
    const w = load(scope, INT, Number(BigInt.asUintN(32, r.value)));
    return { value: w.value, address: w.address };
  }
  const p = stripTypedefs(r.type);
  if (p.kind !== 'pointer') throw new Error(`cannot dereference a value of type ${typeName(r.type)}`);
  const target = stripTypedefs(p.target);
  if (target.kind === 'void') throw new Error('cannot dereference a void pointer');
  if (target.kind === 'function') return { type: p.target, value: r.value };
  return load(scope, p.target, Number(BigInt.asUintN(32, r.value)));
}

function member(scope: EvalScope, v: Value, name: string): Value {
  if (!v.type) throw new Error(`${name}: not a struct`);
  const s = stripTypedefs(v.type);
  if (s.kind !== 'struct' && s.kind !== 'union' && s.kind !== 'class') throw new Error(`${name}: ${typeName(v.type)} is not a struct or union`);
  const child = valueChildren(s, v.bytes ?? new Uint8Array(s.size), v.address).find((c) => c.name === name);
  if (!child) throw new Error(`${typeName(v.type)} has no member ${name}`);
  if (!child.bytes) return load(scope, child.type, child.address!);
  const cs = stripTypedefs(child.type);
  const aggregate = cs.kind === 'array' || cs.kind === 'struct' || cs.kind === 'union' || cs.kind === 'class';
  return { type: child.type, bytes: child.bytes, address: child.address, value: aggregate ? BigInt(child.address ?? 0) : scalarOf(child.type, child.bytes) };
}

function arithmetic(op: string, a: Value, b: Value): Value {
  const l = rvalue(a);
  const r = rvalue(b);
  if ((op === '+' || op === '-') && isPointer(l.type) && !isPointer(r.type)) {
    const size = BigInt(Math.max(1, sizeOf((stripTypedefs(l.type!) as { target: DwarfType }).target)));
    return { type: l.type, value: BigInt.asUintN(32, op === '+' ? l.value + r.value * size : l.value - r.value * size) };
  }
  if (op === '+' && isPointer(r.type) && !isPointer(l.type)) return arithmetic('+', r, l);
  if (op === '-' && isPointer(l.type) && isPointer(r.type)) {
    const size = BigInt(Math.max(1, sizeOf((stripTypedefs(l.type!) as { target: DwarfType }).target)));
    return int((l.value - r.value) / size);
  }
  // Untyped operands are 32-bit, as registers are: keep the legacy wrap-around and unsigned comparisons.
  const untyped = !l.type && !r.type;
  const unsigned = untyped || !isSignedType(l.type) || !isSignedType(r.type);
  const x = untyped ? BigInt.asUintN(32, l.value) : unsigned ? BigInt.asUintN(64, l.value) : l.value;
  const y = untyped ? BigInt.asUintN(32, r.value) : unsigned ? BigInt.asUintN(64, r.value) : r.value;
  const wrap = (v: bigint): Value => (untyped ? { value: BigInt.asIntN(32, v) } : int(v));
  switch (op) {
    case '+': return wrap(x + y);
    case '-': return wrap(x - y);
    case '*': return wrap(x * y);
    case '/': if (y === 0n) throw new Error('division by zero'); return wrap(x / y);
    case '%': if (y === 0n) throw new Error('division by zero'); return wrap(x % y);
    case '<<': return wrap(x << (y & 63n));
    case '>>': return wrap(x >> (y & 63n));
    case '&': return wrap(x & y);
    case '|': return wrap(x | y);
    case '^': return wrap(x ^ y);
    case '==': return int(x === y ? 1n : 0n);
    case '!=': return int(x !== y ? 1n : 0n);
    case '<': return int(x < y ? 1n : 0n);
    case '>': return int(x > y ? 1n : 0n);
    case '<=': return int(x <= y ? 1n : 0n);
    case '>=': return int(x >= y ? 1n : 0n);
  }
  throw new Error(`unknown operator ${op}`);
}

function cast(type: DwarfType, v: Value): Value {
  const r = rvalue(v);
  const s = stripTypedefs(type);
  if (s.kind === 'struct' || s.kind === 'union' || s.kind === 'array') throw new Error(`cannot cast to ${typeName(type)}`);
  if (s.kind === 'void') return { type, value: 0n };
  const bits = s.size * 8 || 32;
  return { type, value: isSignedType(type) ? BigInt.asIntN(bits, r.value) : BigInt.asUintN(bits, r.value) };
}

export function evaluateTree(e: Expr, scope: EvalScope): Value {
  switch (e.k) {
    case 'num':
      return { value: e.v };
    case 'id': {
      if (!e.name.startsWith('$')) {
        const v = variableValue(scope, e.name);
        if (v) return v;
      }
      const reg = registerValue(scope.state, e.name);
      if (reg !== undefined) return { value: BigInt(reg >>> 0) };
      const sym = scope.symbols?.symbolAddress(e.name.replace(/^\$/, ''));
      if (sym !== undefined) return { value: BigInt(sym) };
      throw new Error(`no variable, register or symbol named ${e.name}`);
    }
    case 'unary': {
      if (e.op === '&') {
        const v = evaluateTree(e.e, scope);
        if (v.address === undefined) throw new Error('cannot take the address of a value that is not in memory');
        return { type: { kind: 'pointer', size: 4, target: v.type ?? INT }, value: BigInt(v.address) };
      }
      if (e.op === '*') return deref(scope, evaluateTree(e.e, scope));
      const v = rvalue(evaluateTree(e.e, scope));
      if (e.op === '-') return v.type ? int(-v.value, v.type) : { value: BigInt.asIntN(32, -v.value) };
      if (e.op === '~') return v.type ? int(~v.value, v.type) : { value: BigInt.asIntN(32, ~v.value) };
      if (e.op === '!') return int(truthy(v) ? 0n : 1n);
      return v;
    }
    case 'binary': {
      if (e.op === '&&') return int(truthy(evaluateTree(e.l, scope)) && truthy(evaluateTree(e.r, scope)) ? 1n : 0n);
      if (e.op === '||') return int(truthy(evaluateTree(e.l, scope)) || truthy(evaluateTree(e.r, scope)) ? 1n : 0n);
      return arithmetic(e.op, evaluateTree(e.l, scope), evaluateTree(e.r, scope));
    }
    case 'member': {
      const base = evaluateTree(e.e, scope);
      return member(scope, e.arrow ? deref(scope, base) : base, e.name);
    }
    case 'index': {
      const base = rvalue(evaluateTree(e.e, scope));
      const i = rvalue(evaluateTree(e.i, scope));
      if (!base.type) return deref(scope, { value: base.value + i.value * 4n });
      return deref(scope, arithmetic('+', base, i));
    }
    case 'cast': {
      const type = scope.types.resolve(e.type);
      return cast(type, evaluateTree(e.e, scope));
    }
    case 'cond':
      return truthy(evaluateTree(e.c, scope)) ? evaluateTree(e.t, scope) : evaluateTree(e.f, scope);
    case 'sizeof': {
      if (e.type) return int(BigInt(sizeOf(scope.types.resolve(e.type))));
      const v = evaluateTree(e.e!, scope);
      return int(BigInt(v.type ? sizeOf(v.type) : 4));
    }
  }
}

export function evaluateSync(expr: string, scope: EvalScope): Value {
  return evaluateTree(parseExpression(expr, (n) => scope.types.has(n) && !scope.frame?.source?.variables.some((v) => v.name === n)), scope);
}

/** The text shown for a value: C formatting for typed values, "0x2badb002 (732803074)" for plain integers. */
export function formatResult(v: Value, scope: Pick<EvalScope, 'read' | 'symbols'>): string {
  if (!v.type) {
    const n = BigInt.asIntN(32, v.value);
    return `${hex(n)} (${n})`;
  }
  const bytes = v.bytes ?? encodeValue(v.value, Math.max(sizeOf(v.type), 1));
  return formatValue(v.type, bytes, { readMemory: scope.read, symbolize: (a) => scope.symbols?.describeAddress(a) });
}

export function encodeValue(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let u = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

export interface EvalContext {
  monitor: MonitorClient;
  vm: number;
  cpu: number;
  symbols?: DebugSymbols;
  mem: MemoryCache;
  frame?: Frame;
  types?: TypeNames;
  repl?: boolean;
}

export interface EvalResult {
  value: number;
  text: string;
  memoryReference?: string;
  typed: Value;
}

export async function evaluateExpression(expr: string, ctx: EvalContext): Promise<EvalResult> {
  const first = expr.trim().split(/\s+/)[0];
  if (ctx.repl && MONITOR_COMMANDS.includes(first)) {
    const text = await ctx.monitor.call('command', { vm: ctx.vm, cpu: ctx.cpu, text: expr.trim() });
    return { value: 0, text, typed: { value: 0n } };
  }
  const state = await ctx.monitor.call('getState', { vm: ctx.vm, cpu: ctx.cpu });
  const types = ctx.types ?? new TypeNames();
  if (ctx.frame?.file) types.addFile(ctx.frame.file);
  for (const v of ctx.frame?.source?.variables ?? []) types.add(v.type);
  const scope: EvalScope = { state, read: ctx.mem.read, symbols: ctx.symbols, frame: ctx.frame, types };
  const { typed, text } = await ctx.mem.run(() => {
    const t = evaluateSync(expr, scope);
    return { typed: t, text: formatResult(t, scope) };
  });
  const ref = typed.address ?? (typed.type ? (isPointer(typed.type) ? Number(BigInt.asUintN(32, typed.value)) : undefined) : Number(BigInt.asUintN(32, typed.value)));
  return { value: Number(BigInt.asIntN(32, typed.value)), text, memoryReference: ref === undefined ? undefined : formatMemoryReference(ref), typed };
}
