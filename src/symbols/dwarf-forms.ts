import { ByteCursor, stringAt } from './byte-cursor';
import { DW_FORM } from './dwarf-constants';
import { SymbolFileError, hex } from './errors';

/**
 * Attribute values after decoding a form. Strings from strp/line_strp are resolved here; strx and addrx
 * stay indices (numbers) because the unit's bases (DW_AT_str_offsets_base, DW_AT_addr_base) may come later
 * in the same DIE: the unit reader resolves them once the root DIE is known.
 * References are absolute .debug_info offsets.
 */
export type AttrValue = number | string | boolean | Uint8Array;

export interface FormContext {
  version: number;
  addrSize: number;
  offsetSize: number;
  unitOffset: number;
  str?: Uint8Array;
  lineStr?: Uint8Array;
}

export function isStrxForm(form: number): boolean {
  return form === DW_FORM.strx || (form >= DW_FORM.strx1 && form <= DW_FORM.strx4) || form === DW_FORM.GNU_str_index;
}

export function isAddrxForm(form: number): boolean {
  return form === DW_FORM.addrx || (form >= DW_FORM.addrx1 && form <= DW_FORM.addrx4) || form === DW_FORM.GNU_addr_index;
}

export function isRefForm(form: number): boolean {
  return (form >= DW_FORM.ref_addr && form <= DW_FORM.ref_udata);
}

/** Constant-class forms whose value is a plain (unsigned unless sdata/implicit_const) number. */
export function isConstantForm(form: number): boolean {
  return (
    form === DW_FORM.data1 || form === DW_FORM.data2 || form === DW_FORM.data4 || form === DW_FORM.data8 ||
    form === DW_FORM.sdata || form === DW_FORM.udata || form === DW_FORM.implicit_const
  );
}

export function readForm(c: ByteCursor, form: number, ctx: FormContext, implicitConst = 0, depth = 0): AttrValue {
  switch (form) {
    case DW_FORM.addr: return c.uint(ctx.addrSize);
    case DW_FORM.block1: return c.take(c.u8());
    case DW_FORM.block2: return c.take(c.u16());
    case DW_FORM.block4: return c.take(c.u32());
    case DW_FORM.block:
    case DW_FORM.exprloc: return c.take(c.uleb());
    case DW_FORM.data1: return c.u8();
    case DW_FORM.data2: return c.u16();
    case DW_FORM.data4: return c.u32();
    case DW_FORM.data8: return c.u64();
    case DW_FORM.data16: return c.take(16);
    case DW_FORM.sdata: return c.sleb();
    case DW_FORM.udata: return c.uleb();
    case DW_FORM.implicit_const: return implicitConst;
    case DW_FORM.string: return c.cstr();
    case DW_FORM.strp: return sectionString(ctx.str, c.uint(ctx.offsetSize), '.debug_str');
    case DW_FORM.line_strp: return sectionString(ctx.lineStr, c.uint(ctx.offsetSize), '.debug_line_str');
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_strp_alt:
      c.uint(ctx.offsetSize);
      return '<string in supplementary file>';
    case DW_FORM.strx:
    case DW_FORM.addrx:
    case DW_FORM.GNU_str_index:
    case DW_FORM.GNU_addr_index:
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
    case DW_FORM.ref_udata: {
      const v = c.uleb();
      return form === DW_FORM.ref_udata ? ctx.unitOffset + v : v;
    }
    case DW_FORM.strx1: case DW_FORM.addrx1: return c.u8();
    case DW_FORM.strx2: case DW_FORM.addrx2: return c.u16();
    case DW_FORM.strx3: case DW_FORM.addrx3: return c.u16() | (c.u8() << 16);
    case DW_FORM.strx4: case DW_FORM.addrx4: return c.u32();
    case DW_FORM.flag: return c.u8() !== 0;
    case DW_FORM.flag_present: return true;
    case DW_FORM.ref1: return ctx.unitOffset + c.u8();
    case DW_FORM.ref2: return ctx.unitOffset + c.u16();
    case DW_FORM.ref4: return ctx.unitOffset + c.u32();
    case DW_FORM.ref8: return ctx.unitOffset + c.u64();
    // DWARF 2 used the address size for ref_addr; later versions use the offset size.
    case DW_FORM.ref_addr: return c.uint(ctx.version <= 2 ? ctx.addrSize : ctx.offsetSize);
    case DW_FORM.ref_sup4: c.u32(); return -1;
    case DW_FORM.ref_sup8: c.u64(); return -1;
    case DW_FORM.GNU_ref_alt: c.uint(ctx.offsetSize); return -1;
    case DW_FORM.ref_sig8: return c.take(8);
    case DW_FORM.sec_offset: return c.uint(ctx.offsetSize);
    case DW_FORM.indirect: {
      if (depth > 4) throw new SymbolFileError(`DW_FORM_indirect nested too deeply at ${hex(c.pos)}`, c.pos);
      return readForm(c, c.uleb(), ctx, implicitConst, depth + 1);
    }
    default:
      throw new SymbolFileError(`unknown DWARF attribute form ${hex(form)} at offset ${hex(c.pos)}`, c.pos);
  }
}

function sectionString(section: Uint8Array | undefined, offset: number, name: string): string {
  if (!section) throw new SymbolFileError(`a string refers to ${name}, but the file has no ${name} section`);
  return stringAt(section, offset, name);
}
