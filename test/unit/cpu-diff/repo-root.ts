import * as fs from 'fs';
import * as path from 'path';

/** The repository root: the nearest folder above `from` that holds package.json (works from src and from out/). */
export function repoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}
