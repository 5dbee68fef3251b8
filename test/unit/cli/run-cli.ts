import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../../support/repo';

/** The compiled command line (tsc puts it next to the tests), run with node as a user would run dist/ringside.js. */
export const cliMain = (): string => path.join(repoRoot(), 'out', 'src', 'cli', 'main.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end with stdin closed, capturing output as latin1 (the bytes the guest sent). */
export function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1') });
    });
  });
}

export const runCli = (args: string[], opts: { cwd?: string; timeoutMs: number }): Promise<RunResult> => run(process.execPath, [cliMain(), ...args], opts);

/** The first directory on PATH holding `name`, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The path of a reference tool, or a skip with the reason on the test log: the comparison needs the real thing,
 * and `npm test` installs it (scripts/setup.sh); a bare checkout may not have it.
 */
export function requireTool(ctx: Mocha.Context, name: string, debianPackage: string, role: string): string {
  const p = which(name);
  if (p) return p;
  console.log(`      skipped: ${name} is not on PATH (apt-get install ${debianPackage}), and this test needs it as ${role}`);
  ctx.skip();
}
