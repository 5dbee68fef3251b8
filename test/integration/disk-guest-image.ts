import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../support/repo';

/**
 * Assembles test/integration/disk-guest/smp-disk.S into a 64 KiB disk image (binutils: as, ld, objcopy) in a
 * fresh temporary directory; the caller removes `path.dirname(result)`.
 */
export function buildDiskGuest(): string {
  const src = path.join(repoRoot(), 'test', 'integration', 'disk-guest', 'smp-disk.S');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-disk-guest-'));
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run('as', ['--32', '-o', 'g.o', src]);
  run('ld', ['-m', 'elf_i386', '-Ttext=0x7c00', '-Tbss=0x20000', '-e', 'start', '-o', 'g.elf', 'g.o']);
  run('objcopy', ['-O', 'binary', '-j', '.text', 'g.elf', 'g.bin']);
  const image = Buffer.alloc(64 * 1024);
  fs.readFileSync(path.join(dir, 'g.bin')).copy(image);
  const file = path.join(dir, 'disk.img');
  fs.writeFileSync(file, image);
  return file;
}
