import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../support/repo';

/**
 * Builds a test guest from test/fixtures/guests/<name>.S with binutils (as --32, ld -m elf_i386) into a temporary
 * folder. Undefined when binutils is missing, so the caller can skip rather than fail.
 */
export function buildGuest(name: string): string | undefined {
  const src = path.join(repoRoot(), 'test', 'fixtures', 'guests', `${name}.S`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-guest-'));
  const obj = path.join(dir, `${name}.o`);
  const elf = path.join(dir, `${name}.elf`);
  try {
    execFileSync('as', ['--32', '-g', '-o', obj, src], { stdio: 'pipe' });
    execFileSync('ld', ['-m', 'elf_i386', '-n', '-Ttext=0x100000', '-e', '_start', '-o', elf, obj], { stdio: 'pipe' });
    return elf;
  } catch {
    return undefined;
  }
}
