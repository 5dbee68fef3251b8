/**
 * `ringside`: boots a guest headless with qemu-system-i386's options, so `make qemu QEMU=ringside` works. Runs
 * the same monitor as the debugger, in this process; the exit status is QEMU's (isa-debug-exit's value).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Monitor } from '../vmm/monitor/monitor';
import type { MonitorConfig } from '../vmm/monitor/launch-config';
import type { MonitorEvent } from '../vmm/monitor/protocol';
import { CliError, parseQemuArgs, USAGE } from './qemu-options';

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(USAGE + '\n');
    process.exit(argv.length === 0 ? 1 : 0);
  }
  let o;
  try {
    o = parseQemuArgs(argv);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`ringside: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const abs = (p?: string) => (p ? path.resolve(p) : undefined);
  const config: MonitorConfig = {
    vms: Array.from({ length: o.vms }, (_, i) => ({
      name: o.vms > 1 ? `vm${i}` : 'vm',
      kernel: abs(o.kernel),
      cmdline: o.append,
      initrd: abs(o.initrd),
      disks: o.disks.map((d) => ({ ...d, path: path.resolve(d.path) })),
      bios: abs(o.bios),
      memoryMB: o.memoryMB,
      cpus: o.cpus,
      engine: o.engine,
      debugExitPort: o.debugExitPort,
    })),
  };
  const sink = (target: typeof o.serial) =>
    target === 'stdio' ? (t: string) => process.stdout.write(t) : target === 'none' ? () => undefined : (t: string) => fs.appendFileSync(target.file, t);
  const serial = sink(o.serial);
  const debugcon = sink(o.debugcon);
  let exitCode = 0;
  let live = o.vms;
  const started = Date.now();
  const finish = (code: number) => {
    if (o.stats) process.stderr.write(JSON.stringify(monitor.stats(), null, 1) + '\n');
    process.stderr.write(o.stats ? `ringside: ${((Date.now() - started) / 1000).toFixed(2)} s\n` : '');
    process.exit(code);
  };
  const monitor = new Monitor((e: MonitorEvent) => {
    if (e.event === 'output') {
      if (e.body.channel === 'serial0') serial(e.body.text);
      else if (e.body.channel === 'debugcon') debugcon(e.body.text);
      else if (e.body.channel === 'monitor') process.stderr.write(e.body.text);
    } else if (e.event === 'exited') {
      exitCode = e.body.code;
      if (--live === 0) finish(exitCode);
    } else if (e.event === 'stopped') {
      process.stderr.write(`ringside: ${e.body.description}${e.body.text ? '\n' + e.body.text : ''}\n`);
      finish(e.body.kind === 'shutdown' && o.noReboot ? 0 : 1);
    }
  });
  try {
    monitor.launch(config);
  } catch (e) {
    process.stderr.write(`ringside: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (process.stdin.isTTY) process.stdin.setRawMode?.(true);
  process.stdin.on('data', (d: Buffer) => monitor.serialInput(0, 0, d.toString('latin1')));
  process.stdin.on('error', () => undefined);
  if (o.timeoutSec) {
    setTimeout(() => {
      process.stderr.write(`ringside: timeout after ${o.timeoutSec} s\n`);
      finish(124);
    }, o.timeoutSec * 1000).unref();
  }
  monitor.resume();
}

main(process.argv.slice(2));
