import type { Machine } from '../monitor/machine';
import type { VmConfig } from '../monitor/launch-config';
import { Bios } from '../firmware/bios';
import { SECTOR_SIZE } from '../devices/block-backend';
import { BootError } from './boot-error';

const BOOT_SECTOR = 0x7c00;

/**
 * A PC disk boot: Ringside's BIOS (firmware/bios.ts) is installed, the first sector of the first disk is
 * loaded at 0000:7C00 and run in real mode with DL = the BIOS drive number, interrupts on, as a PC BIOS does.
 */
export function bootFromDisk(machine: Machine, vc: VmConfig): void {
  const index = machine.disks.findIndex((d) => d);
  const disk = index >= 0 ? machine.disks[index] : undefined;
  if (!disk) throw new BootError('nothing to boot: give a kernel, or a disk image with a boot sector');
  const path = vc.disks?.find((d, i) => (d.index ?? i) === index)?.path ?? `disk ${index}`;
  const sector = new Uint8Array(SECTOR_SIZE);
  disk.read(0, 1, sector);
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    throw new BootError(`${path} is not bootable: its first sector does not end with the boot signature 55 AA`);
  }
  const bios = new Bios({
    phys: machine.phys,
    io: machine.io,
    disks: machine.disks,
    cpu: () => machine.currentCpu,
    setA20: (on) => machine.setA20(on),
    a20: () => machine.a20Enabled,
    stop: (reason) => machine.powerOff(1, reason),
  });
  bios.attach(machine.io);
  bios.install();
  machine.phys.load(BOOT_SECTOR, sector);
  machine.applyEntry({ kind: 'real', cs: 0, ip: BOOT_SECTOR, ds: 0, ss: 0, regs: { edx: 0x80 + index, esp: BOOT_SECTOR }, interrupts: true });
}
