/**
 * The small value syntaxes inside QEMU options: sizes (`-m 64M`), key=value lists (`-drive file=a,index=0`) and
 * character devices (`-serial file:out.txt`). Kept apart from the option table so each can be tested alone.
 */
export class CliError extends Error {}

/** Where a character device's bytes go. */
export type Chardev = 'stdio' | 'none' | { file: string };

const SIZE_SHIFT: Record<string, number> = { '': 20, k: 10, m: 20, g: 30, t: 40 };

/** `-m` as QEMU reads it: a bare number is MiB; suffixes k, M, G, T; also `size=...`. Returns whole MiB. */
export function parseMemoryMB(opt: string, v: string): number {
  const m = /^(\d+)([kKmMgGtT]?)$/.exec(v.replace(/^size=/, ''));
  if (!m) throw new CliError(`${opt} ${v}: expected a size such as 64, 64M or 1G`);
  const bytes = Number(m[1]) * 2 ** SIZE_SHIFT[m[2].toLowerCase()];
  const mb = bytes / 2 ** 20;
  if (!Number.isInteger(mb)) throw new CliError(`${opt} ${v}: Ringside sizes RAM in whole MiB`);
  // 2 MiB: below that not even a Multiboot kernel at 1 MiB fits; 3 GiB: the rest of 4 GiB is the PCI hole.
  if (mb < 2 || mb > 3072) throw new CliError(`${opt} ${v}: Ringside gives a VM 2 MiB to 3 GiB of RAM`);
  return mb;
}

/**
 * QEMU's option lists: `name,key=value,...`. A first item without `=` is stored under `_` (the device name, the
 * CPU count); a later item without `=` is a flag with an empty value.
 */
export function splitKeyValues(v: string): Map<string, string> {
  const out = new Map<string, string>();
  v.split(',').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0) out.set('_', part);
      else out.set(part, '');
    } else {
      out.set(part.slice(0, eq), part.slice(eq + 1));
    }
  });
  return out;
}

/** `-serial` and `-debugcon` back ends. `mon:stdio` is stdio: Ringside has no QEMU monitor to multiplex. */
export function parseChardev(opt: string, v: string): Chardev {
  if (v === 'stdio' || v === 'mon:stdio') return 'stdio';
  if (v === 'none' || v === 'null') return 'none';
  if (v.startsWith('file:') && v.length > 5) return { file: v.slice(5) };
  throw new CliError(`${opt} ${v}: '${v}' is not a character device Ringside supports (stdio, mon:stdio, none, null, file:PATH)`);
}
