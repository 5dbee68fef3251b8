import { Scope, Source, StackFrame } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'path';
import type { MonitorClient } from '../vmm/monitor/monitor-client';
import type { CpuState } from '../vmm/monitor/protocol';
import type { DebugSymbols } from './debug-symbols';
import { evaluateExpression, evaluateSync, formatResult, type EvalResult } from './evaluate';
import { MemoryCache } from './memory-cache';
import { formatMemoryReference } from './memory-reference';
import { registerGroups } from './registers-scope';
import { REG_EIP, unwindStack, type Frame } from './stack-unwind';
import { fromThreadId } from './thread-ids';
import { TypeNames } from './type-names';
import { hex32, type VariableNode, type VariableStore } from './variable-tree';
import { globalsOf, localsOf, valueNode, type ValueEnv } from './variables-scope';
import { encodeValue } from './evaluate';

/**
 * What the user sees of a stopped VM: call stacks, scopes, variables and expression values. Everything here is
 * valid for one stop (DAP's rule for references) and thrown away when the guest runs: the page caches, the
 * unwound frames, the type names learnt.
 */
export const MAX_FRAMES = 64;
const DWARF_REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags'];

export const frameId = (thread: number, index: number): number => thread * 256 + index;
export const frameThread = (id: number): number => Math.floor(id / 256);
export const frameIndex = (id: number): number => id % 256;

export class StopView {
  private readonly caches = new Map<number, MemoryCache>();
  private readonly frameLists = new Map<number, Promise<Frame[]>>();
  private readonly states = new Map<number, Promise<CpuState>>();
  private types = new TypeNames();
  /** Extra text for the "Fault chain" scope (a triple fault's story), if the stop had one. */
  faultChain?: string;

  constructor(private readonly monitor: MonitorClient, private readonly symbols: DebugSymbols | undefined, private readonly vars: VariableStore) {}

  reset(): void {
    this.caches.clear();
    this.frameLists.clear();
    this.states.clear();
    this.types = new TypeNames();
    this.vars.reset();
  }

  memory(thread: number): MemoryCache {
    let c = this.caches.get(thread);
    if (!c) {
      const { vm, cpu } = fromThreadId(thread);
      c = new MemoryCache(async (address, length) => {
        const r = await this.monitor.call('readMemory', { vm, cpu, address, length, space: 'linear' });
        return new Uint8Array(Buffer.from(r.data, 'base64'));
      });
      this.caches.set(thread, c);
    }
    return c;
  }

  /** Memory was written: every cached page may be stale. */
  invalidateMemory(): void {
    for (const c of this.caches.values()) c.reset();
  }

  state(thread: number): Promise<CpuState> {
    let s = this.states.get(thread);
    if (!s) {
      const { vm, cpu } = fromThreadId(thread);
      s = this.monitor.call('getState', { vm, cpu });
      this.states.set(thread, s);
      s.catch(() => this.states.delete(thread));
    }
    return s;
  }

  frames(thread: number): Promise<Frame[]> {
    let f = this.frameLists.get(thread);
    if (!f) {
      const mem = this.memory(thread);
      f = this.state(thread).then((s) => mem.run(() => unwindStack(s, MAX_FRAMES, this.symbols, mem.read)));
      this.frameLists.set(thread, f);
      f.catch(() => this.frameLists.delete(thread));
    }
    return f;
  }

  async frame(id: number): Promise<Frame | undefined> {
    return (await this.frames(frameThread(id)))[frameIndex(id)];
  }

  async stackTrace(args: DebugProtocol.StackTraceArguments): Promise<{ stackFrames: DebugProtocol.StackFrame[]; totalFrames: number }> {
    const frames = await this.frames(args.threadId);
    const start = args.startFrame ?? 0;
    const count = args.levels || frames.length;
    const stackFrames = frames.slice(start, start + count).map((f, i) => this.dapFrame(f, frameId(args.threadId, start + i)));
    return { stackFrames, totalFrames: frames.length };
  }

  private dapFrame(f: Frame, id: number): DebugProtocol.StackFrame {
    if (f.kind === 'interrupt') {
      const sf = new StackFrame(id, f.label ?? f.name) as DebugProtocol.StackFrame;
      sf.presentationHint = 'label';
      sf.instructionPointerReference = formatMemoryReference(f.pc);
      return sf;
    }
    let loc: { path: string; line: number; column: number } | undefined;
    const sloc = f.source?.location;
    if (sloc && f.file && sloc.line > 0) loc = { path: this.symbols!.sourcePath(f.file, sloc.file), line: sloc.line, column: sloc.column || 1 };
    else loc = this.symbols?.locationAt(f.caller ? f.pc - 1 : f.pc);
    const sf = new StackFrame(id, f.name, loc ? new Source(path.basename(loc.path), loc.path) : undefined, loc?.line ?? 0, loc?.column ?? 0) as DebugProtocol.StackFrame;
    sf.instructionPointerReference = formatMemoryReference(f.pc);
    if (!loc) sf.presentationHint = 'subtle';
    return sf;
  }

  async scopes(id: number): Promise<DebugProtocol.Scope[]> {
    const thread = frameThread(id);
    const frame = await this.frame(id);
    const env = this.env(thread, frame, frameIndex(id) === 0 || frame?.kind === 'inlined');
    const scopes: DebugProtocol.Scope[] = [];
    if (frame?.source?.variables.length) {
      const s = new Scope('Locals', this.vars.add(() => localsOf(env, frame)), false) as DebugProtocol.Scope;
      s.presentationHint = 'locals';
      scopes.push(s);
    }
    scopes.push(new Scope('Registers', this.vars.add(() => this.registerNodes(thread, frame, frameIndex(id))), false));
    const file = frame?.file;
    if (file && file.globals().length) scopes.push(new Scope('Globals', this.vars.add(() => globalsOf(env, file)), true));
    if (this.faultChain) {
      const text = this.faultChain;
      scopes.push(new Scope('Fault chain', this.vars.add(() => text.split('\n').map((l, i) => ({ name: `#${i}`, value: l }))), false));
    }
    return scopes;
  }

  /** The innermost frame shows the vCPU's registers; outer frames show what unwinding recovered. */
  private async registerNodes(thread: number, frame: Frame | undefined, index: number): Promise<VariableNode[]> {
    const { vm, cpu } = fromThreadId(thread);
    const s = await this.state(thread);
    const setReg = async (name: string, text: string): Promise<string> => {
      const value = await this.parseNumber(thread, frame, text);
      const next = await this.monitor.call('setRegister', { vm, cpu, name, value: Number(BigInt.asUintN(32, value)) });
      this.states.set(thread, Promise.resolve(next));
      this.frameLists.delete(thread);
      return registerGroups(next, setReg).find((n) => n.name === name)?.value ?? hex32(Number(value));
    };
    if (index === 0 || !frame) return registerGroups(s, setReg);
    const unwound: VariableNode[] = frame.regs.slice(0, 10).map((v, i) => ({ name: DWARF_REG_NAMES[i], value: v === undefined ? '<not saved>' : hex32(v) }));
    unwound.push({ name: 'ring', value: String(frame.ring) });
    return unwound;
  }

  private async parseNumber(thread: number, frame: Frame | undefined, text: string): Promise<bigint> {
    const s = await this.state(thread);
    const mem = this.memory(thread);
    const v = await mem.run(() => evaluateSync(text, { state: s, read: mem.read, symbols: this.symbols, frame, types: this.types }));
    return v.value;
  }

  private env(thread: number, frame: Frame | undefined, innermost: boolean): ValueEnv {
    const { vm, cpu } = fromThreadId(thread);
    return {
      mem: this.memory(thread),
      symbols: this.symbols,
      parse: (text) => this.parseNumber(thread, frame, text),
      writeMemory: async (address, bytes) => {
        await this.monitor.call('writeMemory', { vm, cpu, address, data: Buffer.from(bytes).toString('base64'), space: 'linear' });
        this.invalidateMemory();
      },
      writeRegister: innermost
        ? async (reg, value) => {
            const name = DWARF_REG_NAMES[reg];
            if (!name) throw new Error(`register ${reg} cannot be written`);
            const next = await this.monitor.call('setRegister', { vm, cpu, name, value });
            this.states.set(thread, Promise.resolve(next));
            this.frameLists.delete(thread);
          }
        : undefined,
    };
  }

  /** Evaluates in a frame's scope (the top frame of the last stopped vCPU without one). */
  async evaluate(expression: string, frameRef: number | undefined, fallbackThread: number, repl: boolean): Promise<EvalResult & { variablesReference: number }> {
    const thread = frameRef !== undefined ? frameThread(frameRef) : fallbackThread;
    const { vm, cpu } = fromThreadId(thread);
    const frame = frameRef !== undefined ? await this.frame(frameRef) : (await this.frames(thread).catch(() => []))[0];
    const mem = this.memory(thread);
    // A variable named like a monitor command (`x`, `info`) is the variable when typed alone.
    const word = expression.trim();
    const shadowed = /^\w+$/.test(word) && (!!frame?.source?.variables.some((v) => v.name === word) || !!this.symbols?.table.all().some((f) => f.globals().some((g) => g.name === word)));
    const r = await evaluateExpression(expression, { monitor: this.monitor, vm, cpu, symbols: this.symbols, mem, frame, types: this.types, repl: repl && !shadowed });
    let variablesReference = 0;
    if (r.typed.type) {
      const env = this.env(thread, frame, false);
      const bytes = r.typed.bytes ?? encodeValue(r.typed.value, 4);
      const node = await mem.run(() => valueNode(env, expression, r.typed.type!, bytes, { address: r.typed.address }, expression));
      if (node.children) variablesReference = this.vars.add(node.children);
    }
    return { ...r, variablesReference };
  }

  /** Evaluates to a number in the top frame of a vCPU: breakpoint conditions and log messages. */
  async condition(thread: number, expression: string): Promise<number> {
    const r = await this.evaluate(expression, undefined, thread, false);
    return r.value;
  }

  /** The value of a variable node's expression as text, for data breakpoint descriptions. */
  async describe(thread: number, expression: string): Promise<string> {
    const s = await this.state(thread);
    const mem = this.memory(thread);
    const frame = (await this.frames(thread))[0];
    return mem.run(() => {
      const v = evaluateSync(expression, { state: s, read: mem.read, symbols: this.symbols, frame, types: this.types });
      return formatResult(v, { read: mem.read, symbols: this.symbols });
    });
  }

  async topPc(thread: number): Promise<number> {
    const f = (await this.frames(thread))[0];
    return f?.regs[REG_EIP] ?? 0;
  }
}
