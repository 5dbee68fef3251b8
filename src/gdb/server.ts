import * as net from 'net';
import type { StopEvent } from '../vmm/monitor/protocol';
import type { MonitorTarget } from './monitor-target';
import { framePacket, PacketReader } from './packet';
import { GdbStub } from './stub';

export interface ServerHooks {
  /** gdb sent `k`. */
  kill(): void;
  log(text: string): void;
}

/**
 * The TCP side of the stub (`-s`, `-gdb tcp::PORT`): one gdb at a time on the loopback interface, packets
 * acknowledged until gdb asks for QStartNoAckMode. As in QEMU, a connecting gdb stops the guest, and the guest
 * runs on when gdb detaches or the connection drops.
 */
export class GdbServer {
  private server?: net.Server;
  private socket?: net.Socket;
  private stub?: GdbStub;

  constructor(private readonly target: MonitorTarget, private readonly hooks: ServerHooks) {}

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((s) => this.accept(s));
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.hooks.log(`gdb stub listening on tcp::${port}`);
        resolve();
      });
      this.server = server;
    });
  }

  /** Without -S the guest starts at once; gdb stops it when it attaches. */
  resumeUntilAttach(): void {
    this.target.resume();
  }

  /** Every monitor stop goes through here while the stub exists. */
  stopped(e: StopEvent): void {
    const stop = this.target.stopOf(e);
    if (stop.reason === 'other' && stop.description) this.hooks.log(stop.description);
    this.stub?.stopped(stop);
  }

  exited(code: number): void {
    this.target.ended();
    this.stub?.exited(code);
  }

  close(): void {
    this.socket?.destroy();
    this.server?.close();
  }

  private accept(socket: net.Socket): void {
    if (this.socket) {
      // One debugger at a time, as QEMU: a second connection is refused rather than interleaved.
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    let acks = true;
    let leaveAckMode = false;
    let lastSent: Buffer | undefined;
    const reader = new PacketReader();
    const send = (payload: string | Buffer) => {
      lastSent = framePacket(payload);
      socket.write(lastSent);
      if (leaveAckMode) {
        acks = false;
        leaveAckMode = false;
      }
    };
    const stub = new GdbStub(this.target, send, {
      noAck: () => (leaveAckMode = true),
      detach: () => {
        if (!this.target.running) this.target.resume();
      },
      kill: () => this.hooks.kill(),
    });
    this.stub = stub;
    // Whether the guest should run again when this gdb leaves: it ran before, or gdb let it run. A connection
    // that comes and goes under -S (a port probe) leaves the guest waiting.
    let runAfter = this.target.running;
    if (this.target.running) this.target.pause();
    socket.on('data', (chunk: Buffer) => {
      for (const ev of reader.feed(chunk)) {
        if (ev.kind === 'packet' && /^([cCsS]|vCont;)/.test(ev.payload.toString('latin1', 0, 6))) runAfter = true;
        if (ev.kind === 'interrupt') stub.interrupt();
        else if (ev.kind === 'nack' && acks && lastSent) socket.write(lastSent);
        else if (ev.kind === 'packet') {
          if (acks) socket.write(ev.checksumOk ? '+' : '-');
          if (ev.checksumOk || !acks) stub.handle(ev.payload);
        }
      }
    });
    const gone = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.stub = undefined;
      stub.release();
      if (runAfter && !this.target.running) this.target.resume();
      this.hooks.log('gdb disconnected; the guest runs on');
    };
    socket.on('close', gone);
    socket.on('error', gone);
  }
}
