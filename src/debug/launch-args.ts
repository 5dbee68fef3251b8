import * as fs from 'fs';
import * as path from 'path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EngineKind, MonitorConfig, VmConfig } from '../vmm/monitor/launch-config';

/** The `ringside` launch configuration, as written in launch.json (package.json holds the same schema). */
export interface SymbolFileArg {
  path: string;
  /** Added to every address in the file: where it runs minus where it was linked. */
  offset?: number | string;
}

export interface OtherVmArg {
  name?: string;
  kernel?: string;
  cmdline?: string;
  disks?: (string | { path: string; writable?: boolean })[];
  memoryMB?: number;
  cpus?: number;
  engine?: EngineKind;
  /** QEMU's isa-debug-exit device at port 0xF4 (default true): a guest writing it ends its VM. */
  isaDebugExit?: boolean;
}

export interface RingsideLaunchArgs extends DebugProtocol.LaunchRequestArguments {
  kernel?: string;
  cmdline?: string;
  initrd?: string;
  modules?: (string | { path: string; cmdline?: string })[];
  disks?: (string | { path: string; writable?: boolean })[];
  bios?: string;
  /** Where QEMU's option ROMs are, for `kernel` with `bios` (default /usr/share/qemu). */
  firmwareDir?: string;
  /** Another port for the debug console (its output goes to the Debug Console); 0x402 by default with `bios`. */
  debugconPort?: number;
  memoryMB?: number;
  cpus?: number;
  vms?: number;
  /** More VMs in the same monitor, each a different guest, after the `vms` copies of the one above. */
  otherVms?: OtherVmArg[];
  engine?: EngineKind;
  stopOnEntry?: boolean;
  symbolFiles?: SymbolFileArg[];
  /** Where the first serial port goes: a VS Code terminal, the Debug Console, or a file. */
  serial?: 'terminal' | 'debugConsole' | string;
  /** Asynchronous interrupts are stepped over while stepping; false lets a step land in the handler. */
  stepSkipsInterrupts?: boolean;
  cwd?: string;
}

export interface ValidatedLaunch {
  config: MonitorConfig;
  stopOnEntry: boolean;
  symbolFiles: { path: string; offset: number }[];
  serial: 'terminal' | 'debugConsole' | { file: string };
  stepSkipsInterrupts: boolean;
}

export class LaunchError extends Error {}

function parseOffset(v: number | string | undefined, what: string): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v.trim());
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new LaunchError(`${what}: offset "${v}" is not an integer (use 0xc0000000 or -3221225472)`);
  return n;
}

function intIn(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new LaunchError(`"${name}" must be an integer from ${min} to ${max}; got ${JSON.stringify(v)}`);
  }
  return v;
}

function existingFile(p: string, what: string, cwd: string): string {
  const abs = path.resolve(cwd, p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new LaunchError(`${what} "${p}" does not exist (looked for ${abs})`);
  }
  if (!st.isFile()) throw new LaunchError(`${what} "${p}" is not a file`);
  return abs;
}

export function validateLaunchArgs(given: RingsideLaunchArgs | undefined): ValidatedLaunch {
  const args: RingsideLaunchArgs = given ?? {};
  const cwd = args.cwd ?? process.cwd();
  if (!args.kernel && !args.bios && !(args.disks && args.disks.length)) {
    throw new LaunchError('the launch configuration needs "kernel" (a Multiboot ELF or a bzImage) or "disks" (a disk image to boot), or "bios" (a firmware image)');
  }
  const engine = args.engine ?? 'interpret';
  if (engine !== 'interpret' && engine !== 'direct') throw new LaunchError(`"engine" must be "interpret" or "direct"; got "${engine}"`);
  const memoryMB = intIn(args.memoryMB, 'memoryMB', 2, 3072, 64);
  const cpus = intIn(args.cpus, 'cpus', 1, 8, 1);
  const vms = intIn(args.vms, 'vms', 1, 16, 1);
  const kernel = args.kernel ? existingFile(args.kernel, 'kernel', cwd) : undefined;
  const initrd = args.initrd ? existingFile(args.initrd, 'initrd', cwd) : undefined;
  const modules = (args.modules ?? []).map((m) => {
    const o = typeof m === 'string' ? { path: m } : m;
    return { path: existingFile(o.path, 'module', cwd), cmdline: o.cmdline };
  });
  const disks = (args.disks ?? []).map((d, index) => {
    const o = typeof d === 'string' ? { path: d } : d;
    return { path: existingFile(o.path, 'disk image', cwd), writable: o.writable === true, index };
  });
  const bios = args.bios ? existingFile(args.bios, 'bios', cwd) : undefined;
  const firmwareDir = args.firmwareDir ? path.resolve(cwd, args.firmwareDir) : undefined;
  // SeaBIOS, as Debian and QEMU build it, logs to port 0x402.
  const debugconPort = intIn(args.debugconPort, 'debugconPort', 1, 0xffff, bios ? 0x402 : 0xe9);
  const symbolFiles = (args.symbolFiles ?? []).map((s) => ({
    path: existingFile(s.path, 'symbol file', cwd),
    offset: parseOffset(s.offset, `symbol file ${s.path}`),
  }));
  // User programs' symbol files come in addition to the kernel's, unless the kernel is listed itself.
  if (kernel && !symbolFiles.some((f) => f.path === kernel)) symbolFiles.unshift({ path: kernel, offset: 0 });
  const serial = args.serial === undefined || args.serial === 'terminal' ? 'terminal' : args.serial === 'debugConsole' ? 'debugConsole' : { file: path.resolve(cwd, args.serial) };
  const base: Omit<VmConfig, 'name'> = {
    kernel,
    cmdline: args.cmdline ?? '',
    initrd,
    modules,
    disks,
    bios,
    firmwareDir,
    memoryMB,
    cpus,
    engine,
    debugExitPort: 0xf4,
    debugconPort,
  };
  const others = (args.otherVms ?? []).map((o, i): VmConfig => {
    const what = `otherVms[${i}]`;
    if (!o.kernel && !(o.disks && o.disks.length)) throw new LaunchError(`${what} needs "kernel" or "disks"`);
    const e = o.engine ?? 'interpret';
    if (e !== 'interpret' && e !== 'direct') throw new LaunchError(`${what}: "engine" must be "interpret" or "direct"; got "${e}"`);
    return {
      name: o.name ?? `VM ${vms + i + 1}`,
      kernel: o.kernel ? existingFile(o.kernel, `${what} kernel`, cwd) : undefined,
      cmdline: o.cmdline ?? '',
      modules: [],
      disks: (o.disks ?? []).map((d, index) => {
        const x = typeof d === 'string' ? { path: d } : d;
        return { path: existingFile(x.path, `${what} disk image`, cwd), writable: x.writable === true, index };
      }),
      memoryMB: intIn(o.memoryMB, `${what}.memoryMB`, 2, 3072, 64),
      cpus: intIn(o.cpus, `${what}.cpus`, 1, 8, 1),
      engine: e,
      debugExitPort: o.isaDebugExit === false ? undefined : 0xf4,
    };
  });
  const many = vms > 1 || others.length > 0;
  const config: MonitorConfig = {
    vms: [...Array.from({ length: vms }, (_, i) => ({ ...base, name: many ? `VM ${i + 1}` : 'VM' })), ...others],
  };
  if (config.vms.length > 16) throw new LaunchError(`at most 16 VMs in all; "vms" and "otherVms" ask for ${config.vms.length}`);
  return { config, stopOnEntry: args.stopOnEntry === true, symbolFiles, serial, stepSkipsInterrupts: args.stepSkipsInterrupts !== false };
}
