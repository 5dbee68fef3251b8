import * as fs from 'fs';
import { CowOverlayBackend, FileBlockBackend, SECTOR_SIZE } from '../devices/block-backend';
import type { DiskConfig } from '../monitor/launch-config';
import type { IdeDisks } from '../monitor/machine';
import { BootError } from './boot-error';

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EISDIR') return 'it is a directory';
  return (e as Error).message;
}

/**
 * Opens the launch configuration's disk images for the IDE channels. The image is opened read-only and the
 * guest writes to an in-memory copy-on-write overlay unless the disk is `writable`, so a user's image is never
 * changed by accident; a writable disk must be openable for writing or the VM does not start.
 */
export function openDisks(disks: DiskConfig[] | undefined): IdeDisks {
  const out: IdeDisks = [undefined, undefined, undefined, undefined];
  (disks ?? []).forEach((d, i) => {
    const index = d.index ?? i;
    if (index < 0 || index > 3) throw new BootError(`disk ${d.path}: IDE index ${index} is not 0-3`);
    if (out[index]) throw new BootError(`disk ${d.path}: IDE position ${index} is already taken`);
    let st: fs.Stats;
    try {
      st = fs.statSync(d.path);
    } catch (e) {
      throw new BootError(`cannot open disk image ${d.path}: ${why(e)}`);
    }
    const size = st.size;
    if (size < SECTOR_SIZE) throw new BootError(`disk image ${d.path} is ${size} bytes: smaller than one 512-byte sector`);
    const hint = ' for writing (the configuration asks to write it: drop "writable" in launch.json, or give readonly=on or snapshot=on to -drive, to use a copy-on-write overlay)';
    // The file's write bits are the user's "do not touch": honoured even for root, whose open() would succeed.
    if (d.writable && (st.mode & 0o222) === 0) {
      throw new BootError(`cannot open disk image ${d.path}${hint}: the file is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`);
    }
    let base: FileBlockBackend;
    try {
      base = new FileBlockBackend(d.path, { writable: !!d.writable });
    } catch (e) {
      throw new BootError(`cannot open disk image ${d.path}${d.writable ? hint : ''}: ${why(e)}`);
    }
    out[index] = new CowOverlayBackend(base, { writeThrough: !!d.writable });
  });
  return out;
}
