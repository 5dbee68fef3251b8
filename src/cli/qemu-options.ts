import type { DiskConfig, EngineKind } from '../vmm/monitor/launch-config';
import { CliError, parseChardev, parseMemoryMB, splitKeyValues, type Chardev } from './option-values';

export { CliError } from './option-values';
export type { Chardev } from './option-values';

/**
 * The `qemu-system-i386` options that OS course Makefiles use, with QEMU's meaning, plus Ringside's own. Anything
 * else is refused with a message and exit status 1, as QEMU does: silently ignoring an option would make a
 * Makefile misbehave quietly.
 */
export interface CliOptions {
  kernel?: string;
  initrd?: string;
  append: string;
  memoryMB: number;
  cpus: number;
  disks: DiskConfig[];
  bios?: string;
  /** `-L DIR`: where QEMU's option ROMs are (linuxboot_dma.bin for -kernel under -bios). */
  firmwareDir?: string;
  /** COM1 and COM2, in `-serial` order (QEMU's: the first -serial is COM1). */
  serial: Chardev[];
  debugcon: Chardev;
  debugExitPort?: number;
  /** `-device isa-debugcon,iobase=N`: another debug-console port; its bytes go to `-debugcon`'s back end. */
  debugconPort?: number;
  noReboot: boolean;
  gdbPort?: number;
  waitForGdb: boolean;
  engine: EngineKind;
  vms: number;
  stats: boolean;
  /** Write every monitor exit to this file in the exit-trace format (.rstrace). */
  traceExits?: string;
  timeoutSec?: number;
  cpuModel: string;
}

/**
 * CPU models accepted by `-cpu`. Ringside's CPU has one feature set, a Pentium Pro signature (family 6) with
 * everything it implements (x87, TSC, MSR, CX8, SEP, PGE, CMOV...), so each name gets that CPU: `pentiumpro` is
 * exact, the others ask for "at least this", which a course kernel for i386 never exceeds.
 */
export const CPU_MODELS = ['pentiumpro', 'pentium2', 'pentium3', 'qemu32', 'kvm32', 'max', 'base'];

/** QEMU's default RAM for the pc machine. */
const DEFAULT_MEMORY_MB = 128;
/** QEMU's isa-debug-exit default iobase. */
const DEBUG_EXIT_DEFAULT_PORT = 0x501;

function number(opt: string, v: string | undefined, what: string): number {
  const n = v === undefined || v === '' ? NaN : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${opt}: ${what} must be a non-negative integer, not "${v ?? ''}"`);
  return n;
}

function parseSmp(opt: string, v: string): number {
  const kv = splitKeyValues(v);
  for (const k of kv.keys()) {
    if (!['_', 'cpus', 'sockets', 'cores', 'threads', 'maxcpus'].includes(k)) throw new CliError(`${opt} ${v}: unknown key "${k}"`);
  }
  const topo = ['sockets', 'cores', 'threads'].map((k) => (kv.has(k) ? number(opt, kv.get(k), k) : 1));
  const cpus = kv.has('_') ? number(opt, kv.get('_'), 'the CPU count') : kv.has('cpus') ? number(opt, kv.get('cpus'), 'cpus') : topo[0] * topo[1] * topo[2];
  if (cpus < 1 || cpus > 8) throw new CliError(`${opt} ${v}: Ringside runs 1 to 8 vCPUs per VM`);
  return cpus;
}

function parseDrive(opt: string, v: string, taken: number): DiskConfig {
  const kv = splitKeyValues(v);
  const file = kv.get('file');
  if (!file) throw new CliError(`${opt} ${v}: needs file=PATH`);
  for (const k of kv.keys()) {
    if (!['file', 'format', 'index', 'media', 'if', 'readonly', 'snapshot', 'cache'].includes(k)) throw new CliError(`${opt} ${v}: Ringside does not support the "${k}" key`);
  }
  const format = kv.get('format') ?? 'raw';
  if (format !== 'raw') throw new CliError(`${opt} format=${format}: Ringside reads raw images only`);
  const media = kv.get('media') ?? 'disk';
  if (media !== 'disk') throw new CliError(`${opt} media=${media}: only disks are supported (no CD-ROM yet)`);
  const iface = kv.get('if') ?? 'ide';
  if (iface !== 'ide') throw new CliError(`${opt} if=${iface}: Ringside has IDE disks only`);
  const index = kv.has('index') ? number(opt, kv.get('index'), 'index') : taken;
  if (index > 3) throw new CliError(`${opt} index=${index}: IDE has four positions, 0 to 3`);
  // QEMU's snapshot=on and readonly=on both keep the image untouched; the monitor's overlay does that.
  const on = (k: string) => kv.has(k) && ['on', 'true', 'yes', ''].includes(kv.get(k)!);
  return { path: file, index, writable: !(on('readonly') || on('snapshot')) };
}

function parseIobase(opt: string, kv: Map<string, string>, dflt: number): number {
  const port = kv.has('iobase') ? number(opt, kv.get('iobase'), 'iobase') : dflt;
  if (port > 0xffff) throw new CliError(`${opt} iobase=${kv.get('iobase')}: not an I/O port`);
  return port;
}

/** `-device`: the optional ISA devices Ringside has, isa-debug-exit and isa-debugcon. */
function parseDevice(opt: string, v: string, o: CliOptions): void {
  const kv = splitKeyValues(v);
  const name = kv.get('_');
  if (name === 'isa-debug-exit') {
    for (const k of kv.keys()) {
      if (!['_', 'iobase', 'iosize'].includes(k)) throw new CliError(`${opt} ${v}: isa-debug-exit has no "${k}" property`);
    }
    o.debugExitPort = parseIobase(opt, kv, DEBUG_EXIT_DEFAULT_PORT);
  } else if (name === 'isa-debugcon') {
    if (kv.has('chardev')) throw new CliError(`${opt} ${v}: Ringside has no -chardev; drop chardev= and choose the output with -debugcon stdio|file:F`);
    for (const k of kv.keys()) {
      if (!['_', 'iobase'].includes(k)) throw new CliError(`${opt} ${v}: isa-debugcon has no "${k}" property`);
    }
    o.debugconPort = parseIobase(opt, kv, 0xe9);
  } else {
    throw new CliError(`${opt} ${name}: Ringside provides only isa-debug-exit and isa-debugcon as optional devices`);
  }
}

function parseGdb(opt: string, v: string): number {
  // QEMU's chardev spelling: tcp::PORT, tcp:HOST:PORT (Ringside listens on the loopback interface only).
  const m = /^tcp:(?:localhost|127\.0\.0\.1)?:(\d+)$/.exec(v);
  if (!m) throw new CliError(`${opt} ${v}: use tcp::PORT`);
  const port = Number(m[1]);
  if (port < 1 || port > 65535) throw new CliError(`${opt} ${v}: port out of range`);
  return port;
}

export function parseQemuArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    append: '',
    memoryMB: DEFAULT_MEMORY_MB,
    cpus: 1,
    disks: [],
    serial: [],
    debugcon: 'none',
    noReboot: false,
    waitForGdb: false,
    engine: 'interpret',
    vms: 1,
    stats: false,
    cpuModel: 'max',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) throw new CliError(`${a}: a disk image as a bare argument is not supported; use -hda ${a}`);
    const opt = a.replace(/^--?/, '-');
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${a}: requires an argument`);
      return v;
    };
    switch (opt) {
      case '-kernel': o.kernel = next(); break;
      case '-initrd': o.initrd = next(); break;
      case '-append': o.append = next(); break;
      case '-m': o.memoryMB = parseMemoryMB(a, next()); break;
      case '-smp': o.cpus = parseSmp(a, next()); break;
      case '-hda': case '-hdb': case '-hdc': case '-hdd':
        o.disks.push({ path: next(), index: 'abcd'.indexOf(opt[3]), writable: true });
        break;
      case '-drive': o.disks.push(parseDrive(a, next(), o.disks.length)); break;
      case '-bios': o.bios = next(); break;
      case '-L': o.firmwareDir = next(); break;
      case '-serial': {
        if (o.serial.length === 2) throw new CliError(`${a}: Ringside has two serial ports (COM1, COM2)`);
        o.serial.push(parseChardev(a, next()));
        break;
      }
      case '-debugcon': o.debugcon = parseChardev(a, next()); break;
      case '-device': parseDevice(a, next(), o); break;
      // Ringside never has a graphical window: -nographic and -display none only confirm it.
      case '-nographic': break;
      case '-display': {
        const v = next();
        if (v !== 'none') throw new CliError(`${a} ${v}: Ringside has no graphical display; use -display none or -nographic`);
        break;
      }
      case '-no-reboot': o.noReboot = true; break;
      case '-s': o.gdbPort = 1234; break;
      case '-S': o.waitForGdb = true; break;
      case '-gdb': o.gdbPort = parseGdb(a, next()); break;
      case '-accel': {
        const v = next();
        if (v !== 'tcg') throw new CliError(`${a} ${v}: Ringside is its own accelerator; only -accel tcg is accepted`);
        break;
      }
      case '-cpu': {
        const v = next();
        const name = v.split(',')[0];
        if (!CPU_MODELS.includes(name)) throw new CliError(`${a} ${v}: unable to find CPU model '${name}' (Ringside implements ${CPU_MODELS.join(', ')})`);
        if (v.includes(',')) throw new CliError(`${a} ${v}: CPU feature flags are not supported`);
        o.cpuModel = name;
        break;
      }
      case '-engine': {
        const v = next();
        if (v !== 'interpret' && v !== 'direct') throw new CliError(`${a} ${v}: the engines are interpret and direct`);
        o.engine = v;
        break;
      }
      case '-vms': {
        const v = next();
        o.vms = number(a, v, 'the VM count');
        if (o.vms < 1 || o.vms > 16) throw new CliError(`${a} ${v}: 1 to 16 VMs`);
        break;
      }
      case '-stats': o.stats = true; break;
      case '-trace-exits': o.traceExits = next(); break;
      case '-timeout': {
        const v = next();
        const t = Number(v);
        if (!(t > 0)) throw new CliError(`${a} ${v}: a positive number of seconds`);
        o.timeoutSec = t;
        break;
      }
      default:
        throw new CliError(`${a}: invalid option (Ringside accepts the qemu-system-i386 options listed by --help)`);
    }
  }
  // No window: the first serial port is always somewhere the user sees, as with QEMU's -nographic.
  if (!o.serial.length) o.serial.push('stdio');
  if (!o.kernel && !o.bios && !o.disks.length) throw new CliError('nothing to boot: give -kernel FILE, a disk (-hda FILE / -drive file=FILE) or -bios FILE');
  if (o.waitForGdb && o.gdbPort === undefined) throw new CliError('-S without -s or -gdb would wait forever: Ringside has no QEMU monitor to continue from');
  if (o.gdbPort !== undefined && o.vms > 1) throw new CliError('-s/-gdb debug one VM; use --vms 1');
  return o;
}

export const USAGE = `usage: ringside [qemu-system-i386 options]
  -kernel FILE -initrd FILE -append CMDLINE -m SIZE[M|G] -smp N -bios FILE
  -L DIR (QEMU's option ROMs: -kernel with -bios loads Linux through linuxboot_dma.bin; default /usr/share/qemu)
  -hda FILE | -drive file=FILE,format=raw,index=N,media=disk[,if=ide][,readonly=on|snapshot=on]
  -serial stdio|mon:stdio|file:F|none|null (twice: COM1, COM2)   -debugcon stdio|file:F|none
  -device isa-debug-exit[,iobase=0xf4,iosize=0x4]   -device isa-debugcon,iobase=0x402 (to -debugcon's output)
  -nographic   -display none   -no-reboot
  -s (gdb on tcp::1234)   -gdb tcp::PORT   -S (wait for gdb)   -accel tcg
  -cpu ${CPU_MODELS.join('|')}
Ringside's own: --engine interpret|direct  --vms N  --stats  --timeout SECONDS  --trace-exits FILE.rstrace
Exit status: as QEMU's (isa-debug-exit: (value << 1) | 1); 1 for a bad option; 124 on --timeout.
With stdin on a terminal, Ctrl-A x quits and Ctrl-A Ctrl-A sends Ctrl-A, as in QEMU.`;
