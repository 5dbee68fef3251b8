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
  | { ok: false; reason: string };

/**
 * Where this kernel cannot run i386 programs (IA-32 emulation off, as on these sandboxes), the same oracle
 * binary runs under Debian's QEMU user-mode emulator: a second-best oracle (QEMU's TCG, not silicon) that
 * nobody here wrote. Its known departures from the SDM are listed in known-divergences.ts with the reason.
 */
const QEMU_USER = ['qemu-i386-static', 'qemu-i386'];

function probe(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { input: '{"cmd":"info"}\n', encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0 || !r.stdout.includes('"info"')) return r.error ? r.error.message : `exit ${r.status} ${r.stderr ?? ''}`.trim();
  return undefined;
}

/**
 * Runs scripts/build-oracle.sh once per process (it is idempotent and cheap when up to date) and probes that
 * the result actually executes: a 64-bit kernel without IA-32 emulation builds it fine but refuses to run it.
 */
let buildMemo: OracleBuild | undefined;
export function buildOracle(root: string): OracleBuild {
  if (buildMemo) return buildMemo;
  const script = path.join(root, 'scripts', 'build-oracle.sh');
  const b = spawnSync('sh', [script], { encoding: 'utf8', timeout: 600_000 });
  if (b.status !== 0) {
    buildMemo = { ok: false, reason: `scripts/build-oracle.sh failed: ${(b.stderr || b.error?.message || '').trim()}` };
    return buildMemo;
  }
  let binary = b.stdout.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(binary)) {
    buildMemo = { ok: false, reason: `scripts/build-oracle.sh printed no binary (${binary})` };
    return buildMemo;
  }
  const why = probe(binary, []);
  if (why === undefined) {
    buildMemo = { ok: true, binary, name: 'the real CPU' };
    return buildMemo;
  }
  // Opt-in until the QEMU-only divergences are sorted out (see known-divergences.ts).
  if (process.env.RINGSIDE_ORACLE_QEMU === '1') {
    const q = spawnSync('sh', [script, '--qemu'], { encoding: 'utf8', timeout: 600_000 });
    const qemuBinary = q.status === 0 ? q.stdout.trim().split('\n').pop() ?? '' : '';
    for (const runner of qemuBinary ? QEMU_USER : []) {
      if (probe(runner, [qemuBinary]) === undefined) {
        binary = qemuBinary;
        buildMemo = { ok: true, binary, runner, name: `QEMU user mode (${runner}; this kernel cannot run i386 binaries: ${why})` };
        return buildMemo;
      }
    }
  }
  buildMemo = {
    ok: false,
    reason: `the oracle builds but cannot run on this machine (${why}); it needs a kernel that runs i386 ` +
      `binaries (CONFIG_IA32_EMULATION, not disabled with ia32_emulation=off) or qemu-i386-static`,
  };
  return buildMemo;
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

  constructor(binary: string, opts: { timeoutMs?: number; runner?: string } = {}) {
    const args = opts.timeoutMs ? ['--timeout-ms', String(opts.timeoutMs)] : [];
    this.proc = opts.runner
      ? spawn(opts.runner, [binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (s: string) => { this.stderr = (this.stderr + s).slice(-4000); });
    this.proc.stdin.on('error', () => { /* reported through 'exit' */ });
    this.proc.on('error', (e) => this.fail(e));
    this.proc.on('exit', (code, sig) =>
      this.fail(new Error(`oracle exited (code ${code}, signal ${sig}) ${this.stderr.trim()}`)));
  }

  private onData(chunk: string): void {
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
    const out: Promise<OracleResponse>[] = new Array(reqs.length);
    for (let i = 0; i < reqs.length; i += chunk) {
      const end = Math.min(reqs.length, i + chunk);
      if (this.dead) throw this.dead;
      let text = '';
      for (let k = i; k < end; k++) {
        text += JSON.stringify(reqs[k]) + '\n';
        out[k] = new Promise<OracleResponse>((resolve, reject) => this.pending.push({ resolve, reject }));
      }
      this.proc.stdin.write(text);
      if (i + chunk - window >= 0 && i + chunk - window < reqs.length) await out[Math.max(0, i + chunk - window)];
    }
    return Promise.all(out);
  }

  async info(): Promise<OracleInfo> {
    return (await this.send('{"cmd":"info"}')) as unknown as OracleInfo;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      this.proc.stdin.end();
    });
  }
}
