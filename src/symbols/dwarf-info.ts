import { ByteCursor } from './byte-cursor';
import { parseAbbrevTable, AbbrevTable } from './dwarf-abbrev';
import { DW_AT, DW_FORM, DW_UT } from './dwarf-constants';
import { AttrValue, FormContext, isAddrxForm, isConstantForm, isStrxForm, readForm } from './dwarf-forms';
import { SymbolFileError, hex } from './errors';
import { stringAt } from './byte-cursor';

/** .debug_info: unit headers and the DIE tree, with DWARF 5 string/address indices resolved. */

export interface DwarfSections {
  info?: Uint8Array;
  abbrev?: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  strOffsets?: Uint8Array;
  addr?: Uint8Array;
  ranges?: Uint8Array;
  rnglists?: Uint8Array;
  loc?: Uint8Array;
  loclists?: Uint8Array;
  line?: Uint8Array;
}

export interface Attr {
  name: number;
  form: number;
  value: AttrValue;
}

/** Guards against reference cycles (abstract_origin pointing at itself) in corrupt files. */
const MAX_REF_CHAIN = 8;

export class Die {
  parent: Die | undefined;
  readonly children: Die[] = [];

  constructor(
    readonly offset: number,
    readonly tag: number,
    readonly attrs: Attr[],
    readonly unit: CompUnit,
  ) {}

  attr(name: number): Attr | undefined {
    for (const a of this.attrs) if (a.name === name) return a;
    return undefined;
  }

  num(name: number): number | undefined {
    const v = this.attr(name)?.value;
    return typeof v === 'number' ? v : undefined;
  }

  str(name: number): string | undefined {
    const v = this.attr(name)?.value;
    return typeof v === 'string' ? v : undefined;
  }

  flag(name: number): boolean {
    const v = this.attr(name)?.value;
    return v === true || (typeof v === 'number' && v !== 0);
  }

  block(name: number): Uint8Array | undefined {
    const v = this.attr(name)?.value;
    return v instanceof Uint8Array ? v : undefined;
  }

  ref(name: number): Die | undefined {
    const a = this.attr(name);
    if (!a || typeof a.value !== 'number' || a.form === DW_FORM.ref_sig8) return undefined;
    return this.unit.info.dieAt(a.value);
  }

  /** An attribute of this DIE, or of the DIE it is an instance (abstract_origin) or definition (specification) of. */
  inherited(name: number): Attr | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts at this DIE and follows its references
    let d: Die | undefined = this;
    for (let i = 0; d && i < MAX_REF_CHAIN; i++) {
      const a = d.attr(name);
      if (a) return a;
      d = d.ref(DW_AT.abstract_origin) ?? d.ref(DW_AT.specification);
    }
    return undefined;
  }

  get name(): string | undefined {
    const v = this.inherited(DW_AT.name)?.value;
    return typeof v === 'string' ? v : undefined;
  }

  /** [low, high) from DW_AT_low_pc/DW_AT_high_pc, link-time addresses; undefined without both. */
  pcRange(): [number, number] | undefined {
    const low = this.attr(DW_AT.low_pc);
    const high = this.attr(DW_AT.high_pc);
    if (!low || !high || typeof low.value !== 'number' || typeof high.value !== 'number') return undefined;
    const end = isConstantForm(high.form) ? low.value + high.value : high.value;
    return end > low.value ? [low.value, end] : undefined;
  }
}

export class CompUnit {
  root!: Die;
  strOffsetsBase = 0;
  addrBase = 0;
  rnglistsBase = 0;
  loclistsBase = 0;
  baseAddress = 0;

  constructor(
    readonly info: DwarfInfo,
    readonly offset: number,
    readonly end: number,
    readonly version: number,
    readonly unitType: number,
    readonly addrSize: number,
    readonly offsetSize: number,
  ) {}

  get name(): string | undefined {
    return this.root?.str(DW_AT.name);
  }

  get compDir(): string | undefined {
    return this.root?.str(DW_AT.comp_dir);
  }

  get producer(): string | undefined {
    return this.root?.str(DW_AT.producer);
  }
}

export class DwarfInfo {
  readonly units: CompUnit[] = [];
  readonly warnings: string[] = [];
  private readonly dies = new Map<number, Die>();
  private readonly abbrevCache = new Map<number, AbbrevTable>();

  constructor(readonly sections: DwarfSections) {
    const info = sections.info;
    if (!info) return;
    let offset = 0;
    while (offset < info.length) {
      let next: number;
      try {
        next = this.parseUnit(info, offset);
      } catch (e) {
        if (!(e instanceof SymbolFileError)) throw e;
        this.warnings.push(`.debug_info unit at ${hex(offset)}: ${e.message}`);
        // Without a trustworthy length there is no next unit to find.
        break;
      }
      offset = next;
    }
  }

  dieAt(offset: number): Die | undefined {
    return this.dies.get(offset);
  }

  /** Follows DW_FORM_addrx: an index into this unit's slice of .debug_addr. */
  addrx(unit: CompUnit, index: number): number {
    const addr = this.sections.addr;
    if (!addr) throw new SymbolFileError('an address index is used but the file has no .debug_addr section');
    const c = new ByteCursor(addr, 0, addr.length, '.debug_addr');
    c.seek(unit.addrBase + index * unit.addrSize);
    return c.uint(unit.addrSize);
  }

  strx(unit: CompUnit, index: number): string {
    const so = this.sections.strOffsets;
    if (!so) throw new SymbolFileError('a string index is used but the file has no .debug_str_offsets section');
    const c = new ByteCursor(so, 0, so.length, '.debug_str_offsets');
    c.seek(unit.strOffsetsBase + index * unit.offsetSize);
    const off = c.uint(unit.offsetSize);
    if (!this.sections.str) throw new SymbolFileError('a string index is used but the file has no .debug_str section');
    return stringAt(this.sections.str, off, '.debug_str');
  }

  private abbrevs(offset: number): AbbrevTable {
    let t = this.abbrevCache.get(offset);
    if (!t) {
      if (!this.sections.abbrev) throw new SymbolFileError('.debug_info is present but .debug_abbrev is missing');
      t = parseAbbrevTable(this.sections.abbrev, offset);
      this.abbrevCache.set(offset, t);
    }
    return t;
  }

  /** Parses one unit and returns the offset of the next. */
  private parseUnit(info: Uint8Array, offset: number): number {
    const c = new ByteCursor(info, offset, info.length, '.debug_info');
    let length = c.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = c.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      throw new SymbolFileError(`reserved unit length ${hex(length)}`, offset);
    }
    const end = c.pos + length;
    if (end > info.length) throw new SymbolFileError(`unit length ${length} runs past the end of .debug_info`, offset);
    const u = new ByteCursor(info, c.pos, end, '.debug_info');
    const version = u.u16();
    if (version < 2 || version > 5) throw new SymbolFileError(`unsupported DWARF version ${version}`, offset);
    let unitType: number = DW_UT.compile;
    let addrSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      unitType = u.u8();
      addrSize = u.u8();
      abbrevOffset = u.uint(offsetSize);
      if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) u.skip(8);
      else if (unitType === DW_UT.type || unitType === DW_UT.split_type) u.skip(8 + offsetSize);
    } else {
      abbrevOffset = u.uint(offsetSize);
      addrSize = u.u8();
    }
    if (addrSize !== 4 && addrSize !== 8 && addrSize !== 2) throw new SymbolFileError(`unsupported address size ${addrSize}`, offset);
    const unit = new CompUnit(this, offset, end, version, unitType, addrSize, offsetSize);
    const abbrevs = this.abbrevs(abbrevOffset);
    const ctx: FormContext = { version, addrSize, offsetSize, unitOffset: offset, str: this.sections.str, lineStr: this.sections.lineStr };
    const parsed: Die[] = [];
    const stack: Die[] = [];
    while (!u.atEnd) {
      const dieOffset = u.pos;
      const code = u.uleb();
      if (code === 0) {
        // Null entry: closes the current sibling list. Trailing padding after the root is allowed.
        stack.pop();
        if (stack.length === 0 && unit.root) break;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) throw new SymbolFileError(`DIE at ${hex(dieOffset)} uses undefined abbreviation code ${code}`, dieOffset);
      const attrs: Attr[] = [];
      for (const spec of ab.attrs) {
        attrs.push({ name: spec.name, form: spec.form, value: readForm(u, spec.form, ctx, spec.implicitConst) });
      }
      const die = new Die(dieOffset, ab.tag, attrs, unit);
      const parent = stack[stack.length - 1];
      if (parent) {
        die.parent = parent;
        parent.children.push(die);
      } else if (!unit.root) {
        unit.root = die;
      } else {
        break; // a second top-level DIE: treat as the end of the unit
      }
      parsed.push(die);
      if (ab.hasChildren) stack.push(die);
      else if (die === unit.root) break;
    }
    if (!unit.root) throw new SymbolFileError('unit has no root DIE', offset);
    this.resolveIndices(unit, parsed);
    for (const d of parsed) this.dies.set(d.offset, d);
    this.units.push(unit);
    return end;
  }

  private resolveIndices(unit: CompUnit, dies: Die[]): void {
    const root = unit.root;
    const base = (at: number, gnuAt: number, dflt: number): number => root.num(at) ?? root.num(gnuAt) ?? dflt;
    // Defaults point just past the DWARF 5 contribution headers, for producers that omit the base attribute.
    const header = unit.offsetSize === 8 ? 16 : 8;
    unit.strOffsetsBase = base(DW_AT.str_offsets_base, DW_AT.str_offsets_base, header);
    unit.addrBase = base(DW_AT.addr_base, DW_AT.GNU_addr_base, header);
    unit.rnglistsBase = base(DW_AT.rnglists_base, DW_AT.GNU_ranges_base, header + 4);
    unit.loclistsBase = base(DW_AT.loclists_base, DW_AT.loclists_base, header + 4);
    for (const d of dies) {
      for (const a of d.attrs) {
        if (typeof a.value !== 'number') continue;
        try {
          if (isStrxForm(a.form)) a.value = this.strx(unit, a.value);
          else if (isAddrxForm(a.form)) a.value = this.addrx(unit, a.value);
        } catch (e) {
          if (!(e instanceof SymbolFileError)) throw e;
          this.warnings.push(`DIE at ${hex(d.offset)}: ${e.message}`);
          a.value = isStrxForm(a.form) ? '<bad string index>' : 0;
        }
      }
    }
    const low = root.attr(DW_AT.low_pc);
    unit.baseAddress = typeof low?.value === 'number' ? low.value : 0;
  }
}
