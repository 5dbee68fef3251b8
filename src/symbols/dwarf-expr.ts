import { ByteCursor } from './byte-cursor';
import { SymbolFileError, hex } from './errors';

/**
 * A DWARF expression evaluator for IA-32 (32-bit address arithmetic). Register and memory access go through
 * callbacks, so the same code serves variable locations (with a live VM) and CFI rules (with unwound state).
 */

export type RegisterReader = (dwarfReg: number) => number | undefined;
export type MemoryReader = (address: number, size: number) => Uint8Array | undefined;

export interface ExprContext {
  readRegister: RegisterReader;
  readMemory: MemoryReader;
  /** Value of the enclosing function's DW_AT_frame_base, for DW_OP_fbreg. */
  frameBase?: () => number | undefined;
  /** Canonical frame address from CFI, for DW_OP_call_frame_cfa. */
  callFrameCfa?: () => number | undefined;
  /** Turns a link-time address (DW_OP_addr) into a run-time one: adds the symbol file's load offset. */
  relocate?: (linkAddress: number) => number;
  /** Resolves DW_OP_addrx/constx through .debug_addr (already relocated by the caller if needed). */
  addrx?: (index: number) => number;
  /** Values pushed before evaluation starts (CFI expressions start with the CFA on the stack). */
  initialStack?: number[];
}

export type Location =
  | { kind: 'memory'; address: number }
  | { kind: 'register'; reg: number }
  /** The value itself (DW_OP_stack_value): the variable lives nowhere. */
  | { kind: 'value'; value: number }
  | { kind: 'implicit'; bytes: Uint8Array }
  | { kind: 'pieces'; pieces: Piece[] }
  /** Optimized out, or needs something we cannot know (entry values, TLS). */
  | { kind: 'unavailable'; reason: string };

export interface Piece {
  /** Size in bits. */
  bits: number;
  bitOffset: number;
  location: Location;
}

export const MAX_EXPR_STEPS = 10_000;

class Unavailable extends Error {}

const u32 = (v: number): number => v >>> 0;
const s32 = (v: number): number => v | 0;

export function evaluateLocation(expr: Uint8Array, ctx: ExprContext): Location {
  if (expr.length === 0) return { kind: 'unavailable', reason: 'optimized out' };
  try {
    return run(expr, ctx);
  } catch (e) {
    if (e instanceof Unavailable) return { kind: 'unavailable', reason: e.message };
    if (e instanceof SymbolFileError) return { kind: 'unavailable', reason: `bad location expression: ${e.message}` };
    throw e;
  }
}

/** Evaluates to a number (CFI rules, frame bases). Throws SymbolFileError if the result is not a plain value. */
export function evaluateValue(expr: Uint8Array, ctx: ExprContext): number {
  const loc = evaluateLocation(expr, ctx);
  if (loc.kind === 'memory') return loc.address;
  if (loc.kind === 'value') return loc.value;
  if (loc.kind === 'register') {
    const v = ctx.readRegister(loc.reg);
    if (v !== undefined) return v;
  }
  throw new SymbolFileError(`expression did not yield a value (${loc.kind === 'unavailable' ? loc.reason : loc.kind})`);
}

function readU(ctx: ExprContext, addr: number, size: number): number {
  const b = ctx.readMemory(u32(addr), size);
  if (!b || b.length < size) throw new Unavailable(`memory at ${hex(u32(addr))} is not readable`);
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[i];
  return u32(v);
}

function reg(ctx: ExprContext, r: number): number {
  const v = ctx.readRegister(r);
  if (v === undefined) throw new Unavailable(`register ${r} is not available`);
  return v;
}

function run(expr: Uint8Array, ctx: ExprContext): Location {
  const c = new ByteCursor(expr, 0, expr.length, 'DWARF expression');
  const stack: number[] = [...(ctx.initialStack ?? [])];
  const pieces: Piece[] = [];
  let pending: Location | undefined; // register/implicit location waiting for a piece or the end
  let stackValue = false;
  const pop = (): number => {
    if (stack.length === 0) throw new SymbolFileError(`DWARF expression stack underflow at byte ${c.pos - 1}`);
    return stack.pop()!;
  };
  const top = (): number => {
    if (stack.length === 0) throw new SymbolFileError(`DWARF expression stack underflow at byte ${c.pos - 1}`);
    return stack[stack.length - 1];
  };
  const current = (): Location | undefined => {
    if (pending) return pending;
    if (stack.length === 0) return undefined;
    return stackValue ? { kind: 'value', value: top() } : { kind: 'memory', address: u32(top()) };
  };
  for (let steps = 0; !c.atEnd; steps++) {
    if (steps > MAX_EXPR_STEPS) throw new SymbolFileError(`DWARF expression ran more than ${MAX_EXPR_STEPS} steps`);
    const op = c.u8();
    if (op >= 0x30 && op <= 0x4f) { stack.push(op - 0x30); continue; } // lit0..31
    if (op >= 0x50 && op <= 0x6f) { pending = { kind: 'register', reg: op - 0x50 }; continue; } // reg0..31
    if (op >= 0x70 && op <= 0x8f) { stack.push(u32(reg(ctx, op - 0x70) + c.sleb())); continue; } // breg0..31
    switch (op) {
      case 0x03: { const a = c.u32(); stack.push(ctx.relocate ? u32(ctx.relocate(a)) : a); break; } // addr
      case 0x06: stack.push(readU(ctx, pop(), 4)); break; // deref
      case 0x08: stack.push(c.u8()); break;
      case 0x09: stack.push(c.s8()); break;
      case 0x0a: stack.push(c.u16()); break;
      case 0x0b: stack.push(c.s16()); break;
      case 0x0c: stack.push(c.u32()); break;
      case 0x0d: stack.push(c.s32()); break;
      case 0x0e: stack.push(c.u64()); break;
      case 0x0f: stack.push(c.s64()); break;
      case 0x10: stack.push(c.uleb()); break; // constu
      case 0x11: stack.push(c.sleb()); break; // consts
      case 0x12: stack.push(top()); break; // dup
      case 0x13: pop(); break; // drop
      case 0x14: { if (stack.length < 2) throw new SymbolFileError('DW_OP_over with fewer than two values'); stack.push(stack[stack.length - 2]); break; }
      case 0x15: { const i = c.u8(); if (i >= stack.length) throw new SymbolFileError('DW_OP_pick beyond the stack'); stack.push(stack[stack.length - 1 - i]); break; }
      case 0x16: { const a = pop(); const b = pop(); stack.push(a, b); break; } // swap
      case 0x17: { const a = pop(); const b = pop(); const d = pop(); stack.push(a, d, b); break; } // rot
      case 0x19: stack.push(Math.abs(s32(pop()))); break;
      case 0x1a: { const b = pop(); stack.push(u32(pop() & b)); break; }
      case 0x1b: { const b = s32(pop()); const a = s32(pop()); if (b === 0) throw new Unavailable('division by zero'); stack.push(Math.trunc(a / b)); break; }
      case 0x1c: { const b = pop(); stack.push(u32(pop() - b)); break; } // minus
      case 0x1d: { const b = u32(pop()); const a = u32(pop()); if (b === 0) throw new Unavailable('division by zero'); stack.push(a % b); break; }
      case 0x1e: { const b = pop(); stack.push(u32(Math.imul(pop(), b))); break; }
      case 0x1f: stack.push(u32(-pop())); break; // neg
      case 0x20: stack.push(u32(~pop())); break; // not
      case 0x21: { const b = pop(); stack.push(u32(pop() | b)); break; }
      case 0x22: { const b = pop(); stack.push(u32(pop() + b)); break; } // plus
      case 0x23: stack.push(u32(pop() + c.uleb())); break; // plus_uconst
      case 0x24: { const b = pop(); const a = pop(); stack.push(b >= 32 ? 0 : u32(a << b)); break; }
      case 0x25: { const b = pop(); const a = pop(); stack.push(b >= 32 ? 0 : u32(a) >>> b); break; }
      case 0x26: { const b = pop(); const a = pop(); stack.push(u32(s32(a) >> Math.min(b, 31))); break; }
      case 0x27: { const b = pop(); stack.push(u32(pop() ^ b)); break; }
      case 0x28: { const off = c.s16(); if (pop() !== 0) c.seek(c.pos + off); break; } // bra
      case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {
        const b = s32(pop()); const a = s32(pop());
        const r = [a === b, a >= b, a > b, a <= b, a < b, a !== b][op - 0x29];
        stack.push(r ? 1 : 0);
        break;
      }
      case 0x2f: { const off = c.s16(); c.seek(c.pos + off); break; } // skip
      case 0x90: pending = { kind: 'register', reg: c.uleb() }; break; // regx
      case 0x91: { // fbreg
        const off = c.sleb();
        const fb = ctx.frameBase?.();
        if (fb === undefined) throw new Unavailable('frame base is not known');
        stack.push(u32(fb + off));
        break;
      }
      case 0x92: { const r = c.uleb(); stack.push(u32(reg(ctx, r) + c.sleb())); break; } // bregx
      case 0x93: case 0x9d: { // piece, bit_piece
        const bits = op === 0x93 ? c.uleb() * 8 : c.uleb();
        const bitOffset = op === 0x9d ? c.uleb() : 0;
        const loc = current() ?? { kind: 'unavailable', reason: 'optimized out' };
        pieces.push({ bits, bitOffset, location: loc });
        pending = undefined;
        stackValue = false;
        stack.length = 0;
        break;
      }
      case 0x94: { const size = c.u8(); if (size < 1 || size > 4) throw new SymbolFileError(`DW_OP_deref_size ${size}`); stack.push(readU(ctx, pop(), size)); break; }
      case 0x96: break; // nop
      case 0x9c: { // call_frame_cfa
        const cfa = ctx.callFrameCfa?.();
        if (cfa === undefined) throw new Unavailable('canonical frame address is not known');
        stack.push(cfa);
        break;
      }
      case 0x9e: pending = { kind: 'implicit', bytes: c.take(c.uleb()) }; break; // implicit_value
      case 0x9f: stackValue = true; break; // stack_value
      case 0xa1: case 0xa2: { // addrx, constx
        const idx = c.uleb();
        if (!ctx.addrx) throw new Unavailable('no .debug_addr');
        stack.push(u32(ctx.addrx(idx)));
        break;
      }
      case 0xa0: case 0xf2: // implicit_pointer
        throw new Unavailable('implicit pointer (the pointed-to object was optimized out)');
      case 0xa3: case 0xf3: // entry_value
        throw new Unavailable('optimized out (value at function entry)');
      case 0x9b: case 0xe0: throw new Unavailable('thread-local storage is not supported');
      case 0x97: throw new Unavailable('DW_OP_push_object_address is not supported');
      case 0x98: case 0x99: case 0x9a: throw new Unavailable('DW_OP_call* is not supported');
      case 0xfa: throw new Unavailable('optimized out (parameter of the caller)');
      default:
        throw new SymbolFileError(`unsupported DWARF expression operation ${hex(op)}`);
    }
  }
  if (pieces.length > 0) {
    const tail = current();
    if (tail) pieces.push({ bits: 0, bitOffset: 0, location: tail });
    return { kind: 'pieces', pieces: pieces.filter((p) => p.bits > 0) };
  }
  const loc = current();
  if (!loc) throw new Unavailable('optimized out');
  return loc;
}
