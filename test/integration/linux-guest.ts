import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Monitor } from '../../src/vmm/monitor/monitor';
import type { ShadowStats } from '../../src/vmm/memory/shadow/counters';
import type { MonitorEvent } from '../../src/vmm/monitor/protocol';
import type { EngineKind } from '../../src/vmm/monitor/launch-config';
import { repoRoot } from '../support/repo';

/**
 * The reference Linux guest (Debian's 686 kernel + a busybox initramfs), built by the shared anchor's
 * make-initramfs.sh into the repository's git-ignored .cache. Building is idempotent: a second call reuses
 * the downloaded packages and returns at once.
 */
export interface LinuxGuest {
  dir: string;
  kernel: string;
  initrd: string;
  expected: string[];
}

export function linuxGuest(): LinuxGuest {
  const root = repoRoot();
  const dir = path.join(root, '.cache', 'linux-guest');
  const kernel = path.join(dir, 'vmlinuz');
  const initrd = path.join(dir, 'initramfs.cpio.gz');
  const expectedFile = path.join(dir, 'expected.txt');
  if (![kernel, initrd, expectedFile].every((f) => fs.existsSync(f))) {
    const script = process.env.RINGSIDE_LINUX_GUEST_SCRIPT ?? path.resolve(root, '..', 'shared', 'anchors', 'linux-guest', 'make-initramfs.sh');
    if (!fs.existsSync(script)) throw new Error(`cannot build the Linux guest: ${script} not found (set RINGSIDE_LINUX_GUEST_SCRIPT)`);
    execFileSync('bash', [script, dir], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  }
  const expected = fs.readFileSync(expectedFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return { dir, kernel, initrd, expected };
}

export interface BootResult {
  console: string;
  exit?: { code: number; reason: string };
  stop?: string;
  seconds: number;
  /** Seconds from the start to the first RINGSIDE-AUTO-DONE on the console. */
  doneSeconds?: number;
  instructions: number;
  /** The VM's shadow page-table counters at the end. */
  shadow: ShadowStats;
  /** What the firmware logged on its debug console (port 0x402), when booted under `bios`. */
  firmwareLog: string;
  /** The VM's monitor exits by reason at the end. */
  exits: Record<string, number>;
  /** The `until` text appeared (the run was stopped there). */
  reachedUntil: boolean;
}

/**
 * `bios`: boot through this firmware image (SeaBIOS), which loads the kernel from fw_cfg, as under QEMU.
 * `engine`: the execution engine (default interpret). `until`: stop as soon as the console shows this text.
 */
export interface BootOptions {
  bios?: string;
  engine?: EngineKind;
  until?: string;
}

/** Boots the guest headless in this process, as `ringside -kernel ... -nographic` does, until it stops. */
export function bootLinux(
  g: LinuxGuest,
  cpus: number,
  cmdline: string,
  timeoutMs: number,
  onText?: (t: string) => void,
  opts: BootOptions = {},
): Promise<BootResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let text = '';
    let firmwareLog = '';
    let doneSeconds: number | undefined;
    let settled = false;
    const finish = (r: Partial<BootResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const vm = monitor.stats().vms[0];
      monitor.terminate();
      resolve({
        console: text,
        seconds: (Date.now() - started) / 1000,
        doneSeconds,
        instructions: vm.instructions,
        shadow: vm.shadow,
        firmwareLog,
        exits: { ...vm.exits },
        reachedUntil: opts.until !== undefined && text.includes(opts.until),
        ...r,
      });
    };
    const monitor = new Monitor((e: MonitorEvent) => {
      if (e.event === 'output') {
        if (e.body.channel === 'debugcon') firmwareLog += e.body.text;
        if (e.body.channel !== 'serial0') return;
        text += e.body.text;
        onText?.(e.body.text);
        if (doneSeconds === undefined && text.includes('RINGSIDE-AUTO-DONE')) doneSeconds = (Date.now() - started) / 1000;
        if (opts.until !== undefined && text.includes(opts.until)) setImmediate(() => finish({}));
      } else if (e.event === 'exited') finish({ exit: { code: e.body.code, reason: e.body.reason ?? '' } });
      else if (e.event === 'stopped') finish({ stop: `${e.body.description}${e.body.text ? ': ' + e.body.text : ''}` });
    });
    try {
      const firmware = opts.bios ? { bios: opts.bios, debugconPort: 0x402 } : {};
      monitor.launch({ vms: [{ name: 'linux', kernel: g.kernel, initrd: g.initrd, cmdline, memoryMB: 256, cpus, engine: opts.engine ?? 'interpret', ...firmware }] });
    } catch (e) {
      reject(e);
      return;
    }
    const timer = setTimeout(() => finish({ stop: `timeout after ${timeoutMs / 1000} s` }), timeoutMs);
    monitor.resume();
  });
}

/** The expected.txt check: each line, with {CPUS} replaced, must be a substring of some console line (\r stripped). */
export function missingLines(expected: string[], consoleText: string, cpus: number): string[] {
  const lines = consoleText.replace(/\r/g, '').split('\n');
  return expected.map((l) => l.replace(/\{CPUS\}/g, String(cpus))).filter((l) => !lines.some((c) => c.includes(l)));
}
