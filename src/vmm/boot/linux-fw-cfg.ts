import {
  FW_CFG_CMDLINE_ADDR,
  FW_CFG_CMDLINE_DATA,
  FW_CFG_CMDLINE_SIZE,
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_INITRD_SIZE,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_SIZE,
  FW_CFG_SETUP_ADDR,
  FW_CFG_SETUP_DATA,
  FW_CFG_SETUP_SIZE,
  le,
  type FwCfg,
} from '../devices/fw-cfg';
import { HIGH_MEMORY_START } from './memory-map';
import { parseBzImage, planLinuxLoad } from './linux';
import { readOptionRom } from './option-rom';

export const LINUXBOOT_ROM = 'linuxboot_dma.bin';

/** QEMU's layout for a relocatable-era bzImage (protocol 2.02+, loaded high): setup at 64 KiB, command line at 128 KiB. */
const SETUP_ADDR = 0x10000;
const CMDLINE_ADDR = 0x20000;
const TYPE_OF_LOADER = 0x210;
const LOAD_FLAGS = 0x211;
const RAMDISK_IMAGE = 0x218;
const RAMDISK_SIZE = 0x21c;
const HEAP_END_PTR = 0x224;
const CMD_LINE_PTR = 0x228;
const CAN_USE_HEAP = 0x80;
/** "Undefined" boot loader ID, as in the direct boot: Ringside has no assigned one. */
const LOADER_ID = 0xff;
/**
 * SeaBIOS keeps its tables (ACPI, SMBIOS, its high allocations) in the top 256 KiB of RAM below 4 GiB; the
 * initrd is placed below them. The option ROM may move it lower still, to where INT 15h E801 says RAM ends.
 */
const FIRMWARE_HIGH_ZONE = 256 << 10;

export interface FirmwareLinuxBoot {
  setupSize: number;
  kernelSize: number;
  initrd?: { start: number; end: number };
}

/**
 * `-bios` with `-kernel`, done as QEMU does it: the kernel is not placed in memory by the monitor. The setup
 * code (with the loader's fields filled in), the protected-mode kernel, the initrd and the command line become
 * fw_cfg items, and QEMU's own Linux loader option ROM (linuxboot_dma.bin from Debian's qemu-system-data,
 * read at run time, never shipped) goes in as "genroms/linuxboot_dma.bin", first in the boot order. The
 * firmware (SeaBIOS) runs the ROM as a boot device; it fetches everything over fw_cfg DMA and enters the
 * kernel's 16-bit setup code in real mode, which then asks the BIOS for the e820 map and switches to
 * protected mode itself, as on a PC.
 */
export function loadLinuxThroughFwCfg(
  fw: FwCfg,
  ramBytes: number,
  image: Uint8Array,
  kernelName: string,
  cmdline: string,
  initrd: { name: string; data: Uint8Array } | undefined,
  firmwareDir?: string,
): FirmwareLinuxBoot {
  const h = parseBzImage(image, kernelName);
  const plan = planLinuxLoad(h, ramBytes, kernelName, cmdline, initrd, ramBytes - FIRMWARE_HIGH_ZONE);
  const rom = readOptionRom(LINUXBOOT_ROM, kernelName, firmwareDir);

  const setup = image.slice(0, h.kernelOffset);
  const sv = new DataView(setup.buffer);
  setup[TYPE_OF_LOADER] = LOADER_ID;
  setup[LOAD_FLAGS] |= CAN_USE_HEAP;
  sv.setUint16(HEAP_END_PTR, CMDLINE_ADDR - SETUP_ADDR - 0x200, true);
  sv.setUint32(CMD_LINE_PTR, CMDLINE_ADDR, true);
  sv.setUint32(RAMDISK_IMAGE, plan.initrd?.start ?? 0, true);
  sv.setUint32(RAMDISK_SIZE, initrd?.data.length ?? 0, true);
  const cmd = new Uint8Array(plan.cmd.length + 1);
  cmd.set(plan.cmd);

  fw.setItem(FW_CFG_SETUP_ADDR, le(SETUP_ADDR, 4));
  fw.setItem(FW_CFG_SETUP_SIZE, le(setup.length, 4));
  fw.setItem(FW_CFG_SETUP_DATA, setup);
  fw.setItem(FW_CFG_KERNEL_ADDR, le(HIGH_MEMORY_START, 4));
  fw.setItem(FW_CFG_KERNEL_SIZE, le(h.kernelSize, 4));
  fw.setItem(FW_CFG_KERNEL_DATA, image.subarray(h.kernelOffset));
  if (initrd && plan.initrd) {
    fw.setItem(FW_CFG_INITRD_ADDR, le(plan.initrd.start, 4));
    fw.setItem(FW_CFG_INITRD_SIZE, le(initrd.data.length, 4));
    fw.setItem(FW_CFG_INITRD_DATA, initrd.data);
  }
  fw.setItem(FW_CFG_CMDLINE_ADDR, le(CMDLINE_ADDR, 4));
  fw.setItem(FW_CFG_CMDLINE_SIZE, le(cmd.length, 4));
  fw.setItem(FW_CFG_CMDLINE_DATA, cmd);
  fw.addFile(`genroms/${LINUXBOOT_ROM}`, rom);
  // SeaBIOS boots the devices named here first: the ROM's boot entry vector, before any disk.
  fw.addFile('bootorder', new TextEncoder().encode(`/rom@genroms/${LINUXBOOT_ROM}\n`));
  return { setupSize: setup.length, kernelSize: h.kernelSize, initrd: plan.initrd };
}
