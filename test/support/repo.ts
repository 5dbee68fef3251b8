import * as fs from 'fs';
import * as path from 'path';

/** The repository root, found from a compiled test's location (out/test/...). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'out') {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
}

export const sampleKernelDir = (): string => path.join(repoRoot(), 'samples', 'workspace', 'kernel');
export const sampleKernel = (): string => path.join(sampleKernelDir(), 'kernel.elf');
