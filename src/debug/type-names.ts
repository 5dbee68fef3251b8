import type { DwarfType } from '../symbols/dwarf-types';
import type { SymbolFile } from '../symbols/symbol-file';
import type { TypeSpec } from './c-expression';

/**
 * C type names for casts (`(struct proc *)p`, `(uint32_t)x`): found by walking the DWARF types the symbol layer
 * hands out (globals' and the current frame's variables, their members, targets and elements), since the layer
 * has no lookup by name. Common C spellings fall back to built-in base types.
 */
const BUILTIN: Record<string, DwarfType> = {};
for (const [names, size, encoding] of [
  [['char', 'signed char'], 1, 'signed_char'],
  [['unsigned char', 'uint8_t', '_Bool'], 1, 'unsigned_char'],
  [['short', 'short int', 'signed short', 'int16_t'], 2, 'signed'],
  [['unsigned short', 'unsigned short int', 'uint16_t'], 2, 'unsigned'],
  [['int', 'signed', 'signed int', 'long', 'long int', 'signed long', 'int32_t'], 4, 'signed'],
  [['unsigned', 'unsigned int', 'unsigned long', 'unsigned long int', 'uint32_t', 'size_t', 'uintptr_t'], 4, 'unsigned'],
  [['long long', 'long long int', 'int64_t'], 8, 'signed'],
  [['unsigned long long', 'unsigned long long int', 'uint64_t'], 8, 'unsigned'],
] as const) {
  for (const n of names) BUILTIN[n] = { kind: 'base', name: n, size, encoding };
}
BUILTIN.void = { kind: 'void', name: 'void', size: 0 };

export function typeKey(t: DwarfType): string | undefined {
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'class':
      return t.name ? `${t.kind === 'class' ? 'struct' : t.kind} ${t.name}` : undefined;
    case 'base':
    case 'typedef':
      return t.name;
    default:
      return undefined;
  }
}

export class TypeNames {
  private readonly named = new Map<string, DwarfType>();
  private readonly visited = new Set<DwarfType>();
  private readonly files = new Set<SymbolFile>();

  addFile(file: SymbolFile): void {
    if (this.files.has(file)) return;
    this.files.add(file);
    for (const g of file.globals()) this.add(g.type);
  }

  add(t: DwarfType, depth = 0): void {
    if (this.visited.has(t) || depth > 64) return;
    this.visited.add(t);
    const key = typeKey(t);
    // A full definition beats a forward declaration of the same struct.
    const prev = key ? this.named.get(key) : undefined;
    if (key && (!prev || ('declaration' in prev && prev.declaration && !('declaration' in t && t.declaration)))) this.named.set(key, t);
    switch (t.kind) {
      case 'pointer':
      case 'typedef':
      case 'qualified':
        this.add(t.target, depth + 1);
        break;
      case 'array':
        this.add(t.element, depth + 1);
        break;
      case 'struct':
      case 'union':
      case 'class':
        for (const m of t.members) this.add(m.type, depth + 1);
        break;
      case 'enum':
        if (t.base) this.add(t.base, depth + 1);
        break;
      case 'function':
        this.add(t.returnType, depth + 1);
        for (const p of t.params) this.add(p, depth + 1);
        break;
    }
  }

  has(name: string): boolean {
    return this.named.has(name) || name in BUILTIN;
  }

  resolve(spec: TypeSpec): DwarfType {
    const base = spec.base.replace(/\s+/g, ' ');
    let t = this.named.get(base) ?? BUILTIN[base];
    if (!t) throw new Error(`no type named "${base}"`);
    for (let i = 0; i < spec.pointers; i++) t = { kind: 'pointer', size: 4, target: t };
    return t;
  }
}
