/**
 * Access to a real x87 for differential tests. Two backends, tried in order:
 *  1. the shared native-oracle (../shared/anchors/native-oracle, a 32-bit process; JSON protocol), used if
 *     its binary exists or can be built into a temporary copy, and actually runs (needs IA-32 emulation);
 *  2. x87oracle64 (test/unit/fpu/oracle64), a 64-bit x87-only runner built with the host's cc, for
 *     machines whose kernel cannot run 32-bit programs.
 * Returns null (the test then skips, saying why) when neither can be built and run.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DATA_BASE, DATA_LEN, FpuCase, FpuResult, from80hex, hex80 } from './harness';

export function findRepoRoot(): string | null {
  for (const start of [__dirname, process.cwd()]) {
    let d = path.resolve(start);
    for (;;) {
      if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'src', 'vmm'))) return d;
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return null;
}

class LineProcess {
  private buf = '';
  private waiting: ((line: string) => void)[] = [];
  private head = 0;
  private dead: Error | null = null;
  readonly proc: ChildProcessWithoutNullStreams;
  constructor(bin: string, args: string[] = []) {
    this.proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiting[this.head];
        this.waiting[this.head++] = () => undefined;
        w?.(line);
      }
    });
    this.proc.stdin.on('error', () => undefined);
    this.proc.on('exit', () => {
      this.dead = new Error('oracle process exited');
      for (let i = this.head; i < this.waiting.length; i++) this.waiting[i]('');
    });
  }
  async many(lines: string[]): Promise<string[]> {
    if (this.dead) throw this.dead;
    const out = lines.map(() => new Promise<string>((res) => this.waiting.push(res)));
    for (let i = 0; i < lines.length; i += 256) this.proc.stdin.write(lines.slice(i, i + 256).join('\n') + '\n');
    return Promise.all(out);
  }
  close(): void {
    this.proc.stdin.end();
  }
}

export interface X87Oracle {
  readonly name: string;
  run(cases: FpuCase[]): Promise<FpuResult[]>;
  close(): void;
}

function hexOf(b: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] & 0xff).toString(16).padStart(2, '0');
  return s;
}

function bytesOfHex(h: string): Uint8Array {
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

class JsonOracle implements X87Oracle {
  readonly name = 'native-oracle (32-bit)';
  constructor(private readonly p: LineProcess) {}
  async run(cases: FpuCase[]): Promise<FpuResult[]> {
    const lines = cases.map((c) =>
      JSON.stringify({
        code: hexOf(c.code),
        regs: { eax: DATA_BASE },
        eflags: c.eflags,
        fpu: { cw: c.cw, sw: c.sw, tw: c.tw, st: c.st.map(hex80) },
        mem: [{ addr: DATA_BASE, hex: hexOf(c.data) }],
        read: [{ addr: DATA_BASE, len: DATA_LEN }],
      }),
    );
    const out = await this.p.many(lines);
    return out.map((l) => {
      const r = JSON.parse(l);
      const status = r.status === 'ok' ? 'ok' : r.vector === 6 ? 'ud' : r.vector === 16 ? 'mf' : `vec${r.vector}`;
      return {
        status,
        cw: r.fpu.cw,
        sw: r.fpu.sw,
        tw: r.fpu.tw,
        st: (r.fpu.st as string[]).map(from80hex),
        eflags: r.eflags,
        data: bytesOfHex(r.read?.[0]?.hex ?? '00'.repeat(DATA_LEN)),
      };
    });
  }
  close(): void {
    this.p.close();
  }
}

class Oracle64 implements X87Oracle {
  readonly name = 'x87oracle64 (64-bit)';
  constructor(private readonly p: LineProcess) {}
  async run(cases: FpuCase[]): Promise<FpuResult[]> {
    const lines = cases.map((c) => {
      const img = new Uint8Array(108);
      const dv = new DataView(img.buffer);
      dv.setUint32(0, (c.cw | 0xffff0000) >>> 0, true);
      dv.setUint32(4, (c.sw | 0xffff0000) >>> 0, true);
      dv.setUint32(8, (c.tw | 0xffff0000) >>> 0, true);
      for (let i = 0; i < 8; i++) img.set(c.st[i], 28 + 10 * i);
      return `${(c.eflags >>> 0).toString(16).padStart(8, '0')} ${hexOf(img)} ${hexOf(c.data)} ${hexOf(c.code)}`;
    });
    const out = await this.p.many(lines);
    return out.map((l) => {
      const [status, fl, imgHex, dataHex] = l.split(' ');
      const img = bytesOfHex(imgHex ?? '');
      const dv = new DataView(img.buffer);
      const st: Uint8Array[] = [];
      for (let i = 0; i < 8; i++) st.push(img.slice(28 + 10 * i, 38 + 10 * i));
      return {
        status: status === 'sig4' ? 'ud' : status === 'sig8' ? 'mf' : status,
        cw: dv.getUint16(0, true),
        sw: dv.getUint16(4, true),
        tw: dv.getUint16(8, true),
        st,
        eflags: parseInt(fl, 16),
        data: bytesOfHex(dataHex ?? ''),
      };
    });
  }
  close(): void {
    this.p.close();
  }
}

function works(bin: string, probe: string, expect: RegExp): boolean {
  try {
    const r = spawnSync(bin, [], { input: probe + '\n', timeout: 20000, encoding: 'utf8' });
    return r.status === 0 && expect.test(r.stdout);
  } catch {
    return false;
  }
}

/** Why no oracle could be used (for the skip message). */
export let oracleUnavailableReason = '';

export function openOracle(): X87Oracle | null {
  const root = findRepoRoot();
  if (!root) {
    oracleUnavailableReason = 'repository root not found';
    return null;
  }
  const reasons: string[] = [];
  const shared = path.resolve(root, '..', 'shared', 'anchors', 'native-oracle');
  const jsonProbe = JSON.stringify({ code: 'd9e8' });
  const candidates = [path.join(shared, '.build', 'oracle')];
  // Private temporary names: other test runs may share this machine's /tmp.
  const tmpCopy = path.join(os.tmpdir(), `ringside-fpu-native-oracle-${process.pid}`);
  if (fs.existsSync(shared) && !fs.existsSync(candidates[0])) {
    try {
      fs.mkdirSync(tmpCopy, { recursive: true });
      process.once('exit', () => fs.rmSync(tmpCopy, { recursive: true, force: true }));
      for (const f of fs.readdirSync(shared)) fs.copyFileSync(path.join(shared, f), path.join(tmpCopy, f));
      if (!fs.existsSync(path.join(tmpCopy, '.build', 'oracle'))) execFileSync('make', ['-s'], { cwd: tmpCopy, stdio: 'pipe' });
      candidates.push(path.join(tmpCopy, '.build', 'oracle'));
    } catch (e) {
      reasons.push(`native-oracle build failed (${String(e).split('\n')[0]})`);
    }
  }
  for (const bin of candidates) {
    if (fs.existsSync(bin) && works(bin, jsonProbe, /"status":"ok"/)) return new JsonOracle(new LineProcess(bin));
    if (fs.existsSync(bin)) reasons.push(`${bin} does not run here (no IA-32 emulation?)`);
  }
  const src = path.join(root, 'test', 'unit', 'fpu', 'oracle64', 'x87oracle64.c');
  const bin64 = path.join(os.tmpdir(), `ringside-x87oracle64-${process.pid}`);
  process.once('exit', () => fs.rmSync(bin64, { force: true }));
  try {
    if (os.arch() !== 'x64') throw new Error(`host is ${os.arch()}, not x86-64`);
    execFileSync('cc', ['-O1', '-o', bin64, src], { stdio: 'pipe' });
    const img = '7f03ffff' + '0000ffff' + 'ffffffff' + '00'.repeat(96);
    if (works(bin64, `00000000 ${img} ${'00'.repeat(DATA_LEN)} d9e8`, /^ok /)) return new Oracle64(new LineProcess(bin64));
    reasons.push('x87oracle64 built but does not run');
  } catch (e) {
    reasons.push(`x87oracle64 unavailable (${String(e).split('\n')[0]})`);
  }
  oracleUnavailableReason = reasons.join('; ');
  return null;
}
