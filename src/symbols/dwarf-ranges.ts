import { ByteCursor } from './byte-cursor';
import { DW_AT, DW_FORM } from './dwarf-constants';
import { CompUnit, Die } from './dwarf-info';
import { SymbolFileError } from './errors';

/** Address ranges (.debug_ranges, .debug_rnglists) and location lists (.debug_loc, .debug_loclists). */

export type Range = [low: number, high: number];

export interface LocListEntry {
  low: number;
  high: number;
  expr: Uint8Array;
}

/** Either one expression valid everywhere in scope, or a list valid per address range. */
export type LocationDescription = { kind: 'expr'; expr: Uint8Array } | { kind: 'list'; entries: LocListEntry[] };

/** Lists longer than this are corrupt for any plausible IA-32 program; stop instead of allocating forever. */
const MAX_LIST_ENTRIES = 1 << 16;

/** The [low, high) ranges a DIE covers (link-time addresses), from low/high pc or DW_AT_ranges. */
export function dieRanges(die: Die): Range[] {
  const r = die.pcRange();
  if (r) return [r];
  const a = die.attr(DW_AT.ranges);
  if (!a || typeof a.value !== 'number') {
    const low = die.num(DW_AT.low_pc);
    // A DIE with only low_pc covers one address (e.g. a label); one byte keeps lookups simple.
    return low !== undefined && die.attr(DW_AT.low_pc)?.form !== undefined && die.tag !== 0x11 ? [[low, low + 1]] : [];
  }
  const unit = die.unit;
  // The compile unit's own DW_AT_ranges are based at 0; everything else at the unit's low_pc.
  const base = die === unit.root ? 0 : unit.baseAddress;
  if (unit.version >= 5) {
    const offset = a.form === DW_FORM.rnglistx ? listIndex(unit, unit.info.sections.rnglists, unit.rnglistsBase, a.value, '.debug_rnglists') : a.value;
    return readRngList(unit, offset, base);
  }
  return readRangesV4(unit, a.value, base);
}

export function rangesContain(ranges: Range[], addr: number): boolean {
  for (const [lo, hi] of ranges) if (addr >= lo && addr < hi) return true;
  return false;
}

/** DW_AT_location (or frame_base) of a DIE: an expression, a location list, or undefined if absent. */
export function locationOf(die: Die, at: number = DW_AT.location): LocationDescription | undefined {
  const a = die.attr(at);
  if (!a) return undefined;
  if (a.value instanceof Uint8Array) return { kind: 'expr', expr: a.value };
  if (typeof a.value !== 'number') return undefined;
  const unit = die.unit;
  if (unit.version >= 5) {
    const offset = a.form === DW_FORM.loclistx ? listIndex(unit, unit.info.sections.loclists, unit.loclistsBase, a.value, '.debug_loclists') : a.value;
    return { kind: 'list', entries: readLocList(unit, offset) };
  }
  return { kind: 'list', entries: readLocV4(unit, a.value) };
}

/** The expression that applies at a link-time pc, if any. */
export function expressionAt(loc: LocationDescription, pc: number): Uint8Array | undefined {
  if (loc.kind === 'expr') return loc.expr;
  for (const e of loc.entries) if (pc >= e.low && pc < e.high) return e.expr;
  return undefined;
}

function listIndex(unit: CompUnit, data: Uint8Array | undefined, base: number, index: number, name: string): number {
  if (!data) throw new SymbolFileError(`a list index is used but the file has no ${name} section`);
  const c = new ByteCursor(data, 0, data.length, name);
  c.seek(base + index * unit.offsetSize);
  return base + c.uint(unit.offsetSize);
}

function cursorAt(data: Uint8Array | undefined, offset: number, name: string): ByteCursor {
  if (!data) throw new SymbolFileError(`a list refers to ${name}, but the file has no ${name} section`);
  return new ByteCursor(data, 0, data.length, name).seek(offset);
}

function readRangesV4(unit: CompUnit, offset: number, base: number): Range[] {
  const c = cursorAt(unit.info.sections.ranges, offset, '.debug_ranges');
  const max = unit.addrSize === 8 ? 2 ** 64 - 1 : 2 ** (unit.addrSize * 8) - 1;
  const out: Range[] = [];
  for (let n = 0; n < MAX_LIST_ENTRIES; n++) {
    const lo = c.uint(unit.addrSize);
    const hi = c.uint(unit.addrSize);
    if (lo === 0 && hi === 0) return out;
    if (lo === max) base = hi;
    else if (hi > lo) out.push([base + lo, base + hi]);
  }
  return out;
}

function readRngList(unit: CompUnit, offset: number, base: number): Range[] {
  const info = unit.info;
  const c = cursorAt(info.sections.rnglists, offset, '.debug_rnglists');
  const out: Range[] = [];
  const push = (lo: number, hi: number): void => {
    if (hi > lo) out.push([lo, hi]);
  };
  for (let n = 0; n < MAX_LIST_ENTRIES; n++) {
    const kind = c.u8();
    switch (kind) {
      case 0: return out; // end_of_list
      case 1: base = info.addrx(unit, c.uleb()); break; // base_addressx
      case 2: { const lo = info.addrx(unit, c.uleb()); push(lo, info.addrx(unit, c.uleb())); break; }
      case 3: { const lo = info.addrx(unit, c.uleb()); push(lo, lo + c.uleb()); break; }
      case 4: { const lo = c.uleb(); push(base + lo, base + c.uleb()); break; } // offset_pair
      case 5: base = c.uint(unit.addrSize); break; // base_address
      case 6: { const lo = c.uint(unit.addrSize); push(lo, c.uint(unit.addrSize)); break; }
      case 7: { const lo = c.uint(unit.addrSize); push(lo, lo + c.uleb()); break; }
      default: throw new SymbolFileError(`unknown range list entry kind ${kind}`, c.pos - 1);
    }
  }
  return out;
}

function readLocV4(unit: CompUnit, offset: number): LocListEntry[] {
  const c = cursorAt(unit.info.sections.loc, offset, '.debug_loc');
  const max = 2 ** (unit.addrSize * 8) - 1;
  let base = unit.baseAddress;
  const out: LocListEntry[] = [];
  for (let n = 0; n < MAX_LIST_ENTRIES; n++) {
    const lo = c.uint(unit.addrSize);
    const hi = c.uint(unit.addrSize);
    if (lo === 0 && hi === 0) return out;
    if (lo === max) {
      base = hi;
      continue;
    }
    const expr = c.take(c.u16());
    if (hi > lo) out.push({ low: base + lo, high: base + hi, expr });
  }
  return out;
}

function readLocList(unit: CompUnit, offset: number): LocListEntry[] {
  const info = unit.info;
  const c = cursorAt(info.sections.loclists, offset, '.debug_loclists');
  let base = unit.baseAddress;
  const out: LocListEntry[] = [];
  const push = (low: number, high: number): void => {
    const expr = c.take(c.uleb());
    if (high > low) out.push({ low, high, expr });
  };
  for (let n = 0; n < MAX_LIST_ENTRIES; n++) {
    const kind = c.u8();
    switch (kind) {
      case 0: return out; // end_of_list
      case 1: base = info.addrx(unit, c.uleb()); break; // base_addressx
      case 2: { const lo = info.addrx(unit, c.uleb()); push(lo, info.addrx(unit, c.uleb())); break; }
      case 3: { const lo = info.addrx(unit, c.uleb()); push(lo, lo + c.uleb()); break; }
      case 4: { const lo = c.uleb(); push(base + lo, base + c.uleb()); break; } // offset_pair
      case 5: push(0, 2 ** 32); break; // default_location
      case 6: base = c.uint(unit.addrSize); break; // base_address
      case 7: { const lo = c.uint(unit.addrSize); push(lo, c.uint(unit.addrSize)); break; }
      case 8: { const lo = c.uint(unit.addrSize); push(lo, lo + c.uleb()); break; }
      default: throw new SymbolFileError(`unknown location list entry kind ${kind}`, c.pos - 1);
    }
  }
  return out;
}
