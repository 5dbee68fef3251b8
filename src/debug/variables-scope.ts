import type { VariableInfo } from '../symbols/dwarf-scopes';
import { sizeOf, stripTypedefs, typeName, type DwarfType } from '../symbols/dwarf-types';
import type { SymbolFile } from '../symbols/symbol-file';
import { formatValue, hasChildren, valueChildren } from '../symbols/value-format';
import type { DebugSymbols } from './debug-symbols';
import { encodeValue } from './evaluate';
import type { MemoryCache } from './memory-cache';
import { formatMemoryReference } from './memory-reference';
import type { Frame } from './stack-unwind';
import type { VariableNode } from './variable-tree';

/**
 * The Locals and Globals scopes: DWARF variables read through the symbol layer (locations, types, formatting)
 * with guest memory from the page cache. Children (members, elements, pointer targets) are built only when the
 * user expands a node. Writable values (in memory, or in a register of the innermost frame) get a setter.
 */
export interface ValueEnv {
  mem: MemoryCache;
  symbols?: DebugSymbols;
  /** Parses the text the user typed into a number (a C expression in the frame's scope). */
  parse: (text: string) => Promise<bigint>;
  writeMemory: (address: number, bytes: Uint8Array) => Promise<void>;
  /** Writes a register (DWARF number) of the innermost frame; absent for outer frames. */
  writeRegister?: (dwarfReg: number, value: number) => Promise<void>;
}

/** Elements shown per array node; DAP clients page bigger arrays through the evaluate names. */
const MAX_ELEMENTS = 1000;

function isScalar(t: DwarfType): boolean {
  const s = stripTypedefs(t);
  return s.kind === 'base' || s.kind === 'enum' || s.kind === 'pointer';
}

export function valueNode(
  env: ValueEnv,
  name: string,
  type: DwarfType,
  bytes: Uint8Array | undefined,
  where: { address?: number; reg?: number; error?: string },
  evaluateName: string,
): VariableNode {
  const read = env.mem.read;
  const value = bytes ? formatValue(type, bytes, { readMemory: read, symbolize: (a) => env.symbols?.describeAddress(a) }) : `<${where.error ?? 'unavailable'}>`;
  const node: VariableNode = { name, value, type: typeName(type), evaluateName };
  if (where.address !== undefined) {
    node.memoryReference = formatMemoryReference(where.address);
    node.data = { address: where.address, size: Math.max(1, sizeOf(type)) };
  }
  else if (bytes && stripTypedefs(type).kind === 'pointer') node.memoryReference = formatMemoryReference(Number(scalarBytes(bytes)));
  if (bytes && hasChildren(type, bytes)) {
    node.children = () =>
      env.mem.run(() =>
        valueChildren(type, bytes, where.address, 0, MAX_ELEMENTS).map((c) => {
          const cb = c.bytes ?? (c.address !== undefined ? read(c.address, sizeOf(c.type)) : undefined);
          const childName = c.name === '*' ? `*${name}` : c.name;
          const childEval = c.name === '*' ? `*(${evaluateName})` : c.name.startsWith('[') ? `(${evaluateName})${c.name}` : `(${evaluateName}).${c.name}`;
          // Bit fields come as bytes without an address: they are shown, not written.
          const at = c.bytes && c.address === undefined ? {} : { address: c.address, error: c.address !== undefined ? `cannot read ${hex(c.address)}` : undefined };
          return valueNode(env, childName, c.type, cb, at, childEval);
        }),
      );
  }
  if (isScalar(type) && (where.address !== undefined || (where.reg !== undefined && env.writeRegister))) {
    const size = sizeOf(type);
    node.setter = async (text) => {
      const v = await env.parse(text);
      if (where.address !== undefined) await env.writeMemory(where.address, encodeValue(v, size));
      else await env.writeRegister!(where.reg!, Number(BigInt.asUintN(32, v)));
      env.mem.reset();
      const fresh = await env.mem.run(() => (where.address !== undefined ? read(where.address, size) : encodeValue(v, size)));
      return fresh ? formatValue(type, fresh, { readMemory: read, symbolize: (a) => env.symbols?.describeAddress(a) }) : text;
    };
  }
  return node;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

function scalarBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 4) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

export function variableNode(env: ValueEnv, file: SymbolFile, v: VariableInfo, frame: Frame | undefined): VariableNode {
  const r = file.readVariable(v, { pc: frame?.pc ?? 0, regs: frame?.regs ?? [], readMemory: env.mem.read, caller: frame?.caller });
  const loc = r.location;
  const where = {
    address: loc.kind === 'memory' ? loc.address : undefined,
    reg: loc.kind === 'register' ? loc.reg : undefined,
    error: r.error,
  };
  return valueNode(env, v.name, v.type, r.bytes, where, v.name);
}

/** Parameters and locals in scope at the frame's pc, innermost block first (as the symbol layer orders them). */
export function localsOf(env: ValueEnv, frame: Frame): Promise<VariableNode[]> {
  const file = frame.file;
  const vars = frame.source?.variables ?? [];
  if (!file || !vars.length) return Promise.resolve([]);
  return env.mem.run(() => vars.map((v) => variableNode(env, file, v, frame)));
}

/** Global and static variables of the frame's program (the kernel, or the user program the frame is in). */
export function globalsOf(env: ValueEnv, file: SymbolFile): Promise<VariableNode[]> {
  const vars = [...file.globals()].sort((a, b) => a.name.localeCompare(b.name));
  return env.mem.run(() => vars.map((v) => variableNode(env, file, v, undefined)));
}
