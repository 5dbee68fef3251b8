import { ElfFile, ElfSymbol, SHF_EXECINSTR, isSpecialSection } from './elf-reader';
import { FunctionInfo } from './dwarf-scopes';

/** Address -> function and name -> function over DWARF subprograms or, failing those, ELF symbols. Link-time. */

interface Interval {
  low: number;
  high: number;
  fn: FunctionInfo;
}

export class FunctionIndex {
  private readonly intervals: Interval[] = [];
  private readonly names = new Map<string, FunctionInfo>();
  private readonly allNames = new Map<string, FunctionInfo[]>();

  constructor(readonly functions: FunctionInfo[]) {
    for (const fn of functions) {
      for (const [low, high] of fn.ranges) this.intervals.push({ low, high, fn });
      const list = this.allNames.get(fn.name);
      if (list) list.push(fn);
      else this.allNames.set(fn.name, [fn]);
      const prev = this.names.get(fn.name);
      // Prefer the global definition over a static function of the same name.
      if (!prev || (!prev.external && fn.external)) this.names.set(fn.name, fn);
    }
    this.intervals.sort((a, b) => a.low - b.low || b.high - a.high);
  }

  at(addr: number): FunctionInfo | undefined {
    let lo = 0;
    let hi = this.intervals.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.intervals[mid].low <= addr) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // The latest-starting interval that still covers addr is the innermost one; scan back over overlaps.
    for (let i = best; i >= 0 && i > best - 16; i--) {
      const iv = this.intervals[i];
      if (addr >= iv.low && addr < iv.high) return iv.fn;
    }
    return undefined;
  }

  byName(name: string): FunctionInfo | undefined {
    return this.names.get(name);
  }

  /** Every function of that name (static functions of different units may share one). */
  allByName(name: string): FunctionInfo[] {
    return this.allNames.get(name) ?? [];
  }
}

/**
 * Functions from ELF symbols: FUNC symbols, plus untyped labels in code sections (assembly entry points).
 * A symbol without a size runs to the next symbol or the end of its section.
 */
export function functionsFromSymbols(elf: ElfFile, symbols: ElfSymbol[]): FunctionInfo[] {
  const code = symbols.filter((s) => {
    if (isSpecialSection(s.sectionIndex) || !s.name || s.name.startsWith('.L')) return false;
    const sec = elf.sections[s.sectionIndex];
    if (!sec || !(sec.flags & SHF_EXECINSTR)) return false;
    return s.type === 'func' || (s.type === 'notype' && s.binding !== 'other');
  });
  code.sort((a, b) => a.value - b.value || b.size - a.size);
  const out: FunctionInfo[] = [];
  for (let i = 0; i < code.length; i++) {
    const s = code[i];
    if (i > 0 && code[i - 1].value === s.value && out.length && out[out.length - 1].low === s.value) continue;
    let end = s.value + s.size;
    if (s.size === 0) {
      const sec = elf.sections[s.sectionIndex];
      end = sec.addr + sec.size;
      for (let j = i + 1; j < code.length; j++) {
        if (code[j].value > s.value) {
          end = Math.min(end, code[j].value);
          break;
        }
      }
    }
    if (end <= s.value) continue;
    out.push({ name: s.name, low: s.value, high: end, ranges: [[s.value, end]], source: 'symbol', external: s.binding !== 'local' });
  }
  return out;
}
