import { DW_AT, DW_ATE, DW_TAG } from './dwarf-constants';
import { Die } from './dwarf-info';

/**
 * C types from DWARF DIEs. Types are built on first use and cached per DIE; an object enters the cache
 * before its targets are resolved, so self-referential structs (and corrupt reference cycles) terminate.
 */

export type BaseEncoding = 'signed' | 'unsigned' | 'signed_char' | 'unsigned_char' | 'float' | 'bool' | 'address' | 'utf' | 'complex' | 'other';

export interface Member {
  name: string;
  type: DwarfType;
  /** Byte offset of the member (of its containing storage unit for bit fields). */
  offset: number;
  /** For bit fields: bit offset from the start of the struct (little-endian numbering) and width. */
  bitOffset?: number;
  bitSize?: number;
}

export interface Enumerator {
  name: string;
  value: number;
}

export type DwarfType =
  | { kind: 'void'; name: 'void'; size: 0 }
  | { kind: 'base'; name: string; size: number; encoding: BaseEncoding }
  | { kind: 'pointer'; name?: string; size: number; target: DwarfType; reference?: boolean }
  | { kind: 'array'; name?: string; size: number; element: DwarfType; /** undefined: flexible/unknown bound */ count: number | undefined }
  | { kind: 'struct' | 'union' | 'class'; name?: string; size: number; members: Member[]; declaration: boolean }
  | { kind: 'enum'; name?: string; size: number; base?: DwarfType; enumerators: Enumerator[]; signed: boolean }
  | { kind: 'typedef'; name: string; size: number; target: DwarfType }
  | { kind: 'qualified'; qualifier: 'const' | 'volatile' | 'restrict' | 'atomic'; name?: string; size: number; target: DwarfType }
  | { kind: 'function'; name?: string; size: 0; returnType: DwarfType; params: DwarfType[]; variadic: boolean; prototyped: boolean }
  | { kind: 'unknown'; name: string; size: number };

export const VOID: DwarfType = { kind: 'void', name: 'void', size: 0 };

const ENCODINGS: Record<number, BaseEncoding> = {
  [DW_ATE.address]: 'address',
  [DW_ATE.boolean]: 'bool',
  [DW_ATE.complex_float]: 'complex',
  [DW_ATE.float]: 'float',
  [DW_ATE.signed]: 'signed',
  [DW_ATE.signed_char]: 'signed_char',
  [DW_ATE.unsigned]: 'unsigned',
  [DW_ATE.unsigned_char]: 'unsigned_char',
  [DW_ATE.UTF]: 'utf',
};

const MAX_STRIP = 32;

export class TypeResolver {
  private readonly cache = new Map<number, DwarfType>();

  /** The type a DIE's DW_AT_type names (void when absent). */
  typeOf(die: Die): DwarfType {
    const t = die.ref(DW_AT.type) ?? inheritedTypeDie(die);
    return t ? this.resolve(t) : VOID;
  }

  resolve(die: Die): DwarfType {
    const hit = this.cache.get(die.offset);
    if (hit) return hit;
    const name = die.name;
    const size = die.num(DW_AT.byte_size) ?? 0;
    switch (die.tag) {
      case DW_TAG.base_type: {
        const t: DwarfType = { kind: 'base', name: name ?? '?', size, encoding: ENCODINGS[die.num(DW_AT.encoding) ?? 0] ?? 'other' };
        this.cache.set(die.offset, t);
        return t;
      }
      case DW_TAG.unspecified_type:
        return this.put(die, { kind: 'unknown', name: name ?? '?', size });
      case DW_TAG.pointer_type:
      case DW_TAG.reference_type:
      case DW_TAG.rvalue_reference_type: {
        const t = this.put(die, { kind: 'pointer', name, size: size || die.unit.addrSize, target: VOID, reference: die.tag !== DW_TAG.pointer_type });
        (t as { target: DwarfType }).target = this.typeOf(die);
        return t;
      }
      case DW_TAG.typedef: {
        const t = this.put(die, { kind: 'typedef', name: name ?? '?', size: 0, target: VOID });
        const target = this.typeOf(die);
        Object.assign(t, { target, size: sizeOf(target) });
        return t;
      }
      case DW_TAG.const_type:
      case DW_TAG.volatile_type:
      case DW_TAG.restrict_type:
      case DW_TAG.atomic_type: {
        const qualifier = die.tag === DW_TAG.const_type ? 'const' : die.tag === DW_TAG.volatile_type ? 'volatile' : die.tag === DW_TAG.restrict_type ? 'restrict' : 'atomic';
        const t = this.put(die, { kind: 'qualified', qualifier, size: 0, target: VOID });
        const target = this.typeOf(die);
        Object.assign(t, { target, size: sizeOf(target) });
        return t;
      }
      case DW_TAG.structure_type:
      case DW_TAG.union_type:
      case 0x02: { // class_type
        const kind = die.tag === DW_TAG.union_type ? 'union' : die.tag === DW_TAG.structure_type ? 'struct' : 'class';
        const t = this.put(die, { kind, name, size, members: [], declaration: die.flag(DW_AT.declaration) });
        if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
          for (const m of die.children) if (m.tag === DW_TAG.member) t.members.push(this.member(m));
        }
        return t;
      }
      case DW_TAG.enumeration_type: {
        const t = this.put(die, { kind: 'enum', name, size, enumerators: [], signed: false });
        if (t.kind === 'enum') {
          const baseDie = die.ref(DW_AT.type);
          if (baseDie) t.base = this.resolve(baseDie);
          for (const e of die.children) {
            if (e.tag !== DW_TAG.enumerator) continue;
            const value = e.num(DW_AT.const_value) ?? 0;
            if (value < 0) t.signed = true;
            t.enumerators.push({ name: e.name ?? '?', value });
          }
          const b = t.base && stripTypedefs(t.base);
          if (b?.kind === 'base' && (b.encoding === 'signed' || b.encoding === 'signed_char')) t.signed = true;
        }
        return t;
      }
      case DW_TAG.array_type: {
        const t = this.put(die, { kind: 'array', name, size: 0, element: VOID, count: undefined });
        const element = this.typeOf(die);
        // int a[2][3] is one DIE with two subranges: build it inside out.
        const dims = die.children.filter((c) => c.tag === DW_TAG.subrange_type).map(subrangeCount);
        if (dims.length === 0) dims.push(undefined);
        let inner: DwarfType = element;
        for (let i = dims.length - 1; i >= 1; i--) {
          inner = { kind: 'array', size: dims[i] === undefined ? 0 : dims[i]! * sizeOf(inner), element: inner, count: dims[i] };
        }
        Object.assign(t, { element: inner, count: dims[0], size: size || (dims[0] ?? 0) * sizeOf(inner) });
        return t;
      }
      case DW_TAG.subroutine_type:
      case DW_TAG.subprogram: {
        const t = this.put(die, { kind: 'function', name, size: 0, returnType: VOID, params: [], variadic: false, prototyped: die.flag(DW_AT.prototyped) });
        if (t.kind === 'function') {
          t.returnType = this.typeOf(die);
          for (const p of die.children) {
            if (p.tag === DW_TAG.formal_parameter) t.params.push(this.typeOf(p));
            else if (p.tag === DW_TAG.unspecified_parameters) t.variadic = true;
          }
        }
        return t;
      }
      default:
        return this.put(die, { kind: 'unknown', name: name ?? `<DIE tag ${die.tag}>`, size });
    }
  }

  private put(die: Die, t: DwarfType): DwarfType {
    this.cache.set(die.offset, t);
    return t;
  }

  private member(m: Die): Member {
    const type = this.typeOf(m);
    const loc = m.num(DW_AT.data_member_location) ?? 0;
    const bitSize = m.num(DW_AT.bit_size);
    const out: Member = { name: m.name ?? '', type, offset: loc };
    if (bitSize !== undefined) {
      const dataBitOffset = m.num(DW_AT.data_bit_offset);
      let bitOffset: number;
      if (dataBitOffset !== undefined) {
        bitOffset = dataBitOffset;
      } else {
        // DWARF 2/3 style: offset from the most significant bit of a storage unit of byte_size bytes.
        const storage = m.num(DW_AT.byte_size) ?? sizeOf(type);
        bitOffset = loc * 8 + storage * 8 - (m.num(DW_AT.bit_offset) ?? 0) - bitSize;
      }
      out.bitOffset = bitOffset;
      out.bitSize = bitSize;
      out.offset = Math.floor(bitOffset / 8);
    }
    return out;
  }
}

function subrangeCount(s: Die): number | undefined {
  const count = s.num(DW_AT.count);
  if (count !== undefined) return count;
  const upper = s.num(DW_AT.upper_bound);
  if (upper === undefined || upper === 0xffffffff || upper < 0) return undefined;
  return upper - (s.num(DW_AT.lower_bound) ?? 0) + 1;
}

function inheritedTypeDie(die: Die): Die | undefined {
  const a = die.inherited(DW_AT.type);
  return a && typeof a.value === 'number' ? die.unit.info.dieAt(a.value) : undefined;
}

/** Drops typedefs and qualifiers (bounded, so a corrupt typedef loop cannot hang us). */
export function stripTypedefs(t: DwarfType): DwarfType {
  for (let i = 0; i < MAX_STRIP && (t.kind === 'typedef' || t.kind === 'qualified'); i++) t = t.target;
  return t;
}

export function sizeOf(t: DwarfType): number {
  const s = stripTypedefs(t);
  if (s.kind === 'array' && s.size === 0 && s.count !== undefined) return s.count * sizeOf(s.element);
  return s.size;
}

/** The C spelling of a type: "const char *", "int [2][3]", "int (*)(int, char **)". */
export function typeName(t: DwarfType): string {
  return declarator(t, '', 0).trim();
}

function declarator(t: DwarfType, inner: string, depth: number): string {
  if (depth > MAX_STRIP) return '...' + inner;
  switch (t.kind) {
    case 'void':
    case 'base':
    case 'unknown':
      return join(t.name, inner);
    case 'typedef':
      return join(t.name, inner);
    case 'struct':
    case 'union':
    case 'class':
    case 'enum':
      return join(`${t.kind} ${t.name ?? '<anonymous>'}`, inner);
    case 'qualified': {
      const target = t.target;
      // Qualifiers of a pointer go after the star; of anything else, before the type name.
      if (target.kind === 'pointer') return declarator(target, ` ${t.qualifier}${inner}`, depth + 1);
      return `${t.qualifier} ${declarator(target, inner, depth + 1)}`;
    }
    case 'pointer': {
      const star = t.reference ? '&' : '*';
      const needsParens = t.target.kind === 'array' || t.target.kind === 'function';
      return declarator(t.target, needsParens ? `(${star}${inner})` : `${star}${inner}`, depth + 1);
    }
    case 'array':
      return declarator(t.element, `${inner}[${t.count ?? ''}]`, depth + 1);
    case 'function': {
      const params = t.params.map((p) => declarator(p, '', depth + 1).trim());
      if (t.variadic) params.push('...');
      if (params.length === 0 && t.prototyped) params.push('void');
      return declarator(t.returnType, `${inner}(${params.join(', ')})`, depth + 1);
    }
  }
}

function join(base: string, inner: string): string {
  if (!inner) return base;
  return `${base} ${inner}`;
}
