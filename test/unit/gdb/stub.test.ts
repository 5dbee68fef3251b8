import * as assert from 'node:assert';
import { GdbStub, PACKET_SIZE } from '../../../src/gdb/stub';
import { REG, REGISTER_BYTES, REGISTERS } from '../../../src/gdb/registers';
import { targetXml } from '../../../src/gdb/target-description';
import { FakeTarget } from './fake-target';

function setup() {
  const target = new FakeTarget();
  const sent: string[] = [];
  const hooks: string[] = [];
  const stub = new GdbStub(target, (p) => sent.push(Buffer.isBuffer(p) ? p.toString('latin1') : p), {
    noAck: () => hooks.push('noAck'),
    detach: () => hooks.push('detach'),
    kill: () => hooks.push('kill'),
  });
  target.onStop = (s) => stub.stopped(s);
  const ask = (payload: string | Buffer): string | undefined => {
    const before = sent.length;
    stub.handle(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
    assert.ok(sent.length - before <= 1, 'at most one reply per packet');
    return sent.length > before ? sent[sent.length - 1] : undefined;
  };
  return { target, stub, ask, sent, hooks };
}

describe('gdb: stub commands', () => {
  it('qSupported: packet size, target description, no-ack mode, swbreak/hwbreak', () => {
    const { ask, hooks } = setup();
    const features = ask('qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+')!.split(';');
    assert.ok(features.includes(`PacketSize=${PACKET_SIZE.toString(16)}`));
    for (const f of ['qXfer:features:read+', 'QStartNoAckMode+', 'swbreak+', 'hwbreak+']) assert.ok(features.includes(f), f);
    assert.strictEqual(ask('QStartNoAckMode'), 'OK');
    assert.deepStrictEqual(hooks, ['noAck']);
  });

  it('qXfer:features:read serves target.xml in pieces (m = more, l = last)', () => {
    const { ask } = setup();
    const xml = targetXml();
    let got = '';
    // 0x64 = 100 bytes a request, the next offset right after.
    for (let off = 0; ; off += 100) {
      const r = ask(`qXfer:features:read:target.xml:${off.toString(16)},64`)!;
      got += r.slice(1);
      if (r[0] === 'l') break;
      assert.strictEqual(r[0], 'm');
    }
    assert.strictEqual(got, xml);
    assert.strictEqual(ask('qXfer:features:read:other.xml:0,100'), 'E00');
  });

  it('the target description: i386, the core feature with 32 registers in gdb order, then CR0-CR4', () => {
    const xml = targetXml();
    assert.match(xml, /<architecture>i386<\/architecture>/);
    assert.match(xml, /<feature name="org.gnu.gdb.i386.core">/);
    const names = [...xml.matchAll(/<reg name="(\w+)"/g)].map((m) => m[1]);
    assert.deepStrictEqual(names.slice(0, 16), ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs']);
    assert.deepStrictEqual(names.slice(16, 24), ['st0', 'st1', 'st2', 'st3', 'st4', 'st5', 'st6', 'st7']);
    assert.deepStrictEqual(names.slice(24), ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop', 'cr0', 'cr2', 'cr3', 'cr4']);
    assert.strictEqual(REGISTER_BYTES, 16 * 4 + 8 * 10 + 8 * 4 + 4 * 4);
  });

  it('g: every register little-endian in order; p: one; P and G write', () => {
    const { ask, target } = setup();
    const g = ask('g')!;
    assert.strictEqual(g.length, REGISTER_BYTES * 2);
    assert.strictEqual(g.slice(0, 8), '00100000', 'eax = 0x1000');
    assert.strictEqual(g.slice(8 * 8, 9 * 8), 'f2001000', 'eip');
    assert.strictEqual(ask(`p${REG.eip.toString(16)}`), 'f2001000');
    assert.strictEqual(ask(`p${REG.st0.toString(16)}`), '0000000000000000003f');
    assert.strictEqual(ask('P0=78563412'), 'OK');
    assert.strictEqual(target.regs[0][0], 0x12345678);
    assert.strictEqual(ask(`P${REG.cs.toString(16)}=1b000000`), 'E16', 'segment registers load through descriptors');
    assert.strictEqual(ask('p99'), 'E16');
    // G with one changed register (ecx) and everything else as read: only ecx is written.
    const image = Buffer.from(ask('g')!, 'hex');
    image.writeUInt32LE(0xcafe, 4);
    assert.strictEqual(ask('G' + image.toString('hex')), 'OK');
    assert.strictEqual(target.regs[0][1], 0xcafe);
    image.writeUInt32LE(0x1b, REG.cs * 4);
    assert.strictEqual(ask('G' + image.toString('hex')), 'E16');
  });

  it('Hg selects the vCPU for registers; threads are vCPUs 1..n', () => {
    const { ask } = setup();
    assert.strictEqual(ask('qfThreadInfo'), 'm1,2');
    assert.strictEqual(ask('qsThreadInfo'), 'l');
    assert.strictEqual(ask('qC'), 'QC1');
    assert.strictEqual(ask('qAttached'), '1');
    assert.strictEqual(ask('Hg2'), 'OK');
    assert.strictEqual(ask('p0'), '00200000', 'eax of vCPU 1');
    assert.strictEqual(ask('Hg0'), 'OK');
    assert.strictEqual(ask('p0'), '00100000');
    assert.strictEqual(ask('Hc-1'), 'OK');
    assert.strictEqual(ask('Hg3'), 'E16');
    assert.strictEqual(ask('T2'), 'OK');
    assert.strictEqual(ask('T3'), 'E16');
    assert.strictEqual(Buffer.from(ask('qThreadExtraInfo,2')!, 'hex').toString(), 'vCPU 1');
  });

  it('m, M and X: memory by address, errors for unmapped, binary writes unescaped', () => {
    const { ask, target } = setup();
    assert.strictEqual(ask('m1000f2,5'), Buffer.from('kmain').toString('hex'));
    assert.strictEqual(ask('m10fffe,4'), '0000', 'the readable prefix');
    assert.strictEqual(ask('m0,4'), 'E14');
    assert.strictEqual(ask('M100000,2:abcd'), 'OK');
    assert.deepStrictEqual([...target.memory.subarray(0, 2)], [0xab, 0xcd]);
    assert.strictEqual(ask('M100000,3:abcd'), 'E16', 'length and data disagree');
    assert.strictEqual(ask('M0,1:00'), 'E14');
    const x = Buffer.concat([Buffer.from('X100010,4:'), Buffer.from([0x7d, 0x03, 0x7d, 0x5d, 0x2a, 0x00])]);
    assert.strictEqual(ask(x), 'OK');
    assert.deepStrictEqual([...target.memory.subarray(0x10, 0x14)], [0x23, 0x7d, 0x2a, 0x00]);
    assert.strictEqual(ask('X100000,0:'), 'OK', 'gdb probes X support with an empty write');
  });

  it('Z0/Z1 become engine breakpoints (never bytes in memory); z removes', () => {
    const { ask, target } = setup();
    const before = Buffer.from(target.memory);
    assert.strictEqual(ask('Z0,1000f2,1'), 'OK');
    assert.strictEqual(ask('Z1,100200,1'), 'OK');
    assert.deepStrictEqual(target.breakpoints.sort(), [0x1000f2, 0x100200]);
    assert.ok(target.memory.equals(before), 'no int3 written');
    assert.strictEqual(ask('z0,1000f2,1'), 'OK');
    assert.deepStrictEqual(target.breakpoints, [0x100200]);
  });

  it('Z2/Z3/Z4: write, read and access watchpoints of any length', () => {
    const { ask, target } = setup();
    assert.strictEqual(ask('Z2,104000,4'), 'OK');
    assert.strictEqual(ask('Z3,104010,2'), 'OK');
    assert.strictEqual(ask('Z4,104020,1'), 'OK');
    assert.deepStrictEqual(target.watchpoints, [
      { address: 0x104000, length: 4, kind: 'write' },
      { address: 0x104010, length: 2, kind: 'read' },
      { address: 0x104020, length: 1, kind: 'access' },
    ]);
    assert.strictEqual(ask('z3,104010,2'), 'OK');
    assert.strictEqual(target.watchpoints.length, 2);
    assert.strictEqual(ask('Z5,0,1'), '', 'unknown types: empty reply (unsupported)');
  });

  it('c and s reply only when the target stops: T05 with thread, swbreak, watch/rwatch/awatch', () => {
    const { ask, target, stub, sent } = setup();
    assert.strictEqual(ask('?'), 'T05thread:1;');
    ask('Z0,1000f2,1');
    assert.strictEqual(ask('c'), undefined);
    assert.deepStrictEqual(target.log, ['resume']);
    stub.stopped({ cpu: 0, reason: 'breakpoint' });
    assert.strictEqual(sent.pop(), 'T05swbreak:;thread:1;');
    assert.strictEqual(ask('s'), undefined);
    stub.stopped({ cpu: 0, reason: 'step' });
    assert.strictEqual(sent.pop(), 'T05thread:1;');
    for (const [kind, field] of [['write', 'watch'], ['read', 'rwatch'], ['access', 'awatch']] as const) {
      ask('c');
      stub.stopped({ cpu: 1, reason: 'watch', watch: { address: 0x104000, length: 4, kind } });
      assert.strictEqual(sent.pop(), `T05${field}:104000;thread:2;`);
    }
    assert.strictEqual(ask('qC'), 'QC2', 'the current thread is the one that stopped');
    // A stop nobody waits for (gdb attaching) is only remembered.
    const n = sent.length;
    stub.stopped({ cpu: 0, reason: 'interrupt' });
    assert.strictEqual(sent.length, n);
    assert.strictEqual(ask('?'), 'T02thread:1;');
  });

  it('c ADDR and s ADDR resume at an address; vCont? and vCont;c / vCont;s:2;c', () => {
    const { ask, target } = setup();
    ask('c100300');
    assert.strictEqual(target.regs[0][REG.eip], 0x100300);
    assert.strictEqual(ask('vCont?'), 'vCont;c;C;s;S');
    ask('vCont;s:2;c');
    ask('vCont;c');
    ask('S05');
    assert.deepStrictEqual(target.log, ['resume', 'step 1', 'resume', 'step 0']);
  });

  it('Ctrl-C (0x03) pauses a running guest: T02', () => {
    const { ask, stub, sent, target } = setup();
    ask('c');
    stub.interrupt();
    assert.deepStrictEqual(target.log, ['resume', 'pause']);
    assert.strictEqual(sent.pop(), 'T02thread:1;');
    stub.interrupt();
    assert.deepStrictEqual(target.log, ['resume', 'pause'], 'ignored when stopped');
  });

  it('the guest exiting while gdb waits: W with its status', () => {
    const { ask, stub, sent } = setup();
    ask('c');
    stub.exited(1);
    assert.strictEqual(sent.pop(), 'W01');
  });

  it('qRcmd runs a monitor command and replies with its output in hex', () => {
    const { ask } = setup();
    const reply = ask('qRcmd,' + Buffer.from('walk 0x1000').toString('hex'))!;
    assert.strictEqual(Buffer.from(reply, 'hex').toString(), 'cpu 0: walk 0x1000\n');
  });

  it('D detaches (breakpoints dropped, OK), k kills, unknown packets get the empty reply', () => {
    const { ask, target, hooks, sent } = setup();
    ask('Z0,1000f2,1');
    ask('Z2,104000,4');
    assert.strictEqual(ask('D'), 'OK');
    assert.deepStrictEqual(target.breakpoints, []);
    assert.deepStrictEqual(target.watchpoints, []);
    assert.strictEqual(ask('k'), undefined);
    assert.deepStrictEqual(hooks, ['detach', 'kill']);
    assert.strictEqual(ask('vMustReplyEmpty'), '');
    assert.strictEqual(ask('qTStatus'), '');
    assert.strictEqual(ask('!'), '');
    assert.strictEqual(ask('mzz,4'), 'E16', 'malformed numbers are an error reply');
    assert.ok(sent.length > 0);
    assert.strictEqual(REGISTERS.length, 36);
  });
});
