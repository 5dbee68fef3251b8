import { spawn, spawnSync, ChildProcessWithoutNullStreams } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The 64-bit silicon oracle (oracle64.c): built at test time with the host's gcc into .cache/native64 (one binary
 * per source version); one persistent process, hex-token lines pipelined. Wire format: oracle64.c's header.
 */

export interface Request64 {
  code64: Uint8Array;
  code32: Uint8Array;
  regs: number[];
  eflags: number;
  /** x87 image: cw, sw, tw and ST(0)..ST(7) as 10 bytes little-endian; undefined = FNINIT state. */
  fpu?: { cw: number; sw: number; tw: number; st: Uint8Array[] };
  mem: { addr: number; bytes: Uint8Array }[];
  readonlyPages: number[];
  unmappedPages: number[];
}

export interface Response64 {
  status: 'ok' | 'exc' | 'timeout';
  trapno: number;
  err: number;
  cr2: number;
  /** 64-bit RIP (a JS number: below 2^53). */
  rip: number;
  regs: number[];
  eflags: number;
  fpu: { cw: number; sw: number; tw: number; st: Uint8Array[] };
  /** Changed runs of the data region. */
  changes: { addr: number; bytes: Uint8Array }[];
}

/**
 * `skippable`: the host cannot have this oracle (not x86-64, no C compiler). A compile error or a binary that
 * does not answer is a broken oracle, and the tests fail on it instead of skipping.
 */
export type Build64 = { ok: true; binary: string } | { ok: false; reason: string; skippable: boolean };

const hx = (b: ArrayLike<number>): string => Buffer.from(b as Uint8Array).toString('hex');
const h = (v: number): string => (v >>> 0).toString(16);

export function encodeRequest(r: Request64): string {
  const t: string[] = [hx(r.code64), hx(r.code32), ...r.regs.map(h), h(r.eflags)];
  t.push(r.fpu ? [h(r.fpu.cw), h(r.fpu.sw), h(r.fpu.tw), ...r.fpu.st.map(hx)].join(',') : '-');
  t.push(h(r.mem.length));
  for (const m of r.mem) t.push(h(m.addr), hx(m.bytes));
  t.push(h(r.readonlyPages.length), ...r.readonlyPages.map(h));
  t.push(h(r.unmappedPages.length), ...r.unmappedPages.map(h));
  return t.join(' ');
}

export function parseResponse(line: string): Response64 {
  const t = line.trim().split(/ +/);
  if (t[0] !== 'ok' && t[0] !== 'exc' && t[0] !== 'timeout') throw new Error(`oracle64: ${line.slice(0, 200)}`);
  const n = (i: number): number => parseInt(t[i], 16);
  const st: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) st.push(Uint8Array.from(Buffer.from(t[17 + i], 'hex')));
  const changes: Response64['changes'] = [];
  const nchg = n(25);
  for (let k = 0; k < nchg; k++) changes.push({ addr: n(26 + 2 * k), bytes: Uint8Array.from(Buffer.from(t[27 + 2 * k], 'hex')) });
  return {
    status: t[0], trapno: n(1), err: n(2), cr2: n(3), rip: n(4),
    regs: [5, 6, 7, 8, 9, 10, 11, 12].map(n), eflags: n(13),
    fpu: { cw: n(14), sw: n(15), tw: n(16), st }, changes,
  };
}

let memo: Build64 | undefined;

/** Compiles oracle64.c (when the binary is older than the source) and checks that it answers. */
export function buildOracle64(root: string): Build64 {
  if (memo) return memo;
  if (os.arch() !== 'x64') return (memo = { ok: false, reason: `host is ${os.arch()}, not x86-64`, skippable: true });
  const src = path.join(root, 'test', 'unit', 'cpu-diff', 'native64', 'oracle64.c');
  const dir = path.join(root, '.cache', 'native64');
  // Named by the source's hash: .cache is shared between checkouts that may hold different versions.
  const hash = crypto.createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 12);
  const bin = path.join(dir, `oracle64-${hash}`);
  const gcc = ['gcc', 'cc'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!gcc) return (memo = { ok: false, reason: 'no gcc/cc on PATH (scripts/setup.sh installs build-essential)', skippable: true });
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(bin)) {
    const tmp = `${bin}.${process.pid}`;
    const c = spawnSync(gcc, ['-O2', '-Wall', '-o', tmp, src], { encoding: 'utf8' });
    if (c.status !== 0) return (memo = { ok: false, reason: `${gcc} failed on oracle64.c: ${c.stderr}`, skippable: false });
    fs.renameSync(tmp, bin);
  }
  const p = spawnSync(bin, [], { input: 'info\n', encoding: 'utf8', timeout: 20_000 });
  if (p.status !== 0 || !p.stdout.startsWith('info')) {
    return (memo = { ok: false, reason: `oracle64 does not run: exit ${p.status} ${p.stderr ?? ''}`.trim(), skippable: false });
  }
  return (memo = { ok: true, binary: bin });
}

/** A persistent oracle64 process; answers arrive in request order. */
export class Oracle64 {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  private head = 0;
  private partial = '';
  private dead: Error | undefined;
  private stderr = '';

  constructor(binary: string) {
    this.proc = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (s: string) => this.onData(s));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (s: string) => { this.stderr = (this.stderr + s).slice(-2000); });
    this.proc.stdin.on('error', () => { /* reported through 'exit' */ });
    this.proc.on('exit', (code, sig) => this.fail(new Error(`oracle64 exited (${code ?? sig}) ${this.stderr}`)));
  }

  private onData(s: string): void {
    const parts = (this.partial + s).split('\n');
    this.partial = parts.pop()!;
    for (const l of parts) {
      const w = this.waiting[this.head];
      this.waiting[this.head++] = undefined!;
      if (w) w.resolve(l);
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    }
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    for (let i = this.head; i < this.waiting.length; i++) this.waiting[i]?.reject(e);
    this.waiting.length = 0;
    this.head = 0;
  }

  private line(l: string): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(l + '\n');
    });
  }

  /** This process's mappings below 4 GiB, [first, last] inclusive. */
  async maps(): Promise<[number, number][]> {
    const l = await this.line('info');
    return l.split(' ').slice(1).map((r) => r.split('-').map((x) => parseInt(x, 16)) as [number, number]);
  }

  run(r: Request64): Promise<Response64> {
    return this.line(encodeRequest(r)).then(parseResponse);
  }

  /** Many requests, written in chunks so the pipe stays full without buffering the whole batch. */
  async runBatch(rs: readonly Request64[], chunk = 256): Promise<Response64[]> {
    const out: Promise<Response64>[] = [];
    for (let i = 0; i < rs.length; i += chunk) {
      if (this.dead) throw this.dead;
      let text = '';
      for (let k = i; k < Math.min(rs.length, i + chunk); k++) {
        text += encodeRequest(rs[k]) + '\n';
        out.push(new Promise<string>((resolve, reject) => this.waiting.push({ resolve, reject })).then(parseResponse));
      }
      this.proc.stdin.write(text);
      if (out.length > 2048) await out[out.length - 2048];
    }
    return Promise.all(out);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      this.proc.stdin.end();
    });
  }
}
