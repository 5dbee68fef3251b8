import type { GuestPhysicalMemory } from '../memory/guest-physical';
import { BootError } from './boot-error';
import { isElf, readElfSegments, type LoadSegment } from './elf-segments';
import type { FlatProtectedEntry } from './entry-state';
import { writeFlatGdt } from './flat-gdt';
import { CONVENTIONAL_END, HIGH_MEMORY_START, pcMemoryMap } from './memory-map';

/** Multiboot 1 (the GRUB legacy protocol): what `qemu -kernel` and GRUB's `multiboot` command do. */
const HEADER_MAGIC = 0x1badb002;
export const BOOTLOADER_MAGIC = 0x2badb002;
const SEARCH_LIMIT = 8192;

const enum HeaderFlag {
  PageAlignModules = 1 << 0,
  MemoryInfo = 1 << 1,
  VideoMode = 1 << 2,
  AoutKludge = 1 << 16,
}

const enum InfoFlag {
  Memory = 1 << 0,
  BootDevice = 1 << 1,
  Cmdline = 1 << 2,
  Modules = 1 << 3,
  MemoryMap = 1 << 6,
  BootLoaderName = 1 << 9,
}

/** Where the loader's own structures go: conventional memory that kernels normally leave alone. */
const GDT_ADDR = 0x7000;
const INFO_ADDR = 0x8000;
const INFO_END = 0x10000;
const BOOT_STACK_TOP = 0x7000;

export interface MultibootHeader {
  offset: number;
  flags: number;
  /** a.out kludge fields, when flag 16 is set. */
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

export interface MultibootModule {
  name: string;
  data: Uint8Array;
  cmdline: string;
}

export interface MultibootBoot {
  entry: FlatProtectedEntry;
  /** Highest physical address used by the kernel and modules (exclusive). */
  end: number;
  modules: { start: number; end: number; cmdline: string }[];
}

export function findMultibootHeader(file: Uint8Array): MultibootHeader | undefined {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const limit = Math.min(file.length - 12, SEARCH_LIMIT - 12);
  for (let off = 0; off <= limit; off += 4) {
    if (dv.getUint32(off, true) !== HEADER_MAGIC) continue;
    const flags = dv.getUint32(off + 4, true);
    const checksum = dv.getUint32(off + 8, true);
    if (((HEADER_MAGIC + flags + checksum) >>> 0) !== 0) continue;
    const kludge = (flags & HeaderFlag.AoutKludge) !== 0;
    if (kludge && off + 32 > file.length) return undefined;
    return {
      offset: off,
      flags,
      headerAddr: kludge ? dv.getUint32(off + 12, true) : 0,
      loadAddr: kludge ? dv.getUint32(off + 16, true) : 0,
      loadEndAddr: kludge ? dv.getUint32(off + 20, true) : 0,
      bssEndAddr: kludge ? dv.getUint32(off + 24, true) : 0,
      entryAddr: kludge ? dv.getUint32(off + 28, true) : 0,
    };
  }
  return undefined;
}

function aoutSegments(file: Uint8Array, h: MultibootHeader, what: string): { entry: number; segments: LoadSegment[] } {
  if (h.loadAddr > h.headerAddr) throw new BootError(`${what}: multiboot load_addr is above header_addr`);
  const fileStart = h.offset - (h.headerAddr - h.loadAddr);
  if (fileStart < 0) throw new BootError(`${what}: multiboot header addresses point before the start of the file`);
  const loadEnd = h.loadEndAddr === 0 ? h.loadAddr + (file.length - fileStart) : h.loadEndAddr;
  const length = loadEnd - h.loadAddr;
  if (length < 0 || fileStart + length > file.length) throw new BootError(`${what} is truncated: the multiboot header asks for ${length} bytes to load`);
  const memEnd = h.bssEndAddr === 0 ? loadEnd : h.bssEndAddr;
  if (memEnd < loadEnd) throw new BootError(`${what}: multiboot bss_end_addr is below load_end_addr`);
  return {
    entry: h.entryAddr,
    segments: [{ paddr: h.loadAddr, vaddr: h.loadAddr, data: file.subarray(fileStart, fileStart + length), memsz: memEnd - h.loadAddr }],
  };
}

export function checkFits(phys: { ramBytes: number }, start: number, length: number, what: string): void {
  if (start < HIGH_MEMORY_START && start + length > CONVENTIONAL_END) {
    throw new BootError(`${what} overlaps the PC's video and BIOS area (0x${start.toString(16)}, ${length} bytes)`);
  }
  if (start + length > phys.ramBytes) {
    throw new BootError(
      `${what} does not fit in guest memory: it needs up to 0x${(start + length).toString(16)}, ` +
        `the VM has ${phys.ramBytes >>> 20} MiB; raise memoryMB`,
    );
  }
}

/** Writes NUL-terminated strings and structures into the loader's info area, in order. */
class InfoArea {
  constructor(private readonly phys: GuestPhysicalMemory, private next: number) {}
  alloc(length: number, align = 4): number {
    const at = (this.next + align - 1) & ~(align - 1);
    if (at + length > INFO_END) throw new BootError('the multiboot command line and module names are too long');
    this.next = at + length;
    return at;
  }
  string(s: string): number {
    const bytes = new TextEncoder().encode(s + '\0');
    const at = this.alloc(bytes.length, 1);
    this.phys.load(at, bytes);
    return at;
  }
}

/** The kernel's header and what to load: the a.out kludge's addresses when it has them, else its ELF segments. */
export function multibootImage(kernel: Uint8Array, kernelName: string): { header: MultibootHeader; entry: number; segments: LoadSegment[] } {
  const header = findMultibootHeader(kernel);
  if (!header) {
    throw new BootError(`${kernelName} is not a Multiboot kernel: no valid header (magic 0x1BADB002) in its first 8 KiB`);
  }
  const image =
    header.flags & HeaderFlag.AoutKludge ? aoutSegments(kernel, header, kernelName) : isElf(kernel) ? readElfSegments(kernel, kernelName) : undefined;
  if (!image) throw new BootError(`${kernelName} has a Multiboot header without load addresses and is not an ELF file`);
  return { header, ...image };
}

export function loadMultiboot(
  phys: GuestPhysicalMemory,
  kernel: Uint8Array,
  kernelName: string,
  cmdline: string,
  modules: MultibootModule[],
): MultibootBoot {
  const image = multibootImage(kernel, kernelName);
  const header = image.header;

  let end = 0;
  for (const seg of image.segments) {
    checkFits(phys, seg.paddr, seg.memsz, `${kernelName}'s segment at 0x${seg.paddr.toString(16)}`);
    phys.load(seg.paddr, seg.data);
    if (seg.memsz > seg.data.length) phys.load(seg.paddr + seg.data.length, new Uint8Array(seg.memsz - seg.data.length));
    end = Math.max(end, seg.paddr + seg.memsz);
  }

  const info = new InfoArea(phys, INFO_ADDR);
  const mbi = info.alloc(88);
  const mi = new DataView(new ArrayBuffer(88));
  let flags = InfoFlag.Memory | InfoFlag.BootDevice | InfoFlag.Cmdline | InfoFlag.MemoryMap | InfoFlag.BootLoaderName;
  mi.setUint32(4, CONVENTIONAL_END >>> 10, true);
  mi.setUint32(8, Math.max(0, phys.ramBytes - HIGH_MEMORY_START) >>> 10, true);
  mi.setUint32(12, 0xffffffff, true); // no BIOS boot device
  mi.setUint32(16, info.string(cmdline ? `${kernelName} ${cmdline}` : kernelName), true);

  const loaded: MultibootBoot['modules'] = [];
  if (modules.length) {
    const table = info.alloc(16 * modules.length);
    const tv = new DataView(new ArrayBuffer(16 * modules.length));
    let at = (end + 0xfff) & ~0xfff;
    modules.forEach((m, i) => {
      checkFits(phys, at, m.data.length, `module ${m.name}`);
      phys.load(at, m.data);
      const modEnd = at + m.data.length;
      tv.setUint32(i * 16, at, true);
      tv.setUint32(i * 16 + 4, modEnd, true);
      tv.setUint32(i * 16 + 8, info.string(m.cmdline || m.name), true);
      loaded.push({ start: at, end: modEnd, cmdline: m.cmdline });
      at = header.flags & HeaderFlag.PageAlignModules ? (modEnd + 0xfff) & ~0xfff : (modEnd + 3) & ~3;
      end = Math.max(end, modEnd);
    });
    phys.load(table, new Uint8Array(tv.buffer));
    flags |= InfoFlag.Modules;
    mi.setUint32(20, modules.length, true);
    mi.setUint32(24, table, true);
  }

  const map = pcMemoryMap(phys.ramBytes);
  const mmap = info.alloc(24 * map.length);
  const mv = new DataView(new ArrayBuffer(24 * map.length));
  map.forEach((r, i) => {
    mv.setUint32(i * 24, 20, true);
    mv.setUint32(i * 24 + 4, r.base, true);
    mv.setUint32(i * 24 + 12, r.length, true);
    mv.setUint32(i * 24 + 20, r.type, true);
  });
  phys.load(mmap, new Uint8Array(mv.buffer));
  mi.setUint32(44, 24 * map.length, true);
  mi.setUint32(48, mmap, true);
  mi.setUint32(64, info.string('Ringside'), true);
  mi.setUint32(0, flags, true);
  phys.load(mbi, new Uint8Array(mi.buffer));

  const gdt = writeFlatGdt(phys, GDT_ADDR);
  return {
    entry: {
      kind: 'flat32',
      eip: image.entry,
      regs: { eax: BOOTLOADER_MAGIC, ebx: mbi, esp: BOOT_STACK_TOP },
      gdtBase: gdt.base,
      gdtLimit: gdt.limit,
      codeSelector: gdt.code,
      dataSelector: gdt.data,
    },
    end,
    modules: loaded,
  };
}
