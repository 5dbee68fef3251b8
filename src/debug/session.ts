import {
  Breakpoint,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  Source,
  StoppedEvent,
  TerminatedEvent,
  ExitedEvent,
  Thread,
  Event,
  ContinuedEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as fs from 'fs';
import * as path from 'path';
import { MonitorClient } from '../vmm/monitor/monitor-client';
import type { MonitorEvent, StopEvent } from '../vmm/monitor/protocol';
import { BreakpointBook } from './breakpoint-book';
import { DataBreakpoints, formatDataId, type DataTarget } from './data-breakpoints';
import { sizeOf } from '../symbols/dwarf-types';
import type { DebugSymbols } from './debug-symbols';
import { disassembleRequest } from './disassemble-request';
import { LaunchError, validateLaunchArgs, type RingsideLaunchArgs, type ValidatedLaunch } from './launch-args';
import { formatMemoryReference, parseMemoryReference } from './memory-reference';
import { REG_ESP } from './stack-unwind';
import { StopView } from './stop-view';
import { loadSymbols } from './symbol-bridge';
import { fromThreadId, threadId } from './thread-ids';
import { VariableStore } from './variable-tree';

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'triple-fault', label: 'Triple fault', description: 'Stop the VM with its state kept', default: true },
  { filter: 'page-fault', label: 'Page fault (#PF)', supportsCondition: true, conditionDescription: 'faulting address range, e.g. 0xc0000000-0xc0400000' },
  { filter: 'general-protection', label: 'General protection (#GP)' },
  { filter: 'double-fault', label: 'Double fault (#DF)', default: true },
  { filter: 'invalid-opcode', label: 'Invalid opcode (#UD)' },
  { filter: 'any-exception', label: 'Any CPU exception' },
  { filter: 'privileged', label: 'Privileged instruction trap', description: 'Any privileged instruction the guest kernel executes (a monitor exit)' },
  {
    filter: 'monitor-exit',
    label: 'Monitor exit by reason',
    supportsCondition: true,
    conditionDescription: 'exit reasons, e.g. Hlt, Clts, Lmsw, CrWrite, DescriptorTableLoad, Invlpg, Msr, InterruptFlag, RingCompression (empty: every privileged one)',
  },
  { filter: 'io', label: 'I/O port access', supportsCondition: true, conditionDescription: 'port or ports, e.g. 0x3f8 or 0x20,0xa0' },
  { filter: 'cr3', label: 'CR3 write' },
  { filter: 'mode-switch', label: 'Mode switch (real, protected, paging)' },
  { filter: 'ring-transition', label: 'Ring transition (user to kernel and back)' },
  { filter: 'hypercall', label: 'Hypercall' },
];

/** The Ringside debug adapter: translates DAP to the monitor's control API and back; owns no machine state. */
export class RingsideSession extends LoggingDebugSession {
  private monitor?: MonitorClient;
  private launchInfo?: ValidatedLaunch;
  private symbols?: DebugSymbols;
  private vms: { name: string; cpus: number }[] = [];
  private readonly vars = new VariableStore();
  private readonly book = new BreakpointBook();
  private readonly data = new DataBreakpoints();
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((r) => (this.configurationDone = r));
  private running = false;
  private terminated = false;
  private lastStop?: StopEvent;
  private view?: StopView;

  constructor(private readonly workerScript?: string) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsInstructionBreakpoints: true,
      supportsSteppingGranularity: true,
      supportsTerminateRequest: true,
      supportsExceptionFilterOptions: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsExceptionInfoRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      breakpointModes: [
        { mode: 'linear', label: 'Linear address', appliesTo: ['instruction'] },
        { mode: 'physical', label: 'Physical address', description: 'Hits wherever this physical memory is executed', appliesTo: ['instruction'] },
      ],
    };
    this.sendResponse(response);
  }

  protected async launchRequest(response: DebugProtocol.LaunchResponse, args: RingsideLaunchArgs): Promise<void> {
    try {
      this.launchInfo = validateLaunchArgs(args);
    } catch (e) {
      return this.fail(response, e instanceof LaunchError ? e.message : `invalid launch configuration: ${String(e)}`);
    }
    const info = this.launchInfo;
    const loaded = loadSymbols(info.symbolFiles);
    this.symbols = loaded.symbols;
    for (const w of loaded.warnings) this.sendEvent(new OutputEvent(`Ringside: ${w}\n`, 'console'));

    this.monitor = new MonitorClient(this.workerScript);
    this.view = new StopView(this.monitor, this.symbols, this.vars);
    this.monitor.onEvent((e) => this.onMonitorEvent(e));
    try {
      const r = await this.monitor.call('launch', { config: info.config, stopOnEntry: info.stopOnEntry });
      this.vms = r.vms;
    } catch (e) {
      await this.monitor.shutdown();
      this.monitor = undefined;
      return this.fail(response, String((e as Error).message ?? e));
    }
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
    await this.configured;
    if (info.stopOnEntry) {
      this.reportStop({ kind: 'entry', vm: 0, cpu: 0, description: 'entry' });
    } else {
      await this.resumeAll();
    }
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configurationDone();
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, { id: 1001, format: message.replace(/[{}]/g, ''), showUser: true });
  }

  // ---- breakpoints ------------------------------------------------------------------------------------------

  protected async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const file = args.source.path ?? '';
    const result: DebugProtocol.Breakpoint[] = [];
    const specs = (args.breakpoints ?? []).map((b) => {
      const hit = this.symbols?.addressesForLine(file, b.line);
      const bp = new Breakpoint(!!hit && hit.addresses.length > 0, hit?.line ?? b.line) as DebugProtocol.Breakpoint;
      if (!hit || !hit.addresses.length) bp.message = this.symbols ? `no code at ${path.basename(file)}:${b.line}` : 'no symbols loaded';
      result.push(bp);
      return { bp, addresses: hit?.addresses ?? [], condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage };
    });
    this.book.replace(`source:${file}`, specs);
    await this.syncBreakpoints();
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  protected async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    const result: DebugProtocol.Breakpoint[] = [];
    const specs = args.breakpoints.map((b) => {
      const addr = this.symbols?.functionBreakpointAddress(b.name) ?? parseMemoryReference(b.name)?.address;
      const bp = new Breakpoint(addr !== undefined) as DebugProtocol.Breakpoint;
      if (addr === undefined) bp.message = `no function named ${b.name}`;
      else this.decorateWithSource(bp, addr);
      result.push(bp);
      return { bp, addresses: addr === undefined ? [] : [addr], condition: b.condition, hitCondition: b.hitCondition };
    });
    this.book.replace('function', specs);
    await this.syncBreakpoints();
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  protected async setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): Promise<void> {
    const result: DebugProtocol.Breakpoint[] = [];
    const specs = args.breakpoints.map((b) => {
      const ref = parseMemoryReference(b.instructionReference);
      const addr = ref ? (ref.address + (b.offset ?? 0)) >>> 0 : undefined;
      const bp = new Breakpoint(addr !== undefined) as DebugProtocol.Breakpoint;
      if (addr !== undefined) bp.instructionReference = formatMemoryReference(addr);
      else bp.message = `not an address: ${b.instructionReference}`;
      result.push(bp);
      const space = b.mode === 'physical' || ref?.space === 'physical' ? ('physical' as const) : ('linear' as const);
      return { bp, addresses: addr === undefined ? [] : [addr], space, condition: b.condition, hitCondition: b.hitCondition };
    });
    this.book.replace('instruction', specs);
    await this.syncBreakpoints();
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  protected setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const filters = [...(args.filters ?? []), ...(args.filterOptions ?? []).map((f) => f.filterId)];
    let message: string | undefined;
    try {
      this.book.setExceptionFilters(filters, args.filterOptions ?? []);
    } catch (e) {
      message = (e as Error).message;
    }
    void this.monitor?.call('setEventFilter', { filter: this.book.eventFilter() });
    response.body = { breakpoints: filters.map(() => ({ verified: !message, message })) };
    this.sendResponse(response);
  }

  protected async dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): Promise<void> {
    try {
      const t = await this.dataTarget(args);
      response.body = t
        ? { dataId: formatDataId(t), description: `${t.label} (${t.size} byte${t.size === 1 ? '' : 's'} at 0x${t.address.toString(16)})`, accessTypes: ['read', 'write', 'readWrite'], canPersist: true }
        : { dataId: null, description: `${args.name} is not in memory (a register or a constant): it cannot be watched` };
    } catch (e) {
      response.body = { dataId: null, description: (e as Error).message };
    }
    this.sendResponse(response);
  }

  /** What a data breakpoint would watch: a variable node's memory, an address, or an lvalue expression. */
  private async dataTarget(args: DebugProtocol.DataBreakpointInfoArguments): Promise<DataTarget | undefined> {
    if (args.asAddress) {
      const ref = parseMemoryReference(args.name);
      if (!ref) throw new Error(`not an address: ${args.name}`);
      return { address: ref.address, size: args.bytes ?? 4, label: args.name };
    }
    if (args.variablesReference) {
      const n = this.vars.node(args.variablesReference, args.name);
      return n?.data && { address: n.data.address, size: args.bytes ?? n.data.size, label: n.evaluateName ?? args.name };
    }
    if (!this.view) throw new Error('not running');
    const r = await this.view.evaluate(args.name, args.frameId, threadId(this.lastStop?.vm ?? 0, this.lastStop?.cpu ?? 0), false);
    if (r.typed.address === undefined) return undefined;
    return { address: r.typed.address, size: args.bytes ?? (r.typed.type ? Math.max(1, sizeOf(r.typed.type)) : 4), label: args.name };
  }

  protected async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    const breakpoints = this.data.replace(args.breakpoints);
    await this.monitor?.call('setWatchpoints', { watchpoints: this.data.watchpoints() });
    response.body = { breakpoints };
    this.sendResponse(response);
  }

  protected exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const stop = this.lastStop;
    response.body = { exceptionId: stop?.description ?? 'exception', description: stop?.text ?? stop?.description, breakMode: 'always' };
    this.sendResponse(response);
  }

  private decorateWithSource(bp: DebugProtocol.Breakpoint, addr: number): void {
    const loc = this.symbols?.locationAt(addr);
    if (loc) {
      bp.source = new Source(path.basename(loc.path), loc.path);
      bp.line = loc.line;
    }
    bp.instructionReference = formatMemoryReference(addr);
  }

  private async syncBreakpoints(): Promise<void> {
    await this.monitor?.call('setBreakpoints', { breakpoints: this.book.engineBreakpoints() });
  }

  // ---- running ----------------------------------------------------------------------------------------------

  private async resumeAll(): Promise<void> {
    if (!this.monitor) return;
    this.view?.reset();
    this.running = true;
    await this.monitor.call('resume', {});
  }

  protected async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    await this.resumeAll();
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.monitor?.requestPause();
    this.sendResponse(response);
  }

  protected async nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): Promise<void> {
    this.sendResponse(response);
    await this.step(args.threadId, args.granularity, true);
  }

  protected async stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): Promise<void> {
    this.sendResponse(response);
    await this.step(args.threadId, args.granularity, false);
  }

  protected async stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): Promise<void> {
    this.sendResponse(response);
    if (!this.monitor) return;
    const { vm, cpu } = fromThreadId(args.threadId);
    const frames = (await this.view?.frames(args.threadId).catch(() => undefined)) ?? [];
    this.view?.reset();
    this.running = true;
    const skipInterrupts = this.launchInfo?.stepSkipsInterrupts ?? true;
    // The caller is the first frame with other registers (inlined frames share their function's); past an
    // interrupt label it is the interrupted code, on whatever stack it was using.
    let up = frames.findIndex((f) => f.regs !== frames[0].regs);
    if (up >= 0 && frames[up].kind === 'interrupt') up++;
    const target = up > 0 ? frames[up] : undefined;
    const esp = frames[0]?.regs[REG_ESP];
    const inlinedRanges = frames[0]?.kind === 'inlined' ? frames[0].source?.ranges : undefined;
    if (inlinedRanges?.length) {
      // Out of an inlined call: no return to wait for, the call ends where its code does (calls in it run over).
      await this.monitor.call('stepRange', { vm, cpu, ranges: inlinedRanges, over: true, skipInterrupts });
    } else if (!target || esp === undefined) {
      await this.monitor.call('stepInstruction', { vm, cpu, skipInterrupts });
    } else if (target.kind === 'interrupt' || !target.caller) {
      // Back in interrupted code: its ESP is exact, and possibly on another stack than ours.
      await this.monitor.call('runToReturn', { vm, cpu, address: target.pc, esp: ((target.regs[REG_ESP] ?? 1) - 1) >>> 0, skipInterrupts });
    } else {
      await this.monitor.call('runToReturn', { vm, cpu, address: target.pc, esp, skipInterrupts });
    }
  }

  private async step(thread: number, granularity: DebugProtocol.SteppingGranularity | undefined, over: boolean): Promise<void> {
    if (!this.monitor) return;
    const { vm, cpu } = fromThreadId(thread);
    const state = await this.monitor.call('getState', { vm, cpu });
    const pc = (state.seg.cs.base + state.eip) >>> 0;
    const ranges = granularity === 'instruction' ? [] : (this.symbols?.lineRanges(pc) ?? []);
    const skipInterrupts = this.launchInfo?.stepSkipsInterrupts ?? true;
    this.view?.reset();
    this.running = true;
    if (ranges.length) await this.monitor.call('stepRange', { vm, cpu, ranges, over, skipInterrupts });
    else await this.monitor.call('stepInstruction', { vm, cpu, skipInterrupts });
  }

  private onMonitorEvent(e: MonitorEvent): void {
    switch (e.event) {
      case 'stopped':
        void this.onStopped(e.body);
        break;
      case 'continued':
        this.sendEvent(new ContinuedEvent(threadId(e.body.vm, 0), true));
        break;
      case 'output':
        this.onOutput(e.body.vm, e.body.channel, e.body.text);
        break;
      case 'exited':
        this.sendEvent(new OutputEvent(`Ringside: ${this.vms[e.body.vm]?.name ?? 'VM'} stopped: ${e.body.reason}\n`, 'console'));
        if (this.vms.length <= 1 || e.body.vm < 0) {
          this.sendEvent(new ExitedEvent(e.body.code));
          this.finish();
        }
        break;
    }
  }

  private onOutput(vm: number, channel: string, text: string): void {
    if (channel === 'monitor') {
      this.sendEvent(new OutputEvent(text, 'console'));
      return;
    }
    const serial = this.launchInfo?.serial ?? 'terminal';
    // The extension renders custom serial events in a terminal; other DAP clients see the Debug Console text.
    this.sendEvent(new Event('ringside.serial', { vm, channel, text, name: this.vms[vm]?.name ?? 'VM' }));
    if (serial === 'debugConsole' || channel === 'debugcon') this.sendEvent(new OutputEvent(text, 'stdout'));
    else if (typeof serial === 'object') fs.appendFileSync(serial.file, text);
  }

  private async onStopped(stop: StopEvent): Promise<void> {
    this.view?.reset();
    const thread = threadId(stop.vm, stop.cpu);
    if (stop.kind === 'exception' && stop.description.startsWith('#PF') && this.monitor && !(await this.pageFaultWanted(thread))) {
      await this.monitor.call('continueStep', {});
      return;
    }
    const book = stop.kind === 'data breakpoint' ? this.data.book : stop.kind === 'breakpoint' ? this.book : undefined;
    if (book && stop.breakpointIds?.length && this.monitor) {
      const verdict = await book.onHit(stop.breakpointIds, (expr) => this.view!.condition(thread, expr));
      for (const line of verdict.logs) this.sendEvent(new OutputEvent(line + '\n', 'console'));
      if (!verdict.stop) {
        // Not a stop for the user: if a step was under way, it goes on (a step over a call that hit the breakpoint).
        await this.monitor.call('continueStep', {});
        return;
      }
    }
    this.reportStop(stop);
  }

  /** The page-fault filter's condition: a faulting address (CR2) in one of the ranges. */
  private async pageFaultWanted(thread: number): Promise<boolean> {
    const ranges = this.book.pageFaultRanges();
    if (!ranges || !this.view) return true;
    const cr2 = (await this.view.state(thread)).cr.cr2 >>> 0;
    return ranges.some(([a, b]) => cr2 >= a && cr2 <= b);
  }

  private reportStop(stop: StopEvent): void {
    this.running = false;
    this.lastStop = stop;
    this.view?.reset();
    if (this.view) this.view.faultChain = stop.kind === 'shutdown' ? stop.text : undefined;
    // A triple fault is the last exception the guest will ever take: shown as one, with the chain as its text.
    const reason = stop.kind === 'shutdown' ? 'exception' : stop.kind;
    const ev = new StoppedEvent(reason, threadId(stop.vm, stop.cpu), stop.text) as DebugProtocol.StoppedEvent;
    ev.body.description = stop.description;
    ev.body.allThreadsStopped = true;
    if (stop.kind === 'data breakpoint' && stop.breakpointIds?.length) {
      ev.body.hitBreakpointIds = this.data.book.dapIds(stop.breakpointIds);
      ev.body.description = `data breakpoint on ${this.data.labels(stop.breakpointIds).join(', ')}`;
    } else if (stop.breakpointIds?.length) ev.body.hitBreakpointIds = this.book.dapIds(stop.breakpointIds);
    this.sendEvent(ev);
  }

  // ---- inspection -------------------------------------------------------------------------------------------

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const threads: Thread[] = [];
    this.vms.forEach((vm, v) => {
      for (let c = 0; c < vm.cpus; c++) threads.push(new Thread(threadId(v, c), `${vm.name} · CPU ${c}`));
    });
    response.body = { threads };
    this.sendResponse(response);
  }

  protected async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    if (!this.view || this.running) {
      response.body = { stackFrames: [], totalFrames: 0 };
      return this.sendResponse(response);
    }
    try {
      response.body = await this.view.stackTrace(args);
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  protected async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    if (!this.view) return this.fail(response, 'not running');
    response.body = { scopes: await this.view.scopes(args.frameId) };
    this.sendResponse(response);
  }

  protected async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const nodes = await this.vars.children(args.variablesReference);
    response.body = {
      variables: nodes.map((n) => ({
        name: n.name,
        value: n.value,
        type: n.type,
        evaluateName: n.evaluateName,
        memoryReference: n.memoryReference,
        variablesReference: n.children ? this.vars.add(n.children) : 0,
      })),
    };
    this.sendResponse(response);
  }

  protected async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    const setter = this.vars.setter(args.variablesReference, args.name);
    if (!setter) return this.fail(response, `${args.name} cannot be changed`);
    try {
      response.body = { value: await setter(args.value) };
      this.sendResponse(response);
      // Views of that memory (the hex editor, other variables) must refresh.
      const data = this.vars.node(args.variablesReference, args.name)?.data;
      if (data) this.sendEvent(new Event('memory', { memoryReference: formatMemoryReference(data.address), offset: 0, count: data.size }));
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  protected async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    if (!this.monitor) return this.fail(response, 'not running');
    const thread = threadId(this.lastStop?.vm ?? 0, this.lastStop?.cpu ?? 0);
    try {
      const r = await this.view!.evaluate(args.expression, args.frameId, thread, args.context === 'repl');
      response.body = { result: r.text, variablesReference: r.variablesReference, memoryReference: r.memoryReference };
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  protected async readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    const ref = parseMemoryReference(args.memoryReference);
    if (!ref || !this.monitor) return this.fail(response, `not a memory reference: ${args.memoryReference}`);
    const { vm, cpu } = { vm: this.lastStop?.vm ?? 0, cpu: this.lastStop?.cpu ?? 0 };
    const address = (ref.address + (args.offset ?? 0)) >>> 0;
    const r = await this.monitor.call('readMemory', { vm, cpu, address, length: Math.min(args.count, 1 << 20), space: ref.space });
    response.body = { address: formatMemoryReference(address, ref.space), data: r.data, unreadableBytes: r.unreadable };
    this.sendResponse(response);
  }

  protected async writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    const ref = parseMemoryReference(args.memoryReference);
    if (!ref || !this.monitor) return this.fail(response, `not a memory reference: ${args.memoryReference}`);
    const { vm, cpu } = { vm: this.lastStop?.vm ?? 0, cpu: this.lastStop?.cpu ?? 0 };
    const address = (ref.address + (args.offset ?? 0)) >>> 0;
    const r = await this.monitor.call('writeMemory', { vm, cpu, address, data: args.data, space: ref.space });
    response.body = { bytesWritten: r.written };
    this.view?.invalidateMemory();
    this.sendResponse(response);
    this.sendEvent(new Event('memory', { memoryReference: args.memoryReference, offset: args.offset ?? 0, count: r.written }));
  }

  protected async disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): Promise<void> {
    if (!this.monitor) return this.fail(response, 'not running');
    const { vm, cpu } = { vm: this.lastStop?.vm ?? 0, cpu: this.lastStop?.cpu ?? 0 };
    try {
      response.body = { instructions: await disassembleRequest(args, { monitor: this.monitor, vm, cpu, symbols: this.symbols }) };
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  protected customRequest(
    command: string,
    response: DebugProtocol.Response,
    rawArgs: { vm?: number; cpu?: number; cr3?: number; text?: string; scancodes?: number[] } | undefined,
  ): void {
    const args = rawArgs ?? {};
    const reply = (p: Promise<unknown>): void => {
      p.then(
        (body) => {
          response.body = body;
          this.sendResponse(response);
        },
        (e: Error) => this.fail(response, e.message),
      );
    };
    if (command === 'serialInput' && this.monitor) {
      void this.monitor.call('serialInput', { vm: args.vm ?? 0, port: 0, data: args.text ?? '' });
      this.sendResponse(response);
    } else if (command === 'monitorStats' && this.monitor) {
      reply(this.monitor.call('stats', {}));
    } else if (command === 'ringside/pageTables' && this.monitor) {
      // The page-table panel's snapshot, passed through unchanged (the adapter owns no machine state).
      const vm = args.vm ?? this.lastStop?.vm ?? 0;
      const cpu = args.cpu ?? this.lastStop?.cpu ?? 0;
      reply(this.monitor.call('pageTables', args.cr3 !== undefined ? { vm, cpu, cr3: args.cr3 } : { vm, cpu }));
    } else if (command === 'ringside/screen' && this.monitor) {
      reply(this.monitor.call('screen', { vm: args.vm ?? this.lastStop?.vm ?? 0 }));
    } else if (command === 'ringside/keys' && this.monitor) {
      reply(this.monitor.call('keyInput', { vm: args.vm ?? this.lastStop?.vm ?? 0, scancodes: args.scancodes ?? [] }));
    } else {
      super.customRequest(command, response, args);
    }
  }

  // ---- ending -----------------------------------------------------------------------------------------------

  protected async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.monitor?.shutdown();
    this.sendResponse(response);
    this.finish();
  }

  protected async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.monitor?.shutdown();
    this.monitor = undefined;
    this.sendResponse(response);
  }

  private finish(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.sendEvent(new TerminatedEvent());
  }
}
