import * as assert from 'node:assert';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sampleKernel, sampleKernelDir } from '../support/repo';

/** Helpers shared by the protocol tests that debug the sample kernel. */
export const kernelFile = (name: string): string => path.join(sampleKernelDir(), 'kernel', name);
export const userFile = (name: string): string => path.join(sampleKernelDir(), 'user', name);
export const USER_PROGRAMS = ['hello', 'systest', 'fault', 'spin'].map((n) => ({ path: userFile(`${n}.elf`) }));

export interface SourceBreakpoint {
  file: string;
  line: number;
  condition?: string;
}

/** Launches the sample kernel with breakpoints and waits for the first stop. */
export async function launchAndStop(dc: DebugClient, bps: SourceBreakpoint[], extra: Record<string, unknown> = {}): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped', 60000);
  await dc.launch({ kernel: sampleKernel(), cwd: sampleKernelDir(), serial: 'debugConsole', ...extra } as never);
  const byFile = new Map<string, SourceBreakpoint[]>();
  for (const b of bps) byFile.set(b.file, [...(byFile.get(b.file) ?? []), b]);
  for (const [file, list] of byFile) {
    const r = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: list.map((b) => ({ line: b.line, condition: b.condition })) });
    r.body.breakpoints.forEach((b) => assert.ok(b.verified, `breakpoint in ${path.basename(file)} verified: ${b.message ?? ''}`));
  }
  await dc.configurationDoneRequest();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

export async function stack(dc: DebugClient, threadId = 1): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames;
}

export async function scopeVariables(dc: DebugClient, frameId: number, scope: string): Promise<DebugProtocol.Variable[]> {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const s = scopes.find((x) => x.name === scope);
  assert.ok(s, `scope ${scope} among ${scopes.map((x) => x.name).join(', ')}`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

export async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<DebugProtocol.Variable[]> {
  assert.ok(v.variablesReference > 0, `${v.name} can be expanded`);
  return (await dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
}

export function named<T extends { name: string }>(list: T[], name: string): T {
  const hit = list.find((x) => x.name === name);
  assert.ok(hit, `${name} among ${list.map((x) => x.name).join(', ')}`);
  return hit;
}

export async function stepAndWait(dc: DebugClient, kind: 'next' | 'stepIn' | 'stepOut', args: Record<string, unknown> = {}): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped', 30000);
  if (kind === 'next') await dc.nextRequest({ threadId: 1, ...args });
  else if (kind === 'stepIn') await dc.stepInRequest({ threadId: 1, ...args });
  else await dc.stepOutRequest({ threadId: 1, ...args });
  return (await stopped) as DebugProtocol.StoppedEvent;
}

export const baseName = (f: DebugProtocol.StackFrame): string => f.name.replace(/\+.*/, '');
