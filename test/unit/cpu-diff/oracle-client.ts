import { spawn, spawnSync, ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * A client for the native oracle (../shared/anchors/native-oracle): one persistent process speaking JSON
 * lines, requests pipelined in windows so the oracle never waits for us and our memory stays bounded.
 * Protocol and field meanings: native-oracle/README.md, "Protocol".
 */

export interface OracleRequest {
  id?: number | string;
  code: string;
  regs?: number[];
  eflags?: number;
  fpu?: { cw: number; sw?: number; tw?: number; st: string[] };
  mem?: { addr: number; hex: string }[];
  readonly_pages?: number[];
  unmapped_pages?: number[];
  read?: { addr: number; len: number }[];
}

export interface OracleResponse {
  id: unknown;
  status: 'ok' | 'exception' | 'timeout' | 'syscall' | 'error' | 'info';
  error?: string;
  vector?: number;
  exception?: string;
  error_code?: number;
  cr2?: number;
  syscall_nr?: number;
  signal?: string;
  si_code?: number;
  eip: number;
  eip_abs: number;
  regs: { eax: number; ecx: number; edx: number; ebx: number; esp: number; ebp: number; esi: number; edi: number };
  eflags: number;
  segs: Record<string, number>;
  mem: { addr: number; hex: string }[];
  read?: { addr: number; hex: string }[];
  fpu: { cw: number; sw: number; tw: number; st: string[] };
}

export interface OracleInfo {
  status: 'info';
  layout: Record<string, unknown>;
  harness_maps: unknown;
}

/** Outcome of building the oracle: the binary's path, or why it cannot run here. */
export type OracleBuild =
  | { ok: true; binary: string; /** Program that runs the binary (QEMU user mode), or none for native. */ runner?: string; name: string }
  | { ok: false; reason: string; /** The environment asked for this oracle: its absence is a failure, not a skip. */ forced: boolean };

/** Which oracle the differential test uses: RINGSIDE_DIFF_ORACLE (auto, native, qemu, off). */
export type OracleChoice = 'auto' | 'native' | 'qemu' | 'off';

export function oracleChoice(env: NodeJS.ProcessEnv = process.env): OracleChoice {
  const v = (env.RINGSIDE_DIFF_ORACLE ?? '').toLowerCase();
  if (v === 'auto' || v === 'native' || v === 'qemu' || v === 'off') return v;
  if (v) throw new Error(`RINGSIDE_DIFF_ORACLE=${v}: expected auto, native, qemu or off`);
  // The switch of earlier sessions: RINGSIDE_ORACLE_QEMU=1 asks for QEMU, =0 for the real CPU only.
  if (env.RINGSIDE_ORACLE_QEMU === '1') return 'qemu';
  if (env.RINGSIDE_ORACLE_QEMU === '0') return 'native';
  return 'auto';
}

/**
 * Where this kernel cannot run i386 programs (IA-32 emulation off, as on these sandboxes), the same oracle
 * binary runs under Debian's QEMU user-mode emulator (package qemu-user-static, installed by scripts/setup.sh):
 * a second-best oracle (QEMU's TCG, not silicon) that nobody here wrote. Its known departures from the SDM are
 * listed in known-divergences.ts with the reason.
 */
const QEMU_USER = ['qemu-i386-static', 'qemu-i386'];

function probe(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { input: '{"cmd":"info"}\n', encoding: 'utf8', timeout: 20_000 });
  if (!r.error && r.status === 0 && r.stdout.includes('"info"')) return undefined;
  // execvp runs a file the kernel refuses (ENOEXEC) as a shell script: sh then chokes on the ELF bytes (or exits
  // before reading our request: EPIPE).
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (args.length === 0 && (code === 'EPIPE' || /Syntax error/.test(r.stderr ?? ''))) {
    return 'the kernel refuses to execute the i386 ELF binary (ENOEXEC: no IA-32 emulation)';
  }
  if (r.error) return r.error.message;
  return `exit ${r.status} ${r.stderr ?? ''}`.trim();
}

function runBuild(script: string, args: string[]): { binary?: string; why?: string } {
  const b = spawnSync('sh', [script, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (b.status !== 0) return { why: `scripts/build-oracle.sh ${args.join(' ')} failed: ${(b.stderr || b.error?.message || '').trim()}` };
  const binary = b.stdout.trim().split('\n').pop() ?? '';
  return fs.existsSync(binary) ? { binary } : { why: `scripts/build-oracle.sh printed no binary (${binary})` };
}

/**
 * Picks the oracle (oracleChoice): the real CPU when the oracle binary runs here, else (auto or qemu) the same
 * binary's QEMU variant under qemu-i386-static. Runs scripts/build-oracle.sh (idempotent, cheap when up to
 * date) and probes that the result actually executes: a 64-bit kernel without IA-32 emulation builds it fine
 * but refuses to run it. Memoised per process.
 */
let buildMemo: OracleBuild | undefined;
export function buildOracle(root: string, choice: OracleChoice = oracleChoice()): OracleBuild {
  if (buildMemo) return buildMemo;
  buildMemo = select(root, choice);
  return buildMemo;
}

function select(root: string, choice: OracleChoice): OracleBuild {
  if (choice === 'off') return { ok: false, reason: 'disabled by RINGSIDE_DIFF_ORACLE=off', forced: false };
  const script = path.join(root, 'scripts', 'build-oracle.sh');
  let nativeWhy: string | undefined;
  if (choice !== 'qemu') {
    const n = runBuild(script, []);
    nativeWhy = n.why ?? probe(n.binary!, []);
    if (nativeWhy === undefined) return { ok: true, binary: n.binary!, name: 'the real CPU' };
    if (choice === 'native') return { ok: false, reason: `the native oracle cannot run here: ${nativeWhy}`, forced: true };
  }
  const q = runBuild(script, ['--qemu']);
  const tried: string[] = [];
  for (const runner of q.binary ? QEMU_USER : []) {
    const why = probe(runner, [q.binary!]);
    if (why === undefined) {
      const because = nativeWhy ? `; this kernel cannot run i386 binaries: ${nativeWhy}` : '';
      return { ok: true, binary: q.binary!, runner, name: `QEMU user mode (${runner}${because})` };
    }
    tried.push(`${runner}: ${why}`);
  }
  const qemuWhy = q.why ?? `no QEMU user-mode emulator runs it (${tried.join('; ')}); scripts/setup.sh installs ` +
    'qemu-user-static';
  if (choice === 'qemu') return { ok: false, reason: `the QEMU oracle cannot run here: ${qemuWhy}`, forced: true };
  return {
    ok: false, forced: false,
    reason: `the oracle cannot run on this machine: natively ${nativeWhy} (it needs a kernel that runs i386 ` +
      `binaries: CONFIG_IA32_EMULATION, not disabled with ia32_emulation=off), and under QEMU ${qemuWhy}`,
  };
}

interface Pending {
  resolve: (r: OracleResponse) => void;
  reject: (e: Error) => void;
}

export class OracleClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  /** FIFO of callers; `head` avoids O(n) shifts on long batches. */
  private pending: (Pending | undefined)[] = [];
  private head = 0;
  private partial = '';
  private dead: Error | undefined;
  private stderr = '';

  /** When the last answer came (or the first request went out after a quiet spell): see `stallMs`. */
  private lastProgress = Date.now();
  private stallTimer: NodeJS.Timeout | undefined;

  /**
   * `stallMs`: kill the process when requests are pending and no answer came for that long. A QEMU process can
   * spin inside QEMU itself (seen once in a process whose EFLAGS were poisoned: a minute at 70% CPU, no answer,
   * the oracle's own watchdog never ran); killing it lets the caller ask the rest again on a fresh process.
   */
  constructor(binary: string, opts: { timeoutMs?: number; runner?: string; stallMs?: number } = {}) {
    const args = opts.timeoutMs ? ['--timeout-ms', String(opts.timeoutMs)] : [];
    this.proc = opts.runner
      ? spawn(opts.runner, [binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    if (opts.stallMs) {
      const limit = opts.stallMs;
      this.stallTimer = setInterval(() => {
        if (this.head < this.pending.length && Date.now() - this.lastProgress > limit) {
          this.stderr += `\n[no answer for ${limit} ms with requests pending: killed]`;
          this.proc.kill('SIGKILL');
        }
      }, Math.min(1000, limit));
      this.stallTimer.unref();
    }
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (s: string) => { this.stderr = (this.stderr + s).slice(-4000); });
    this.proc.stdin.on('error', () => { /* reported through 'exit' */ });
    this.proc.on('error', (e) => this.fail(e));
    this.proc.on('exit', (code, sig) => {
      if (this.stallTimer) clearInterval(this.stallTimer);
      this.fail(new Error(`oracle exited (code ${code}, signal ${sig}) ${this.stderr.trim()}`));
    });
  }

  private onData(chunk: string): void {
    this.lastProgress = Date.now();
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      this.partial += chunk;
      return;
    }
    let line = this.partial + chunk.slice(0, nl);
    this.partial = '';
    for (;;) {
      const p = this.take();
      if (p) {
        try {
          p.resolve(JSON.parse(line) as OracleResponse);
        } catch {
          p.reject(new Error(`bad oracle line: ${line.slice(0, 200)}`));
        }
      }
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      line = chunk.slice(start, nl);
    }
    this.partial = chunk.slice(start);
  }

  private take(): Pending | undefined {
    if (this.head >= this.pending.length) return undefined;
    const p = this.pending[this.head];
    this.pending[this.head++] = undefined;
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    }
    return p;
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    const rest = this.pending.slice(this.head);
    this.pending = [];
    this.head = 0;
    for (const p of rest) p?.reject(err);
  }

  /** One raw line (already JSON), resolved with the matching response. */
  private send(line: string): Promise<OracleResponse> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      if (this.head >= this.pending.length) this.lastProgress = Date.now();
      this.pending.push({ resolve, reject });
      this.proc.stdin.write(line + '\n');
    });
  }

  run(req: OracleRequest): Promise<OracleResponse> {
    return this.send(JSON.stringify(req));
  }

  /**
   * Runs many cases, pipelined: requests go out in chunks, and a new chunk is written only when the oracle has
   * answered all but `window` requests, so the pipe always holds work but never the whole batch.
   */
  async runBatch(reqs: readonly OracleRequest[], chunk = 256, window = 2048): Promise<OracleResponse[]> {
    return Promise.all(await this.send_(reqs, chunk, window));
  }

  /**
   * As runBatch, but a process that dies (or prints something that is not an answer) mid-batch does not lose the
   * answers it gave: each request gets its answer or the error, in order.
   */
  async runBatchSettled(reqs: readonly OracleRequest[], chunk = 256, window = 2048): Promise<(OracleResponse | Error)[]> {
    const settled = await Promise.allSettled(await this.send_(reqs, chunk, window));
    return settled.map((r) => r.status === 'fulfilled' ? r.value : r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
  }

  private async send_(reqs: readonly OracleRequest[], chunk: number, window: number): Promise<Promise<OracleResponse>[]> {
    const out: Promise<OracleResponse>[] = new Array(reqs.length);
    for (let i = 0; i < reqs.length; i += chunk) {
      const end = Math.min(reqs.length, i + chunk);
      if (this.dead) {
        for (let k = i; k < reqs.length; k++) out[k] = Promise.reject(this.dead);
        break;
      }
      if (this.head >= this.pending.length) this.lastProgress = Date.now();
      let text = '';
      for (let k = i; k < end; k++) {
        text += JSON.stringify(reqs[k]) + '\n';
        out[k] = new Promise<OracleResponse>((resolve, reject) => this.pending.push({ resolve, reject }));
        out[k].catch(() => undefined); // observed by the caller; never an unhandled rejection meanwhile
      }
      this.proc.stdin.write(text);
      if (i + chunk - window >= 0 && i + chunk - window < reqs.length) {
        await out[Math.max(0, i + chunk - window)].catch(() => undefined);
      }
    }
    return out;
  }

  async info(): Promise<OracleInfo> {
    return (await this.send('{"cmd":"info"}')) as unknown as OracleInfo;
  }

  /** Ends the process: EOF on its input, then SIGKILL if it has not exited 5 s later (a hung QEMU must not keep the test alive). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      this.proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.proc.stdin.end();
    });
  }
}
