import { BiosShadow } from '../devices/bios-shadow';
import type { MmioHandler } from '../memory/guest-physical';
import type { Machine } from '../monitor/machine';
import { BootError } from './boot-error';

const MAX_SIZE = 1 << 20;
/** What a PC decodes below 1 MiB from the firmware ROM: the last 128 KiB (0xE0000-0xFFFFF). */
const LOW_WINDOW = 128 << 10;

/** The firmware ROM at the top of the 4 GiB space: read-only, writes ignored. */
class Rom implements MmioHandler {
  readonly name = 'bios-rom';
  constructor(private readonly base: number, private readonly bytes: Uint8Array) {}
  read(addr: number, size: 1 | 2 | 4): number {
    const o = (addr >>> 0) - this.base;
    let v = 0;
    for (let i = 0; i < size; i++) v |= (this.bytes[o + i] ?? 0xff) << (8 * i);
    return v;
  }
  write(): void {}
}

/**
 * `-bios FILE`: the image is mapped at the top of 4 GiB (where the vCPU's reset vector 0xFFFFFFF0 fetches)
 * and its last 128 KiB below 1 MiB (ending at 0xFFFFF), read-only, as a PC's chipset decodes it; the i440FX
 * PAM registers then let firmware shadow itself into the DRAM there (devices/bios-shadow.ts), as SeaBIOS
 * does. The vCPUs start from RESET (F000:FFF0).
 */
export function loadFirmwareImage(machine: Machine, image: Uint8Array, name: string): void {
  if (image.length === 0 || image.length % 65536 !== 0 || image.length > MAX_SIZE) {
    throw new BootError(`${name} is not a firmware image: ${image.length} bytes; expected a multiple of 64 KiB up to 1 MiB`);
  }
  const base = 0x100000000 - image.length;
  machine.phys.addMmio(base, image.length, new Rom(base, image));
  const low = image.subarray(Math.max(0, image.length - LOW_WINDOW));
  new BiosShadow(machine.phys, machine.platform.northBridge, low, () => machine.flushTranslations());
}
