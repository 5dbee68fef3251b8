import * as assert from 'node:assert';
import * as fs from 'fs';
import * as net from 'net';
import { GdbServer } from '../../../src/gdb/server';
import { MonitorTarget } from '../../../src/gdb/monitor-target';
import { framePacket, PacketReader } from '../../../src/gdb/packet';
import { Monitor } from '../../../src/vmm/monitor/monitor';
import { ElfFile } from '../../../src/symbols/elf-reader';
import type { MonitorEvent } from '../../../src/vmm/monitor/protocol';
import { sampleKernel } from '../../support/repo';

/** A raw remote-protocol client: sends packets, collects replies, checks the acks while ack mode lasts. */
class RawClient {
  private readonly reader = new PacketReader();
  private readonly replies: string[] = [];
  private waiters: (() => void)[] = [];
  acks = 0;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      for (const e of this.reader.feed(d)) {
        if (e.kind === 'ack') this.acks++;
        if (e.kind !== 'packet') continue;
        assert.ok(e.checksumOk, 'the stub frames replies with good checksums');
        this.replies.push(e.payload.toString('latin1'));
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  async next(timeoutMs = 60_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (!this.replies.length) {
      if (Date.now() > until) throw new Error('no reply');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return this.replies.shift()!;
  }

  send(payload: string, ack = true): void {
    this.socket.write(framePacket(payload));
    if (ack) this.socket.write('+');
  }

  async ask(payload: string, ack = true): Promise<string> {
    this.send(payload, ack);
    return this.next();
  }

  raw(bytes: string): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The stub over TCP on an in-process monitor running the teaching kernel, as `ringside -S -gdb` wires it. */
describe('gdb: the TCP server on a live monitor', function () {
  this.timeout(120_000);

  it('acks, no-ack mode, Ctrl-C stops a running guest, a watchpoint on ticks reports watch:ADDR, monitor commands, detach', async () => {
    const events: MonitorEvent[] = [];
    const holder: { server?: GdbServer } = {};
    const monitor = new Monitor((e) => {
      events.push(e);
      if (e.event === 'stopped') holder.server?.stopped(e.body);
    });
    monitor.launch({ vms: [{ name: 'vm', kernel: sampleKernel(), cmdline: '', memoryMB: 64, cpus: 1, engine: 'interpret' }] });
    const logs: string[] = [];
    const target = new MonitorTarget(monitor, 0);
    const server = new GdbServer(target, { kill: () => logs.push('kill'), log: (t) => logs.push(t) });
    holder.server = server;
    const port = await freePort();
    await server.listen(port);
    const gdb = await RawClient.connect(port);
    try {
      assert.match(await gdb.ask('qSupported:swbreak+'), /PacketSize=4000/);
      assert.strictEqual(gdb.acks, 1, 'the stub acknowledged the packet');
      assert.strictEqual(await gdb.ask('QStartNoAckMode'), 'OK');
      assert.strictEqual(await gdb.ask('?', false), 'T05thread:1;');
      assert.strictEqual(await gdb.ask('p8', false), '0c001000', 'EIP at the ELF entry, 0x10000c');
      // Run, then interrupt with a raw 0x03 byte: the guest stops wherever it is.
      gdb.send('c', false);
      await new Promise((r) => setTimeout(r, 300));
      gdb.raw('\x03');
      assert.strictEqual(await gdb.next(), 'T02thread:1;');
      // A write watchpoint on ticks (kernel/timer.c): the next timer tick reports it.
      const sym = symbolAddress('ticks');
      assert.strictEqual(await gdb.ask(`Z2,${sym.toString(16)},4`, false), 'OK');
      const stop = await gdb.ask('c', false);
      assert.strictEqual(stop, `T05watch:${sym.toString(16)};thread:1;`);
      assert.strictEqual(await gdb.ask(`z2,${sym.toString(16)},4`, false), 'OK');
      const tlb = Buffer.from(await gdb.ask('qRcmd,' + Buffer.from('info tlb').toString('hex'), false), 'hex').toString();
      assert.match(tlb, /^TLB: \d+ entries live/);
      // Detach: the guest runs on without gdb's watchpoints.
      assert.strictEqual(await gdb.ask('D', false), 'OK');
      assert.strictEqual(target.running, true);
    } finally {
      gdb.close();
      server.close();
      monitor.terminate();
    }
    assert.ok(events.some((e) => e.event === 'output' && /Ringside teaching kernel/.test(e.body.text)));
  });
});

/** A symbol's address from the kernel's ELF symbol table. */
function symbolAddress(name: string): number {
  const sym = ElfFile.parse(new Uint8Array(fs.readFileSync(sampleKernel()))).symbols().find((x) => x.name === name);
  if (!sym) throw new Error(`no symbol ${name}`);
  return sym.value;
}
