import { BootError } from './boot-error';

/**
 * Just enough ELF32 to load a kernel: the entry point and the PT_LOAD segments. The debugger's full ELF/DWARF
 * reader lives in src/symbols, above the monitor; the monitor keeps its own tiny reader so it never depends on it.
 */
export interface LoadSegment {
  paddr: number;
  vaddr: number;
  /** File bytes to copy; the rest up to memsz is zero. */
  data: Uint8Array;
  memsz: number;
}

export interface ElfImage {
  entry: number;
  segments: LoadSegment[];
}

export function isElf(file: Uint8Array): boolean {
  return file.length >= 4 && file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46;
}

export function readElfSegments(file: Uint8Array, what: string): ElfImage {
  if (!isElf(file)) throw new BootError(`${what} is not an ELF file`);
  if (file.length < 52) throw new BootError(`${what} is truncated: ${file.length} bytes is less than an ELF header`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file[4] !== 1) throw new BootError(`${what} is not a 32-bit ELF file (EI_CLASS=${file[4]}); Ringside runs IA-32 kernels`);
  if (file[5] !== 1) throw new BootError(`${what} is not little-endian`);
  const machine = dv.getUint16(18, true);
  if (machine !== 3) throw new BootError(`${what} is not an i386 ELF file (e_machine=${machine})`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  if (phnum === 0) throw new BootError(`${what} has no program headers: link it as an executable`);
  if (phentsize < 32 || phoff + phnum * phentsize > file.length) {
    throw new BootError(`${what} is truncated: its program header table ends past the end of the file`);
  }
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== 1) continue; // PT_LOAD only
    const offset = dv.getUint32(o + 4, true);
    const vaddr = dv.getUint32(o + 8, true);
    const paddr = dv.getUint32(o + 12, true);
    const filesz = dv.getUint32(o + 16, true);
    const memsz = dv.getUint32(o + 20, true);
    if (offset + filesz > file.length) {
      throw new BootError(`${what} is truncated: segment ${i} needs bytes up to ${offset + filesz}, the file has ${file.length}`);
    }
    if (memsz < filesz) throw new BootError(`${what}: segment ${i} has memsz < filesz`);
    if (memsz === 0) continue;
    segments.push({ paddr, vaddr, data: file.subarray(offset, offset + filesz), memsz });
  }
  if (segments.length === 0) throw new BootError(`${what} has no loadable segment`);
  return { entry, segments };
}
