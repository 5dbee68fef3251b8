/**
 * The monitor's thread: a worker that owns every VM and answers the front end's requests between run slices.
 */
import { parentPort, workerData } from 'worker_threads';
import { Monitor } from './monitor';
import { cpuState, describeWalk, pageTables, monitorCommand, readMemory, setRegister, writeMemory } from './inspect';
import { screenSnapshot } from './screen';
import type { MonitorEvent, MonitorMethods, WorkerReply, WorkerRequest } from './protocol';

const port = parentPort!;
const control = new Int32Array(workerData.control as SharedArrayBuffer);
const send = (m: WorkerReply) => port.postMessage(m);
const monitor = new Monitor((e: MonitorEvent) => send({ kind: 'event', ...e } as WorkerReply), control);

type Handlers = { [M in keyof MonitorMethods]: (p: MonitorMethods[M][0]) => MonitorMethods[M][1] };

const handlers: Handlers = {
  launch: (p) => monitor.launch(p.config),
  resume: () => monitor.resume(),
  pause: () => monitor.pause(),
  continueStep: () => monitor.continueStep(),
  stepInstruction: (p) => monitor.step(p.vm, p.cpu, { kind: 'instruction' }, p.skipInterrupts),
  stepRange: (p) => monitor.step(p.vm, p.cpu, { kind: 'range', ranges: p.ranges, over: p.over }, p.skipInterrupts),
  runToReturn: (p) => monitor.step(p.vm, p.cpu, { kind: 'return', address: p.address, esp: p.esp }, p.skipInterrupts),
  setBreakpoints: (p) => monitor.setBreakpoints(p.breakpoints),
  setWatchpoints: (p) => monitor.setWatchpoints(p.watchpoints),
  setEventFilter: (p) => monitor.setEventFilter(p.filter),
  getState: (p) => cpuState(monitor.machine(p.vm), p.vm, p.cpu),
  setRegister: (p) => {
    setRegister(monitor.machine(p.vm), p.cpu, p.name, p.value);
    return cpuState(monitor.machine(p.vm), p.vm, p.cpu);
  },
  readMemory: (p) => readMemory(monitor.machine(p.vm), p.cpu, p.address, p.length, p.space),
  writeMemory: (p) => ({ written: writeMemory(monitor.machine(p.vm), p.cpu, p.address, Buffer.from(p.data, 'base64'), p.space) }),
  translate: (p) => describeWalk(monitor.machine(p.vm), p.cpu, p.address),
  command: (p) => monitorCommand(monitor.machine(p.vm), p.cpu, p.text),
  serialInput: (p) => monitor.serialInput(p.vm, p.port, p.data),
  stats: () => monitor.stats(),
  pageTables: (p) => pageTables(monitor, p.vm, p.cpu, p.cr3),
  screen: (p) => screenSnapshot(monitor.machine(p.vm)),
  keyInput: (p) => monitor.keyInput(p.vm, p.scancodes),
  terminate: () => {
    monitor.terminate();
    setImmediate(() => process.exit(0));
  },
};

port.on('message', (m: WorkerRequest) => {
  try {
    const handler = handlers[m.method] as (p: unknown) => unknown;
    if (!handler) throw new Error(`unknown monitor request ${m.method}`);
    send({ kind: 'response', id: m.id, ok: true, result: handler(m.params) });
  } catch (e) {
    send({ kind: 'response', id: m.id, ok: false, error: (e as Error).message });
  }
});
