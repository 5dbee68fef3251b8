import * as fs from 'fs';
import * as path from 'path';
import { BootError } from './boot-error';

/** Where QEMU keeps its option ROMs on Debian (package qemu-system-data). */
export const DEFAULT_FIRMWARE_DIR = '/usr/share/qemu';

/**
 * One of QEMU's boot option ROMs (linuxboot_dma.bin, multiboot_dma.bin), read at run time from Debian's
 * qemu-system-data and never shipped: firmware runs it to load a `-kernel` from fw_cfg.
 */
export function readOptionRom(rom: string, kernelName: string, firmwareDir = DEFAULT_FIRMWARE_DIR): Uint8Array {
  const romPath = path.join(firmwareDir, rom);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(romPath));
  } catch {
    throw new BootError(
      `booting ${kernelName} under firmware (bios with kernel) needs QEMU's option ROM ${romPath}: ` +
        `install Debian's qemu-system-data, or give the folder that has ${rom} (firmwareDir, CLI -L)`,
    );
  }
  if (bytes.length < 512 || bytes[0] !== 0x55 || bytes[1] !== 0xaa) throw new BootError(`${romPath} is not an option ROM (no 55 AA signature)`);
  return bytes;
}
