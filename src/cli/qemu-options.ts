import type { DiskConfig, EngineKind } from '../vmm/monitor/launch-config';

/**
 * The `qemu-system-i386` options that OS course Makefiles use, with QEMU's meaning, plus Ringside's own. Anything
 * else is refused with a message: silently ignoring an option would make a Makefile misbehave quietly.
 */
export interface CliOptions {
  kernel?: string;
  initrd?: string;
  append: string;
  memoryMB: number;
  cpus: number;
  disks: DiskConfig[];
  bios?: string;
  serial: 'stdio' | 'none' | { file: string };
  debugcon: 'stdio' | 'none' | { file: string };
  debugExitPort?: number;
  noReboot: boolean;
  gdbPort?: number;
  waitForGdb: boolean;
  engine: EngineKind;
  vms: number;
  stats: boolean;
  timeoutSec?: number;
  cpuModel: string;
}

export class CliError extends Error {}

const CPU_MODELS = ['pentiumpro', 'pentium2', 'pentium3', 'qemu32', 'max', 'base'];

function memory(v: string): number {
  const m = /^(\d+)([MG]?)B?$/i.exec(v.replace(/^size=/, ''));
  if (!m) throw new CliError(`-m ${v}: expected a size such as 64, 64M or 1G`);
  return Number(m[1]) * (m[2].toUpperCase() === 'G' ? 1024 : 1);
}

function keyValues(v: string): Map<string, string> {
  const out = new Map<string, string>();
  v.split(',').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) out.set(i === 0 ? '_' : part, eq < 0 && i === 0 ? part : '');
    else out.set(part.slice(0, eq), part.slice(eq + 1));
  });
  return out;
}

function chardev(opt: string, v: string): 'stdio' | 'none' | { file: string } {
  if (v === 'stdio' || v === 'mon:stdio') return 'stdio';
  if (v === 'none' || v === 'null') return 'none';
  if (v.startsWith('file:')) return { file: v.slice(5) };
  throw new CliError(`${opt} ${v}: Ringside supports stdio, none, null and file:PATH`);
}

export function parseQemuArgs(argv: string[]): CliOptions {
  const o: CliOptions = { append: '', memoryMB: 128, cpus: 1, disks: [], serial: 'stdio', debugcon: 'none', noReboot: false, waitForGdb: false, engine: 'interpret', vms: 1, stats: false, cpuModel: 'max' };
  let graphic = true;
  let serialSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const opt = a.replace(/^--?/, '-');
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${a} needs a value`);
      return v;
    };
    switch (opt) {
      case '-kernel': o.kernel = next(); break;
      case '-initrd': o.initrd = next(); break;
      case '-append': o.append = next(); break;
      case '-m': o.memoryMB = memory(next()); break;
      case '-smp': {
        const kv = keyValues(next());
        o.cpus = Number(kv.get('cpus') ?? kv.get('_'));
        if (!Number.isInteger(o.cpus) || o.cpus < 1 || o.cpus > 8) throw new CliError(`-smp: Ringside runs 1 to 8 vCPUs per VM`);
        break;
      }
      case '-hda': case '-hdb': case '-hdc': case '-hdd':
        o.disks.push({ path: next(), index: 'abcd'.indexOf(opt[3]) });
        break;
      case '-drive': {
        const kv = keyValues(next());
        const file = kv.get('file');
        if (!file) throw new CliError('-drive needs file=PATH');
        const format = kv.get('format') ?? 'raw';
        if (format !== 'raw') throw new CliError(`-drive format=${format}: Ringside reads raw images only`);
        const media = kv.get('media') ?? 'disk';
        if (media !== 'disk') throw new CliError(`-drive media=${media}: only disks are supported`);
        const index = kv.has('index') ? Number(kv.get('index')) : o.disks.length;
        const writable = !(kv.get('readonly') === 'on' || kv.has('snapshot'));
        o.disks.push({ path: file, index, writable });
        break;
      }
      case '-bios': o.bios = next(); break;
      case '-serial': o.serial = chardev(a, next()); serialSet = true; break;
      case '-debugcon': o.debugcon = chardev(a, next()); break;
      case '-device': {
        const kv = keyValues(next());
        if (kv.get('_') !== 'isa-debug-exit') throw new CliError(`-device ${kv.get('_')}: Ringside provides isa-debug-exit only as an optional device`);
        o.debugExitPort = Number(kv.get('iobase') ?? '0x501');
        break;
      }
      case '-nographic': graphic = false; break;
      case '-display': {
        const v = next();
        if (v !== 'none') throw new CliError(`-display ${v}: Ringside has no graphical display; use -display none or -nographic`);
        graphic = false;
        break;
      }
      case '-no-reboot': o.noReboot = true; break;
      case '-s': o.gdbPort = 1234; break;
      case '-S': o.waitForGdb = true; break;
      case '-gdb': {
        const v = next();
        const m = /^tcp::(\d+)$/.exec(v);
        if (!m) throw new CliError(`-gdb ${v}: use tcp::PORT`);
        o.gdbPort = Number(m[1]);
        break;
      }
      case '-accel': {
        const v = next();
        if (v !== 'tcg') throw new CliError(`-accel ${v}: Ringside is its own accelerator; only -accel tcg is accepted`);
        break;
      }
      case '-cpu': {
        const v = next().split(',')[0];
        if (!CPU_MODELS.includes(v)) throw new CliError(`-cpu ${v}: Ringside implements ${CPU_MODELS.join(', ')}`);
        o.cpuModel = v;
        break;
      }
      case '-engine': {
        const v = next();
        if (v !== 'interpret' && v !== 'direct') throw new CliError(`--engine ${v}: interpret or direct`);
        o.engine = v;
        break;
      }
      case '-vms': o.vms = Number(next()); break;
      case '-stats': o.stats = true; break;
      case '-timeout': o.timeoutSec = Number(next()); break;
      default:
        throw new CliError(`unsupported option ${a}: Ringside accepts the qemu-system-i386 options listed by --help`);
    }
  }
  if (graphic && !serialSet) o.serial = 'stdio';
  if (!o.kernel && !o.disks.length) throw new CliError('nothing to boot: give -kernel FILE or a disk (-hda FILE / -drive file=FILE)');
  if (o.gdbPort !== undefined) throw new CliError('-s/-gdb: the GDB stub is not available yet');
  return o;
}

export const USAGE = `usage: ringside [qemu-system-i386 options]
  -kernel FILE -initrd FILE -append CMDLINE -m MB -smp N
  -hda FILE | -drive file=FILE,format=raw,index=N,media=disk    -bios FILE
  -serial stdio|file:F|none   -debugcon stdio|file:F   -nographic   -display none   -no-reboot
  -device isa-debug-exit,iobase=0xf4,iosize=0x4   -accel tcg   -cpu pentiumpro|pentium3|max
Ringside's own: --engine interpret|direct  --vms N  --stats  --timeout SECONDS`;
