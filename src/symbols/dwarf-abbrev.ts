import { ByteCursor } from './byte-cursor';
import { DW_FORM } from './dwarf-constants';
import { SymbolFileError, hex } from './errors';

/** .debug_abbrev: the per-unit table that says which attributes, in which forms, each DIE code carries. */

export interface AbbrevAttr {
  name: number;
  form: number;
  implicitConst: number;
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: AbbrevAttr[];
}

export type AbbrevTable = Map<number, Abbrev>;

export function parseAbbrevTable(data: Uint8Array, offset: number): AbbrevTable {
  const c = new ByteCursor(data, 0, data.length, '.debug_abbrev');
  c.seek(offset);
  const table: AbbrevTable = new Map();
  for (;;) {
    const code = c.uleb();
    if (code === 0) return table;
    const tag = c.uleb();
    const hasChildren = c.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const name = c.uleb();
      const form = c.uleb();
      if (name === 0 && form === 0) break;
      const implicitConst = form === DW_FORM.implicit_const ? c.sleb() : 0;
      attrs.push({ name, form, implicitConst });
    }
    if (table.has(code)) throw new SymbolFileError(`duplicate abbreviation code ${code} in .debug_abbrev at ${hex(offset)}`, offset);
    table.set(code, { code, tag, hasChildren, attrs });
  }
}
