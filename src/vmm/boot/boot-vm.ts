import * as fs from 'fs';
import * as path from 'path';
import type { Machine } from '../monitor/machine';
import type { VmConfig } from '../monitor/launch-config';
import { BootError } from './boot-error';
import { bootFromDisk } from './disk-boot';
import { loadFirmwareImage } from './firmware-image';
import { isBzImage, loadLinux } from './linux';
import { loadLinuxThroughFwCfg } from './linux-fw-cfg';
import { findMultibootHeader, loadMultiboot, type MultibootModule } from './multiboot';
import { loadMultibootThroughFwCfg } from './multiboot-fw-cfg';

export function readInput(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BootError(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** The initrd (first, as QEMU's -initrd) and the modules of a Multiboot boot. */
function multibootModules(vc: VmConfig): MultibootModule[] {
  const modules = (vc.modules ?? []).map((m) => ({ name: path.basename(m.path), data: readInput(m.path, 'module'), cmdline: m.cmdline ?? '' }));
  if (vc.initrd) modules.unshift({ name: path.basename(vc.initrd), data: readInput(vc.initrd, 'initrd'), cmdline: path.basename(vc.initrd) });
  return modules;
}

/** Looks at the kernel file and takes the boot path it calls for. Never writes any input file. */
export function bootVm(machine: Machine, vc: VmConfig): void {
  // Every path loads above 1 MiB and every kernel expects the gate open (a PC comes out of reset with it so).
  machine.setA20(true);
  const con = machine.platform.debugConsole;
  if (vc.debugconPort !== undefined && vc.debugconPort !== 0xe9) con.attach(machine.io, vc.debugconPort);
  // Under firmware (`bios`) the monitor places nothing: fw_cfg carries the kernel and the firmware's option ROM
  // loads it, as under QEMU. Without firmware the monitor loads it and starts the boot vCPU at its entry.
  if (vc.bios) loadFirmwareImage(machine, readInput(vc.bios, 'firmware image'), path.basename(vc.bios));
  if (!vc.kernel) {
    if (!vc.bios) bootFromDisk(machine, vc);
    return;
  }
  const kernel = readInput(vc.kernel, 'kernel');
  const name = path.basename(vc.kernel);
  const fw = machine.platform.fwCfg;
  if (findMultibootHeader(kernel)) {
    const modules = multibootModules(vc);
    if (vc.bios) loadMultibootThroughFwCfg(fw, machine.phys.ramBytes, kernel, name, vc.cmdline ?? '', modules, vc.firmwareDir);
    else machine.applyEntry(loadMultiboot(machine.phys, kernel, name, vc.cmdline ?? '', modules).entry);
    return;
  }
  if (isBzImage(kernel)) {
    if (vc.modules?.length) throw new BootError(`${name} is a Linux kernel: modules are a Multiboot feature; use initrd`);
    const initrd = vc.initrd ? { name: path.basename(vc.initrd), data: readInput(vc.initrd, 'initrd') } : undefined;
    if (vc.bios) loadLinuxThroughFwCfg(fw, machine.phys.ramBytes, kernel, name, vc.cmdline ?? '', initrd, vc.firmwareDir);
    else machine.applyEntry(loadLinux(machine.phys, kernel, name, vc.cmdline ?? '', initrd).entry);
    return;
  }
  throw new BootError(`${name} is not a kernel Ringside can boot: neither a Multiboot kernel nor a Linux bzImage`);
}
