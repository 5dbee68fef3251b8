import { DW_AT, DW_FORM, DW_TAG } from './dwarf-constants';
import { isAddrxForm } from './dwarf-forms';
import { Die, DwarfInfo } from './dwarf-info';
import { LocationDescription, Range, dieRanges, locationOf, rangesContain } from './dwarf-ranges';
import { DwarfType, TypeResolver } from './dwarf-types';
import { SymbolFileError } from './errors';

/** Functions, inlined calls, lexical scopes and variables, from the DIE trees. All addresses link-time. */

export interface FunctionInfo {
  name: string;
  /** Lowest and highest+1 address over all ranges. */
  low: number;
  high: number;
  ranges: Range[];
  source: 'dwarf' | 'symbol';
  die?: Die;
  external: boolean;
  declFile?: string;
  declLine?: number;
}

export type VariableKind = 'parameter' | 'local' | 'global';

export interface VariableInfo {
  name: string;
  kind: VariableKind;
  type: DwarfType;
  location?: LocationDescription;
  /** DW_AT_const_value: the variable was folded to a constant. */
  constValue?: number | Uint8Array;
  declFile?: string;
  declLine?: number;
  /** Set for variables inside lexical blocks: the block's ranges (link-time). */
  blockRanges?: Range[];
  die: Die;
}

/** One step of the scope chain at a pc: the function, then nested lexical blocks and inlined calls. */
export interface ScopeLink {
  die: Die;
  kind: 'function' | 'block' | 'inlined';
  ranges: Range[];
}

const MAX_SCOPE_DEPTH = 256;

export class ScopeReader {
  readonly types = new TypeResolver();

  constructor(
    readonly info: DwarfInfo,
    /** DWARF file number -> path, per unit (from the unit's line table). */
    readonly fileName: (die: Die, index: number) => string | undefined,
  ) {}

  /** Every out-of-line function (concrete subprograms with code). */
  functions(warnings: string[]): FunctionInfo[] {
    const out: FunctionInfo[] = [];
    for (const unit of this.info.units) {
      walk(unit.root, (d) => {
        if (d.tag !== DW_TAG.subprogram) return true;
        try {
          const ranges = dieRanges(d);
          if (ranges.length > 0) {
            out.push({
              name: d.name ?? d.str(DW_AT.linkage_name) ?? '<anonymous>',
              low: Math.min(...ranges.map((r) => r[0])),
              high: Math.max(...ranges.map((r) => r[1])),
              ranges,
              source: 'dwarf',
              die: d,
              external: d.flag(DW_AT.external) || !!d.ref(DW_AT.specification)?.flag(DW_AT.external),
              ...this.decl(d),
            });
          }
        } catch (e) {
          if (!(e instanceof SymbolFileError)) throw e;
          warnings.push(`function at DIE 0x${d.offset.toString(16)}: ${e.message}`);
        }
        return true;
      });
    }
    return out;
  }

  /** Every inlined copy of a function: its name and where the copy's code starts. */
  inlinedInstances(warnings: string[]): Array<{ name: string; entry: number; die: Die }> {
    const out: Array<{ name: string; entry: number; die: Die }> = [];
    for (const unit of this.info.units) {
      walk(unit.root, (d) => {
        if (d.tag !== DW_TAG.inlined_subroutine) return true;
        try {
          const ranges = dieRanges(d);
          const name = d.name;
          if (name && ranges.length) {
            const e = d.attr(DW_AT.entry_pc);
            let entry = Math.min(...ranges.map((r) => r[0]));
            // DWARF 5 allows entry_pc as a constant offset from the scope's low address.
            if (e && typeof e.value === 'number') entry = e.form === DW_FORM.addr || isAddrxForm(e.form) ? e.value : entry + e.value;
            out.push({ name, entry, die: d });
          }
        } catch (e) {
          if (!(e instanceof SymbolFileError)) throw e;
          warnings.push(`inlined call at DIE 0x${d.offset.toString(16)}: ${e.message}`);
        }
        return true;
      });
    }
    return out;
  }

  /** The chain of scopes containing pc, outermost (the function) first. */
  scopeChain(fn: Die, pc: number): ScopeLink[] {
    const chain: ScopeLink[] = [{ die: fn, kind: 'function', ranges: dieRanges(fn) }];
    let cur = fn;
    for (let depth = 0; depth < MAX_SCOPE_DEPTH; depth++) {
      let next: ScopeLink | undefined;
      for (const c of cur.children) {
        if (c.tag !== DW_TAG.lexical_block && c.tag !== DW_TAG.inlined_subroutine) continue;
        const ranges = dieRanges(c);
        if (rangesContain(ranges, pc)) {
          next = { die: c, kind: c.tag === DW_TAG.inlined_subroutine ? 'inlined' : 'block', ranges };
          break;
        }
      }
      if (!next) break;
      chain.push(next);
      cur = next.die;
    }
    return chain;
  }

  /** Parameters and variables declared directly in a scope DIE (and in lexical blocks without code ranges). */
  variablesIn(scope: Die, blockRanges?: Range[]): VariableInfo[] {
    const out: VariableInfo[] = [];
    for (const c of scope.children) {
      if (c.tag === DW_TAG.formal_parameter || c.tag === DW_TAG.variable) {
        const v = this.variable(c, c.tag === DW_TAG.formal_parameter ? 'parameter' : 'local');
        if (v) out.push(blockRanges ? { ...v, blockRanges } : v);
      }
    }
    return out;
  }

  /** Variables with a static address or constant value at unit (or namespace) level. */
  globals(warnings: string[]): VariableInfo[] {
    const out: VariableInfo[] = [];
    for (const unit of this.info.units) {
      walk(unit.root, (d) => {
        if (d.tag === DW_TAG.subprogram) return false;
        if (d.tag === DW_TAG.variable && !d.flag(DW_AT.declaration)) {
          try {
            const v = this.variable(d, 'global');
            if (v && (v.location || v.constValue !== undefined)) out.push(v);
          } catch (e) {
            if (!(e instanceof SymbolFileError)) throw e;
            warnings.push(`variable at DIE 0x${d.offset.toString(16)}: ${e.message}`);
          }
        }
        return true;
      });
    }
    return out;
  }

  variable(d: Die, kind: VariableKind): VariableInfo | undefined {
    const name = d.name;
    if (!name) return undefined;
    const cv = d.attr(DW_AT.const_value)?.value;
    return {
      name,
      kind,
      type: this.types.typeOf(d),
      location: locationOf(d),
      constValue: typeof cv === 'number' || cv instanceof Uint8Array ? cv : undefined,
      die: d,
      ...this.decl(d),
    };
  }

  decl(d: Die): { declFile?: string; declLine?: number } {
    const fileAttr = d.inherited(DW_AT.decl_file);
    const lineAttr = d.inherited(DW_AT.decl_line);
    const out: { declFile?: string; declLine?: number } = {};
    if (typeof fileAttr?.value === 'number') out.declFile = this.fileName(d, fileAttr.value);
    if (typeof lineAttr?.value === 'number') out.declLine = lineAttr.value;
    return out;
  }
}

/** Pre-order walk without recursion (deep or corrupt trees cannot overflow the JS stack). */
export function walk(root: Die, visit: (d: Die) => boolean): void {
  const stack: Die[] = [root];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (!visit(d)) continue;
    for (let i = d.children.length - 1; i >= 0; i--) stack.push(d.children[i]);
  }
}
