import * as fs from 'fs';
import * as path from 'path';
import { Monitor } from '../vmm/monitor/monitor';
import { ExitTraceReader, TRACE_HEADER } from '../vmm/monitor/exit-trace';
import type { MonitorConfig } from '../vmm/monitor/launch-config';
import type { MonitorEvent, StopEvent } from '../vmm/monitor/protocol';
import { GdbServer } from '../gdb/server';
import { MonitorTarget } from '../gdb/monitor-target';
import { attachConsoleInput } from './console-input';
import type { Chardev, CliOptions } from './qemu-options';

/**
 * One headless run of the monitor, in this process, the way `qemu-system-i386` runs a guest: serial ports and
 * the debug console to stdio or files, the exit status from isa-debug-exit, and optionally a GDB stub that
 * takes over run control.
 */
export function monitorConfig(o: CliOptions): MonitorConfig {
  const abs = (p?: string) => (p ? path.resolve(p) : undefined);
  return {
    vms: Array.from({ length: o.vms }, (_, i) => ({
      name: o.vms > 1 ? `vm${i}` : 'vm',
      kernel: abs(o.kernel),
      cmdline: o.append,
      initrd: abs(o.initrd),
      disks: o.disks.map((d) => ({ ...d, path: path.resolve(d.path) })),
      bios: abs(o.bios),
      firmwareDir: abs(o.firmwareDir),
      memoryMB: o.memoryMB,
      cpus: o.cpus,
      engine: o.engine,
      debugExitPort: o.debugExitPort,
      debugconPort: o.debugconPort,
    })),
  };
}

function sink(target: Chardev): (text: string) => void {
  if (target === 'stdio') return (t) => process.stdout.write(t);
  if (target === 'none') return () => undefined;
  // QEMU truncates a file: chardev when it opens it; writes are synchronous so an exit loses nothing.
  const fd = fs.openSync(target.file, 'w');
  return (t) => fs.writeSync(fd, t, null, 'latin1');
}

/**
 * `--trace-exits FILE`: every VM's monitor exits, in order, in the exit-trace format. The rings are drained
 * after every run slice, and by the ring itself whenever it fills up in between, so no exit is lost. With
 * several VMs each VM's lines are in order; VMs interleave by slice.
 */
function exitTrace(monitor: Monitor, file: string): () => void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, TRACE_HEADER + '\n');
  const write = (lines: string[]) => {
    if (lines.length) fs.writeSync(fd, lines.join('\n') + '\n');
  };
  const readers = monitor.vms.map((v) => new ExitTraceReader(v.name, v.machine.exitRing, write));
  return () => {
    for (const r of readers) write(r.drain());
  };
}

export function runSession(o: CliOptions): void {
  const serial = o.serial.map(sink);
  const debugcon = sink(o.debugcon);
  let live = o.vms;
  // Set once the stub exists; the monitor's event handler, created before it, looks here.
  const debug: { gdb?: GdbServer } = {};
  const started = Date.now();
  const finish = (code: number) => {
    trace?.();
    if (o.stats) {
      process.stderr.write(JSON.stringify(monitor.stats(), null, 1) + '\n');
      process.stderr.write(`ringside: ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    }
    debug.gdb?.close();
    process.exit(code);
  };
  const onStopped = (e: StopEvent) => {
    // A triple fault under -no-reboot ends QEMU with status 0, gdb or not.
    if (e.kind === 'shutdown' && o.noReboot) {
      process.stderr.write(`ringside: ${e.description}${e.text ? '\n' + e.text : ''}\n`);
      finish(0);
    } else if (debug.gdb) {
      debug.gdb.stopped(e);
    } else {
      process.stderr.write(`ringside: ${e.description}${e.text ? '\n' + e.text : ''}\n`);
      finish(1);
    }
  };
  const monitor = new Monitor((e: MonitorEvent) => {
    if (e.event === 'output') {
      const ch = e.body.channel;
      if (ch === 'serial0' || ch === 'serial1') serial[Number(ch[6])]?.(e.body.text);
      else if (ch === 'debugcon') debugcon(e.body.text);
      else process.stderr.write(e.body.text);
    } else if (e.event === 'exited') {
      debug.gdb?.exited(e.body.code);
      if (--live === 0) finish(e.body.code);
    } else if (e.event === 'stopped') {
      onStopped(e.body);
    }
  });
  try {
    monitor.launch(monitorConfig(o));
  } catch (e) {
    process.stderr.write(`ringside: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const trace = o.traceExits ? exitTrace(monitor, o.traceExits) : undefined;
  monitor.afterSlice = trace;
  attachConsoleInput((d) => monitor.serialInput(0, 0, d), () => finish(0));
  if (o.timeoutSec) {
    setTimeout(() => {
      process.stderr.write(`ringside: timeout after ${o.timeoutSec} s\n`);
      finish(124);
    }, o.timeoutSec * 1000).unref();
  }
  if (o.gdbPort === undefined) {
    monitor.resume();
    return;
  }
  const server = new GdbServer(new MonitorTarget(monitor, 0), { kill: () => finish(0), log: (t) => process.stderr.write(`ringside: ${t}\n`) });
  debug.gdb = server;
  server.listen(o.gdbPort).then(
    () => {
      // Like QEMU: -S waits for gdb's first continue or step; otherwise run now, and stop when gdb attaches.
      if (!o.waitForGdb) server.resumeUntilAttach();
    },
    (e: Error) => {
      process.stderr.write(`ringside: -gdb tcp::${o.gdbPort}: ${e.message}\n`);
      process.exit(1);
    },
  );
}
