import * as fs from 'fs';
import * as path from 'path';
import type { Machine } from '../monitor/machine';
import type { VmConfig } from '../monitor/launch-config';
import { BootError } from './boot-error';
import { findMultibootHeader, loadMultiboot } from './multiboot';

function readInput(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BootError(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** Looks at the kernel file and takes the boot path it calls for. Never writes any input file. */
export function bootVm(machine: Machine, vc: VmConfig): void {
  if (!vc.kernel) throw new BootError('booting from a disk image is not supported yet; give a kernel');
  const kernel = readInput(vc.kernel, 'kernel');
  const name = path.basename(vc.kernel);
  if (findMultibootHeader(kernel)) {
    const modules = (vc.modules ?? []).map((m) => ({ name: path.basename(m.path), data: readInput(m.path, 'module'), cmdline: m.cmdline ?? '' }));
    if (vc.initrd) modules.unshift({ name: path.basename(vc.initrd), data: readInput(vc.initrd, 'initrd'), cmdline: path.basename(vc.initrd) });
    const boot = loadMultiboot(machine.phys, kernel, name, vc.cmdline ?? '', modules);
    machine.applyEntry(boot.entry);
    return;
  }
  if (kernel.length > 0x206 && kernel[0x202] === 0x48 && kernel[0x203] === 0x64 && kernel[0x204] === 0x72 && kernel[0x205] === 0x53) {
    throw new BootError(`${name} is a Linux bzImage; the Linux boot protocol is not supported yet`);
  }
  throw new BootError(`${name} is not a kernel Ringside can boot: neither a Multiboot kernel nor a Linux bzImage`);
}
