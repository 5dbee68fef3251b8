import type { GuestPhysicalMemory } from '../memory/guest-physical';
import { BootError } from './boot-error';
import type { FlatProtectedEntry } from './entry-state';
import { HIGH_MEMORY_START, pcMemoryMap } from './memory-map';

/**
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst), 32-bit entry: what GRUB's `linux` command
 * and `qemu -kernel` do for a bzImage, without running the kernel's real-mode setup code. The loader fills
 * the zero page (struct boot_params) itself: the setup header copied from the image plus the loader's fields,
 * the e820 map, the command line and the initrd, then jumps to code32_start with ESI pointing at it.
 */

/** Setup header fields, by offset in the image (and in boot_params, where the header sits at the same place). */
const enum Hdr {
  SetupSects = 0x1f1,
  Syssize = 0x1f4,
  BootFlag = 0x1fe,
  Jump = 0x200,
  Magic = 0x202,
  Version = 0x206,
  TypeOfLoader = 0x210,
  LoadFlags = 0x211,
  Code32Start = 0x214,
  RamdiskImage = 0x218,
  RamdiskSize = 0x21c,
  HeapEndPtr = 0x224,
  CmdLinePtr = 0x228,
  InitrdAddrMax = 0x22c,
  KernelAlignment = 0x230,
  RelocatableKernel = 0x234,
  CmdlineSize = 0x238,
  PrefAddress = 0x258,
  InitSize = 0x260,
}

/** boot_params fields outside the setup header. */
const enum Bp {
  OrigVideoMode = 0x06,
  OrigVideoCols = 0x07,
  OrigVideoLines = 0x0e,
  OrigVideoIsVga = 0x0f,
  OrigVideoPoints = 0x10,
  ExtMemK = 0x02,
  AltMemK = 0x1e0,
  E820Entries = 0x1e8,
  E820Table = 0x2d0,
  Size = 0x1000,
}

const HDRS_MAGIC = 0x53726448; // "HdrS"
const LOADED_HIGH = 0x01;
const CAN_USE_HEAP = 0x80;
/** "Undefined" boot loader ID: Ringside has no assigned one. */
const LOADER_ID = 0xff;
const E820_MAX = 128;
/** The oldest protocol with a 32-bit command line pointer and initrd_addr_max (2.03). */
const MIN_VERSION = 0x0203;
const CMDLINE_DEFAULT_MAX = 255;

/** Loader-owned memory in conventional RAM: zero page, command line, a GDT and a stack, below the EBDA. */
export const ZERO_PAGE = 0x10000;
export const CMDLINE_ADDR = 0x20000;
const GDT_ADDR = 0x11000;
const STACK_TOP = 0x10000;
/** The boot protocol's selectors for 32-bit entry: __BOOT_CS and __BOOT_DS. */
const BOOT_CS = 0x10;
const BOOT_DS = 0x18;

export interface BzImageHeader {
  version: number;
  setupSects: number;
  /** Offset in the file of the protected-mode kernel. */
  kernelOffset: number;
  kernelSize: number;
  loadFlags: number;
  code32Start: number;
  initrdAddrMax: number;
  cmdlineSize: number;
  relocatable: boolean;
  kernelAlignment: number;
  prefAddress: number;
  initSize: number;
  /** The end (exclusive) of the setup header in the file: 0x202 + the jump's byte displacement. */
  headerEnd: number;
  /** The human-readable kernel version string, if the header points at one. */
  kernelVersion?: string;
}

export function isBzImage(file: Uint8Array): boolean {
  return file.length >= Hdr.Magic + 4 && new DataView(file.buffer, file.byteOffset).getUint32(Hdr.Magic, true) === HDRS_MAGIC;
}

/** Parses and checks the setup header; every way a file can fail to be a bootable bzImage is a BootError. */
export function parseBzImage(file: Uint8Array, what: string): BzImageHeader {
  if (file.length < 0x264 && !isBzImage(file)) {
    throw new BootError(`${what} is not a Linux kernel: ${file.length} bytes is too short for a bzImage setup header`);
  }
  if (!isBzImage(file)) throw new BootError(`${what} is not a Linux bzImage: no "HdrS" signature at offset 0x202`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = dv.getUint16(Hdr.Version, true);
  const v = `${version >> 8}.${(version & 0xff).toString().padStart(2, '0')}`;
  if (version < MIN_VERSION) throw new BootError(`${what} uses Linux boot protocol ${v}; Ringside needs 2.03 or later`);
  if (dv.getUint16(Hdr.BootFlag, true) !== 0xaa55) throw new BootError(`${what}: the setup header has no 0xAA55 boot flag`);
  const loadFlags = file[Hdr.LoadFlags];
  if (!(loadFlags & LOADED_HIGH)) throw new BootError(`${what} is a zImage (loaded low); only bzImage kernels are supported`);
  const headerEnd = 0x202 + file[Hdr.Jump + 1];
  const field32 = (off: number, dflt: number) => (off + 4 <= headerEnd ? dv.getUint32(off, true) : dflt);
  const setupSects = file[Hdr.SetupSects] || 4;
  const kernelOffset = (setupSects + 1) * 512;
  if (kernelOffset >= file.length) {
    throw new BootError(`${what} is truncated: its setup code claims ${kernelOffset} bytes but the file has ${file.length}`);
  }
  const syssize = version >= 0x0204 ? dv.getUint32(Hdr.Syssize, true) : dv.getUint16(Hdr.Syssize, true);
  const kernelSize = file.length - kernelOffset;
  if (syssize * 16 > kernelSize) {
    throw new BootError(
      `${what} is truncated: the header says the protected-mode kernel is ${syssize * 16} bytes, the file has ${kernelSize} after the setup code`,
    );
  }
  let kernelVersion: string | undefined;
  const kvOff = dv.getUint16(0x20e, true);
  if (kvOff) {
    const at = kvOff + 0x200;
    let end = at;
    while (end < file.length && end < at + 256 && file[end] !== 0) end++;
    kernelVersion = new TextDecoder('latin1').decode(file.subarray(at, end));
  }
  return {
    version,
    setupSects,
    kernelOffset,
    kernelSize,
    loadFlags,
    code32Start: dv.getUint32(Hdr.Code32Start, true),
    initrdAddrMax: field32(Hdr.InitrdAddrMax, 0x37ffffff),
    cmdlineSize: version >= 0x0206 ? field32(Hdr.CmdlineSize, CMDLINE_DEFAULT_MAX) : CMDLINE_DEFAULT_MAX,
    relocatable: version >= 0x0205 && file[Hdr.RelocatableKernel] !== 0,
    kernelAlignment: version >= 0x0205 ? field32(Hdr.KernelAlignment, 0) : 0,
    prefAddress: version >= 0x020a ? field32(Hdr.PrefAddress, 0) : 0,
    initSize: version >= 0x020a ? field32(Hdr.InitSize, 0) : 0,
    headerEnd,
    kernelVersion,
  };
}

export interface LinuxBoot {
  entry: FlatProtectedEntry;
  header: BzImageHeader;
  kernel: { start: number; end: number };
  initrd?: { start: number; end: number };
  zeroPage: number;
}

/** Where the initrd goes: as high as allowed, page aligned, above everything the kernel will use. */
function placeInitrd(ramBytes: number, h: BzImageHeader, size: number, kernelEnd: number, what: string): number {
  const limit = Math.min(h.initrdAddrMax + 1, ramBytes);
  const start = Math.floor((limit - size) / 4096) * 4096;
  if (size > ramBytes || start < kernelEnd) {
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    throw new BootError(
      `${what} (${mib(size)}) does not fit in guest memory: ${mib(ramBytes)} of RAM, the kernel needs up to ${mib(kernelEnd)}` +
        ` and the initrd must end below ${mib(limit)}; raise memoryMB`,
    );
  }
  return start;
}

/**
 * The checks every Linux loader makes before it places anything: the kernel fits (the decompressor needs
 * init_size bytes from its run address), the command line fits, and where the initrd goes. Shared by the
 * direct 32-bit boot here and the firmware boot through fw_cfg (linux-fw-cfg.ts).
 */
export function planLinuxLoad(
  h: BzImageHeader,
  ram: number,
  kernelName: string,
  cmdline: string,
  initrd?: { name: string; data: Uint8Array },
  initrdCeiling = ram,
): { kernelEnd: number; cmd: Uint8Array; initrd?: { start: number; end: number } } {
  const load = HIGH_MEMORY_START;
  const runAddr = h.relocatable ? Math.max(load, h.prefAddress) : load;
  const kernelEnd = Math.max(load + h.kernelSize, runAddr + h.initSize);
  if (kernelEnd > ram) {
    throw new BootError(
      `${kernelName} needs guest memory up to 0x${kernelEnd.toString(16)} (${Math.ceil(kernelEnd / 1048576)} MiB) to decompress and run; ` +
        `the VM has ${ram >>> 20} MiB; raise memoryMB`,
    );
  }
  const cmd = new TextEncoder().encode(cmdline);
  if (cmd.length > h.cmdlineSize) {
    throw new BootError(`the kernel command line is ${cmd.length} bytes; ${kernelName} accepts at most ${h.cmdlineSize}`);
  }
  let rd: { start: number; end: number } | undefined;
  if (initrd) {
    const start = placeInitrd(Math.min(ram, initrdCeiling), h, initrd.data.length, kernelEnd, `initrd ${initrd.name}`);
    rd = { start, end: start + initrd.data.length };
  }
  return { kernelEnd, cmd, initrd: rd };
}

export function loadLinux(
  phys: GuestPhysicalMemory,
  image: Uint8Array,
  kernelName: string,
  cmdline: string,
  initrd?: { name: string; data: Uint8Array },
): LinuxBoot {
  const h = parseBzImage(image, kernelName);
  const ram = phys.ramBytes;
  const load = HIGH_MEMORY_START;
  const pm = image.subarray(h.kernelOffset);
  const { cmd, initrd: rd } = planLinuxLoad(h, ram, kernelName, cmdline, initrd);

  phys.load(load, pm);
  if (rd && initrd) phys.load(rd.start, initrd.data);
  const cmdBytes = new Uint8Array(cmd.length + 1);
  cmdBytes.set(cmd);
  phys.load(CMDLINE_ADDR, cmdBytes);

  const zp = new Uint8Array(Bp.Size);
  const z = new DataView(zp.buffer);
  zp.set(image.subarray(Hdr.SetupSects, Math.min(h.headerEnd, image.length)), Hdr.SetupSects);
  zp[Hdr.TypeOfLoader] = LOADER_ID;
  zp[Hdr.LoadFlags] = (h.loadFlags | CAN_USE_HEAP) & ~0x20; // not QUIET: the user wants the messages
  // The real-mode heap would end just below the command line if the setup code ran (it does not).
  z.setUint16(Hdr.HeapEndPtr, 0xde00, true);
  z.setUint32(Hdr.Code32Start, load, true);
  z.setUint32(Hdr.CmdLinePtr, CMDLINE_ADDR, true);
  z.setUint32(Hdr.RamdiskImage, rd ? rd.start : 0, true);
  z.setUint32(Hdr.RamdiskSize, rd ? rd.end - rd.start : 0, true);
  // 80x25 colour text, as the BIOS would have left it, so the VGA console works too.
  zp[Bp.OrigVideoMode] = 3;
  zp[Bp.OrigVideoCols] = 80;
  zp[Bp.OrigVideoLines] = 25;
  zp[Bp.OrigVideoIsVga] = 1;
  z.setUint16(Bp.OrigVideoPoints, 16, true);
  const extK = Math.max(0, ram - HIGH_MEMORY_START) >>> 10;
  z.setUint16(Bp.ExtMemK, Math.min(extK, 0xfc00), true);
  z.setUint32(Bp.AltMemK, extK, true);
  const map = pcMemoryMap(ram).slice(0, E820_MAX);
  zp[Bp.E820Entries] = map.length;
  map.forEach((r, i) => {
    const o = Bp.E820Table + 20 * i;
    z.setUint32(o, r.base, true);
    z.setUint32(o + 8, r.length, true);
    z.setUint32(o + 16, r.type, true);
  });
  phys.load(ZERO_PAGE, zp);

  // GDT: null, unused, then __BOOT_CS (0x10) and __BOOT_DS (0x18), flat 4 GiB.
  const gdt = new Uint8Array(32);
  const g = new DataView(gdt.buffer);
  g.setUint32(BOOT_CS, 0x0000ffff, true);
  g.setUint32(BOOT_CS + 4, 0x00cf9a00, true);
  g.setUint32(BOOT_DS, 0x0000ffff, true);
  g.setUint32(BOOT_DS + 4, 0x00cf9200, true);
  phys.load(GDT_ADDR, gdt);

  return {
    entry: {
      kind: 'flat32',
      eip: load,
      // The protocol wants ESI = boot_params and EBP, EDI, EBX zero; interrupts off (applyEntry clears IF).
      regs: { esi: ZERO_PAGE, esp: STACK_TOP },
      gdtBase: GDT_ADDR,
      gdtLimit: gdt.length - 1,
      codeSelector: BOOT_CS,
      dataSelector: BOOT_DS,
    },
    header: h,
    kernel: { start: load, end: load + pm.length },
    initrd: rd,
    zeroPage: ZERO_PAGE,
  };
}
