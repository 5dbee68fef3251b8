import {
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_INITRD_SIZE,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_ENTRY,
  FW_CFG_KERNEL_SIZE,
  le,
  type FwCfg,
} from '../devices/fw-cfg';
import { BootError } from './boot-error';
import { readOptionRom } from './option-rom';
import { checkFits, multibootImage, type MultibootModule } from './multiboot';

export const MULTIBOOT_ROM = 'multiboot_dma.bin';

/**
 * QEMU's layout (hw/i386/multiboot.c), which its multiboot option ROM relies on: the ROM asks INT 15h E820
 * for the memory map and stores it at mmap_addr in real mode, so the map and the info structure sit in low
 * memory; everything else travels in one blob loaded at the kernel's lowest address.
 */
const E820_MAP_ADDR = 0x9000;
const MBI_ADDR = E820_MAP_ADDR + 0x500;
const MBI_BYTES = 88;
const MOD_ENTRY_BYTES = 16;
const PAGE = 4096;
const BOOTLOADER_NAME = 'Ringside';
/** Multiboot info flags QEMU sets: memory, boot device, command line, modules, memory map, boot loader name. */
const MBI_FLAGS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9);

const pageAlign = (n: number) => Math.ceil(n / PAGE) * PAGE;

export interface FirmwareMultibootBoot {
  loadAddr: number;
  entry: number;
  blobSize: number;
  modules: Array<{ start: number; end: number }>;
}

/**
 * `-bios` with a Multiboot `-kernel`, as QEMU does it (this is how QEMU-targeted test suites such as
 * kvm-unit-tests boot): the kernel image, the module table, the command lines and the modules form one blob
 * for address load_addr; the info structure is a second item for 0x9500. QEMU's multiboot_dma.bin option
 * ROM (Debian's qemu-system-data, read at run time) copies both over fw_cfg DMA, fills in the memory sizes and
 * the E820 map from the BIOS, switches to protected mode and jumps to the entry with EAX = 0x2BADB002.
 */
export function loadMultibootThroughFwCfg(
  fw: FwCfg,
  ramBytes: number,
  kernel: Uint8Array,
  kernelName: string,
  cmdline: string,
  modules: MultibootModule[],
  firmwareDir?: string,
): FirmwareMultibootBoot {
  const image = multibootImage(kernel, kernelName);
  const loadAddr = Math.min(...image.segments.map((s) => s.paddr));
  const kernelEnd = Math.max(...image.segments.map((s) => s.paddr + s.memsz));
  if (loadAddr < 0x100000) {
    throw new BootError(`${kernelName} loads at 0x${loadAddr.toString(16)}; under firmware a Multiboot kernel must load at or above 1 MiB`);
  }
  const rom = readOptionRom(MULTIBOOT_ROM, kernelName, firmwareDir);

  const enc = new TextEncoder();
  const strings = [`${kernelName}${cmdline ? ' ' + cmdline : ''}`, ...modules.map((m) => m.cmdline || m.name)].map((s) => enc.encode(s + '\0'));
  const name = enc.encode(BOOTLOADER_NAME + '\0');
  const mbinfo = pageAlign(kernelEnd - loadAddr);
  const cmdlines = mbinfo + MOD_ENTRY_BYTES * modules.length;
  const bootloader = cmdlines + strings.reduce((n, s) => n + s.length, 0);
  let size = pageAlign(bootloader + name.length);
  const placed = modules.map((m) => {
    const at = size;
    size = pageAlign(at + m.data.length);
    return { at, length: m.data.length };
  });
  checkFits({ ramBytes }, loadAddr, size, `${kernelName} with its modules`);

  const blob = new Uint8Array(size);
  for (const seg of image.segments) blob.set(seg.data, seg.paddr - loadAddr);
  const bv = new DataView(blob.buffer);
  let at = cmdlines;
  const stringAddr = strings.map((s) => {
    blob.set(s, at);
    const addr = loadAddr + at;
    at += s.length;
    return addr;
  });
  blob.set(name, bootloader);
  modules.forEach((m, i) => {
    blob.set(m.data, placed[i].at);
    const e = mbinfo + MOD_ENTRY_BYTES * i;
    bv.setUint32(e, loadAddr + placed[i].at, true);
    bv.setUint32(e + 4, loadAddr + placed[i].at + placed[i].length, true);
    bv.setUint32(e + 8, stringAddr[i + 1], true);
  });

  const mbi = new Uint8Array(MBI_BYTES);
  const mv = new DataView(mbi.buffer);
  mv.setUint32(0, MBI_FLAGS, true);
  // mem_lower and mem_upper are the ROM's to fill in from the BIOS, as is mmap_length.
  mv.setUint32(12, 0x8000ffff, true); // boot device: the first hard disk, no partition (as QEMU says)
  mv.setUint32(16, stringAddr[0], true);
  mv.setUint32(20, modules.length, true);
  mv.setUint32(24, loadAddr + mbinfo, true);
  mv.setUint32(48, E820_MAP_ADDR, true);
  mv.setUint32(64, loadAddr + bootloader, true);

  fw.setItem(FW_CFG_KERNEL_ENTRY, le(image.entry, 4));
  fw.setItem(FW_CFG_KERNEL_ADDR, le(loadAddr, 4));
  fw.setItem(FW_CFG_KERNEL_SIZE, le(size, 4));
  fw.setItem(FW_CFG_KERNEL_DATA, blob);
  fw.setItem(FW_CFG_INITRD_ADDR, le(MBI_ADDR, 4));
  fw.setItem(FW_CFG_INITRD_SIZE, le(MBI_BYTES, 4));
  fw.setItem(FW_CFG_INITRD_DATA, mbi);
  fw.addFile(`genroms/${MULTIBOOT_ROM}`, rom);
  fw.addFile('bootorder', enc.encode(`/rom@genroms/${MULTIBOOT_ROM}\n`));
  return { loadAddr, entry: image.entry, blobSize: size, modules: placed.map((p) => ({ start: loadAddr + p.at, end: loadAddr + p.at + p.length })) };
}
