import { ByteCursor, stringAt } from './byte-cursor';
import { SymbolFileError, hex } from './errors';

/** ELF32 little-endian reader: headers, program headers, sections and symbol tables. */

export const EM_386 = 3;
export const PT_LOAD = 1;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;

export interface ElfHeader {
  type: number; // ET_EXEC=2, ET_DYN=3, ET_REL=1
  machine: number;
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number; // PF_X=1, PF_W=2, PF_R=4
  align: number;
}

export interface SectionHeader {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type SymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: SymbolType;
  binding: SymbolBinding;
  /** Index of the section the symbol is defined in; 0 when undefined, >= 0xff00 for special indices. */
  sectionIndex: number;
  table: '.symtab' | '.dynsym';
}

const SYMBOL_TYPES: SymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
const SYMBOL_BINDINGS: SymbolBinding[] = ['local', 'global', 'weak'];

export class ElfFile {
  private constructor(
    readonly bytes: Uint8Array,
    readonly header: ElfHeader,
    readonly programHeaders: ProgramHeader[],
    readonly sections: SectionHeader[],
  ) {}

  static parse(bytes: Uint8Array): ElfFile {
    if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new SymbolFileError('not an ELF file (the first bytes are not 0x7f "ELF")', 0);
    }
    if (bytes.length < EHDR_SIZE) {
      throw new SymbolFileError(`truncated ELF header (file is ${bytes.length} bytes, the header needs ${EHDR_SIZE})`, 0);
    }
    if (bytes[4] === 2) {
      throw new SymbolFileError('this is a 64-bit ELF file; Ringside debugs IA-32 guests and needs an ELF32 file (gcc -m32)', 4);
    }
    if (bytes[4] !== 1) throw new SymbolFileError(`unknown ELF class ${bytes[4]} (expected 1, ELF32)`, 4);
    if (bytes[5] !== 1) throw new SymbolFileError('big-endian ELF files are not supported (expected little-endian, as for IA-32)', 5);
    const c = new ByteCursor(bytes, 16, bytes.length, 'ELF header');
    const header: ElfHeader = {
      type: c.u16(),
      machine: c.u16(),
      entry: (c.u32(), c.u32()),
      phoff: c.u32(),
      shoff: c.u32(),
      flags: c.u32(),
      phentsize: (c.u16(), c.u16()),
      phnum: c.u16(),
      shentsize: c.u16(),
      shnum: c.u16(),
      shstrndx: c.u16(),
    };
    const sections = readSections(bytes, header);
    const programHeaders = readProgramHeaders(bytes, header);
    return new ElfFile(bytes, header, programHeaders, sections);
  }

  section(name: string): SectionHeader | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (a view, no copy); empty for NOBITS. Throws if the section lies outside the file. */
  sectionData(s: SectionHeader): Uint8Array {
    if (s.type === SHT_NOBITS) return new Uint8Array(0);
    if (s.offset + s.size > this.bytes.length) {
      throw new SymbolFileError(
        `section ${s.name || '#' + s.index} at offset ${hex(s.offset)} (${s.size} bytes) extends past the end of the ${this.bytes.length}-byte file`,
        s.offset,
      );
    }
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** PT_LOAD segments: what a loader copies (filesz bytes from the file) and zero-fills (up to memsz). */
  loadSegments(): ProgramHeader[] {
    return this.programHeaders.filter((p) => p.type === PT_LOAD);
  }

  /** The bytes of a segment that come from the file. */
  segmentData(p: ProgramHeader): Uint8Array {
    if (p.offset + p.filesz > this.bytes.length) {
      throw new SymbolFileError(`segment at offset ${hex(p.offset)} (${p.filesz} bytes) extends past the end of the file`, p.offset);
    }
    return this.bytes.subarray(p.offset, p.offset + p.filesz);
  }

  /** Symbols of .symtab and .dynsym (the null symbol at index 0 is left out). */
  symbols(): ElfSymbol[] {
    const out: ElfSymbol[] = [];
    for (const s of this.sections) {
      if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
      readSymbols(this, s, out);
    }
    return out;
  }

  /** Whether a link-time address lies in an allocated section with code (used to drop discarded debug info). */
  isCodeAddress(addr: number): boolean {
    return this.sections.some((s) => s.flags & SHF_EXECINSTR && addr >= s.addr && addr < s.addr + s.size);
  }
}

function readSections(bytes: Uint8Array, h: ElfHeader): SectionHeader[] {
  if (h.shoff === 0) return [];
  if (h.shentsize < SHDR_SIZE) {
    throw new SymbolFileError(`section header entry size ${h.shentsize} is smaller than ${SHDR_SIZE}`, 46);
  }
  let count = h.shnum;
  let strndx = h.shstrndx;
  if (count === 0 || strndx === SHN_XINDEX) {
    // Extended numbering: the real values live in section header 0.
    const c0 = new ByteCursor(bytes, 0, bytes.length, 'section header table');
    if (h.shoff + SHDR_SIZE > bytes.length) throw truncatedShdrs(h.shoff, SHDR_SIZE, bytes.length);
    c0.seek(h.shoff + 20);
    const size0 = c0.u32();
    const link0 = c0.u32();
    if (count === 0) count = size0;
    if (strndx === SHN_XINDEX) strndx = link0;
  }
  const tableSize = count * h.shentsize;
  if (h.shoff + tableSize > bytes.length) throw truncatedShdrs(h.shoff, tableSize, bytes.length);
  const raw: Array<Omit<SectionHeader, 'name'> & { nameOffset: number }> = [];
  for (let i = 0; i < count; i++) {
    const c = new ByteCursor(bytes, h.shoff + i * h.shentsize, h.shoff + (i + 1) * h.shentsize, 'section header');
    raw.push({
      index: i,
      nameOffset: c.u32(),
      type: c.u32(),
      flags: c.u32(),
      addr: c.u32(),
      offset: c.u32(),
      size: c.u32(),
      link: c.u32(),
      info: c.u32(),
      addralign: c.u32(),
      entsize: c.u32(),
    });
  }
  let names: Uint8Array | undefined;
  if (strndx !== SHN_UNDEF && strndx < raw.length) {
    const s = raw[strndx];
    if (s.offset + s.size > bytes.length) {
      throw new SymbolFileError(`section name table at offset ${hex(s.offset)} extends past the end of the file`, s.offset);
    }
    names = bytes.subarray(s.offset, s.offset + s.size);
  } else if (strndx !== SHN_UNDEF) {
    throw new SymbolFileError(`section name table index ${strndx} is out of range (${raw.length} sections)`, 50);
  }
  return raw.map(({ nameOffset, ...rest }) => ({
    ...rest,
    name: names && nameOffset < names.length ? stringAt(names, nameOffset, 'section name table') : '',
  }));
}

function truncatedShdrs(offset: number, size: number, fileSize: number): SymbolFileError {
  return new SymbolFileError(
    `truncated section header table at offset ${hex(offset)} (needs ${size} bytes, file is ${fileSize} bytes)`,
    offset,
  );
}

function readProgramHeaders(bytes: Uint8Array, h: ElfHeader): ProgramHeader[] {
  if (h.phoff === 0 || h.phnum === 0) return [];
  if (h.phentsize < PHDR_SIZE) {
    throw new SymbolFileError(`program header entry size ${h.phentsize} is smaller than ${PHDR_SIZE}`, 42);
  }
  const size = h.phnum * h.phentsize;
  if (h.phoff + size > bytes.length) {
    throw new SymbolFileError(
      `truncated program header table at offset ${hex(h.phoff)} (needs ${size} bytes, file is ${bytes.length} bytes)`,
      h.phoff,
    );
  }
  const out: ProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const c = new ByteCursor(bytes, h.phoff + i * h.phentsize, h.phoff + (i + 1) * h.phentsize, 'program header');
    out.push({
      type: c.u32(),
      offset: c.u32(),
      vaddr: c.u32(),
      paddr: c.u32(),
      filesz: c.u32(),
      memsz: c.u32(),
      flags: c.u32(),
      align: c.u32(),
    });
  }
  return out;
}

function readSymbols(elf: ElfFile, s: SectionHeader, out: ElfSymbol[]): void {
  const table = s.type === SHT_SYMTAB ? '.symtab' : '.dynsym';
  const entsize = s.entsize || SYM_SIZE;
  if (entsize < SYM_SIZE) throw new SymbolFileError(`symbol table ${s.name} has entry size ${entsize} (< ${SYM_SIZE})`, s.offset);
  const data = elf.sectionData(s);
  const strSec = elf.sections[s.link];
  if (!strSec) throw new SymbolFileError(`symbol table ${s.name} links to missing string table #${s.link}`, s.offset);
  const strings = elf.sectionData(strSec);
  const count = Math.floor(data.length / entsize);
  for (let i = 1; i < count; i++) {
    const c = new ByteCursor(data, i * entsize, i * entsize + SYM_SIZE, `symbol table ${s.name}`);
    const nameOffset = c.u32();
    const value = c.u32();
    const size = c.u32();
    const info = c.u8();
    c.u8(); // st_other: visibility, not needed for lookups
    const shndx = c.u16();
    out.push({
      name: nameOffset === 0 ? '' : stringAt(strings, nameOffset, `string table ${strSec.name}`),
      value,
      size,
      type: SYMBOL_TYPES[info & 0xf] ?? 'other',
      binding: SYMBOL_BINDINGS[info >> 4] ?? 'other',
      sectionIndex: shndx,
      table,
    });
  }
}

export function isSpecialSection(index: number): boolean {
  return index === SHN_UNDEF || index >= SHN_LORESERVE;
}
