import * as fs from 'node:fs';
import * as path from 'node:path';

/** Fixture access that works from the sources and from compiled output (out/ or elsewhere). */

let root: string | undefined;

export function repoRoot(): string {
  if (root) return root;
  const candidates = [__dirname, process.cwd(), '/work/main'];
  for (const start of candidates) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures', 'symbols'))) {
        root = dir;
        return dir;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the repository root (a folder with package.json and test/fixtures/symbols)');
}

export function fixturePath(name: string): string {
  return path.join(repoRoot(), 'test', 'fixtures', 'symbols', name);
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixturePath(name)));
}

export function fixtureText(name: string): string {
  return fs.readFileSync(fixturePath(name), 'utf8');
}

/** "0xADDR file:line" lines from gen-addr2line.sh; line 0 / "?" mean no line information. */
export function addr2line(name: string): Array<{ address: number; file?: string; line: number }> {
  return fixtureText(name)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^0x([0-9a-f]+) (.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(l.trim());
      if (!m) throw new Error(`bad addr2line line: ${l}`);
      const file = m[2] === '??' ? undefined : m[2];
      return { address: parseInt(m[1], 16), file, line: m[3] === '?' ? 0 : Number(m[3]) };
    });
}

export const KERNELS = ['k-O0-dw5.elf', 'k-O2-dw5.elf', 'k-O0-dw4.elf', 'k-O2-dw4.elf', 'k-higher.elf', 'k-dframe.elf'];

/** A memory reader over an ELF's loadable segments (zero-filled .bss), at link-time addresses. */
export function memoryFromSegments(segments: Array<{ vaddr: number; memsz: number; data: Uint8Array }>) {
  return (address: number, size: number): Uint8Array | undefined => {
    for (const s of segments) {
      if (address >= s.vaddr && address + size <= s.vaddr + s.memsz) {
        const out = new Uint8Array(size);
        const off = address - s.vaddr;
        out.set(s.data.subarray(off, Math.min(off + size, s.data.length)));
        return out;
      }
    }
    return undefined;
  };
}

/** Rows of `readelf --debug-dump=decodedline`: base name, line, address (end-of-sequence rows have line 0). */
export function decodedLines(name: string): Array<{ file: string; line: number; address: number }> {
  const out: Array<{ file: string; line: number; address: number }> = [];
  for (const l of fixtureText(name).split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)/.exec(l);
    if (m) out.push({ file: m[1], line: m[2] === '-' ? 0 : Number(m[2]), address: parseInt(m[3], 16) });
  }
  return out;
}
