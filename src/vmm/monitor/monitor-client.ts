import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ControlSlot, type MonitorEvent, type MonitorMethods, type WorkerReply } from './protocol';

/**
 * The front ends' handle on a monitor running in a worker thread. The guest runs there at full speed while the
 * caller's event loop (VS Code's extension host, the CLI) stays free. Pause goes through shared memory, not a
 * message, so it is seen even while the worker is busy running a guest loop with interrupts off.
 */
export class MonitorClient extends EventEmitter {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  constructor(workerScript = MonitorClient.defaultWorkerScript()) {
    super();
    const sab = new SharedArrayBuffer(ControlSlot.Size * 4);
    this.control = new Int32Array(sab);
    this.worker = new Worker(workerScript, { workerData: { control: sab } });
    this.worker.on('message', (m: WorkerReply) => this.onMessage(m));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`the monitor worker exited (code ${code})`));
      this.emit('workerExit', code);
    });
  }

  /** Bundled builds ship `vm-worker.js` next to the caller; compiled tests use the TypeScript output layout. */
  static defaultWorkerScript(): string {
    const bundled = path.join(__dirname, 'vm-worker.js');
    return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'worker-main.js');
  }

  call<M extends keyof MonitorMethods>(method: M, params: MonitorMethods[M][0]): Promise<MonitorMethods[M][1]> {
    if (this.exited) return Promise.reject(new Error('the monitor is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ kind: 'request', id, method, params });
    });
  }

  /** Asks the running guest to stop at the next instruction boundary; a 'stopped' event with kind 'pause' follows. */
  requestPause(): void {
    Atomics.store(this.control, ControlSlot.PauseRequest, 1);
    void this.call('pause', {}).catch(() => undefined);
  }

  onEvent(listener: (e: MonitorEvent) => void): void {
    this.on('monitorEvent', listener);
  }

  async shutdown(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.call('terminate', {}), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // already gone
    }
    await this.worker.terminate();
  }

  private onMessage(m: WorkerReply): void {
    if (m.kind === 'event') {
      const { kind: _kind, ...event } = m;
      this.emit('monitorEvent', event as MonitorEvent);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
