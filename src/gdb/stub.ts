import { fromHex, parseNumber, toHex } from './hex';
import { unescapeBinary } from './packet';
import { encodeRegisters, REG, REG_OFFSETS, REGISTERS, registerBytes } from './registers';
import { targetXml } from './target-description';
import type { GdbTarget, TargetStop, TargetWatch, WatchKind } from './target';

/** Largest packet we accept and advertise (qSupported PacketSize): 16 KiB, 8 KiB of memory per `m`. */
export const PACKET_SIZE = 0x4000;

const SIGINT = 2;
const SIGTRAP = 5;
const E_FAULT = 'E14';
const E_INVALID = 'E16';

const WATCH_KINDS: Record<string, WatchKind> = { '2': 'write', '3': 'read', '4': 'access' };
const STOP_WATCH_FIELD: Record<WatchKind, string> = { write: 'watch', read: 'rwatch', access: 'awatch' };

export interface StubHooks {
  /** Acknowledgements end after this reply goes out (QStartNoAckMode). */
  noAck(): void;
  /** `D`: gdb leaves; the guest runs on. */
  detach(): void;
  /** `k`: gdb kills the target; like QEMU, the whole process ends. */
  kill(): void;
}

/**
 * The remote protocol's commands over a GdbTarget: one method per packet letter. Breakpoints of every kind are
 * engine breakpoints and watchpoints inside the monitor, so guest memory never holds an `int3` that a boot
 * loader could copy or a checksum could see.
 */
export class GdbStub {
  /** Software (Z0) and hardware (Z1) breakpoints by linear address; both are engine breakpoints. */
  private readonly swBreak = new Set<number>();
  private readonly hwBreak = new Set<number>();
  private readonly watches = new Map<string, TargetWatch>();
  /** Thread for g/p/m (Hg) and for s/c (Hc): 1-based, 0 = "any" (the last stop's vCPU). */
  private gThread = 0;
  private cThread = 0;
  /** gdb resumed the target and waits for a stop reply. */
  private waiting = false;
  private interrupted = false;
  private lastStop: TargetStop = { cpu: 0, reason: 'other' };

  constructor(private readonly target: GdbTarget, private readonly send: (payload: string | Buffer) => void, private readonly hooks: StubHooks) {}

  /** Handles one packet's payload; replies through `send` (none while the target runs). */
  handle(payload: Buffer): void {
    const text = payload.toString('latin1');
    let reply: string | Buffer | undefined;
    try {
      reply = this.dispatch(text, payload);
    } catch (e) {
      // Malformed numbers or hex: the protocol's answer is an error reply, never a dropped connection.
      reply = e instanceof RangeError ? E_INVALID : `E01`;
    }
    if (reply !== undefined) this.send(reply);
  }

  /** A raw 0x03 from gdb: stop the guest; the stop reply says SIGINT. */
  interrupt(): void {
    if (!this.target.running) return;
    this.interrupted = true;
    this.target.pause();
  }

  /** The target stopped. Reply if gdb is waiting for it; remember it for `?` either way. */
  stopped(stop: TargetStop): void {
    this.lastStop = this.interrupted && stop.reason !== 'watch' && stop.reason !== 'breakpoint' ? { ...stop, reason: 'interrupt' } : stop;
    this.interrupted = false;
    if (!this.waiting) return;
    this.waiting = false;
    this.send(this.stopReply());
  }

  /** The guest ended (isa-debug-exit, power off): `W` with its status, if gdb waits. */
  exited(code: number): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.send(`W${(code & 0xff).toString(16).padStart(2, '0')}`);
  }

  /** gdb went away without `D` (connection closed): drop its breakpoints, let the guest run on. */
  release(): void {
    this.swBreak.clear();
    this.hwBreak.clear();
    this.watches.clear();
    this.target.setBreakpoints([]);
    this.target.setWatchpoints([]);
    this.waiting = false;
  }

  private cpuOf(thread: number): number {
    const t = thread > 0 ? thread : this.lastStop.cpu + 1;
    if (t > this.target.cpuCount) throw new RangeError(`no thread ${t}`);
    return t - 1;
  }

  private stopReply(): string {
    const s = this.lastStop;
    const fields: string[] = [];
    let signal = SIGTRAP;
    if (s.reason === 'interrupt') signal = SIGINT;
    else if (s.reason === 'watch' && s.watch) fields.push(`${STOP_WATCH_FIELD[s.watch.kind]}:${s.watch.address.toString(16)}`);
    else if (s.reason === 'breakpoint') {
      // swbreak/hwbreak tell gdb the PC is already at the breakpoint: no "decrement PC after int3" guess.
      const pc = this.target.registers(s.cpu).values[REG.eip] >>> 0;
      if (this.swBreak.has(pc)) fields.push('swbreak:');
      else if (this.hwBreak.has(pc)) fields.push('hwbreak:');
    }
    fields.push(`thread:${(s.cpu + 1).toString(16)}`);
    return `T${signal.toString(16).padStart(2, '0')}${fields.join(';')};`;
  }

  private dispatch(text: string, raw: Buffer): string | Buffer | undefined {
    switch (text[0]) {
      case '?':
        return this.stopReply();
      case 'q':
        return this.query(text);
      case 'Q':
        if (text === 'QStartNoAckMode') {
          this.hooks.noAck();
          return 'OK';
        }
        return '';
      case 'H': {
        const t = text.slice(2) === '-1' ? 0 : parseNumber(text.slice(2));
        if (t > this.target.cpuCount) return E_INVALID;
        if (text[1] === 'g') this.gThread = t;
        else if (text[1] === 'c') this.cThread = t;
        else return '';
        return 'OK';
      }
      case 'T':
        return parseNumber(text.slice(1)) - 1 < this.target.cpuCount ? 'OK' : E_INVALID;
      case 'g':
        return toHex(encodeRegisters(this.target.registers(this.cpuOf(this.gThread))));
      case 'G':
        return this.writeAllRegisters(text.slice(1));
      case 'p': {
        const n = parseNumber(text.slice(1));
        if (n >= REGISTERS.length) return E_INVALID;
        return toHex(registerBytes(encodeRegisters(this.target.registers(this.cpuOf(this.gThread))), n));
      }
      case 'P': {
        const [n, value] = text.slice(1).split('=');
        const regno = parseNumber(n);
        const bytes = fromHex(value);
        if (regno >= REGISTERS.length || REGISTERS[regno].bits !== 32 || bytes.length !== 4) return E_INVALID;
        return this.target.setRegister(this.cpuOf(this.gThread), regno, bytes.readUInt32LE(0)) ? 'OK' : E_INVALID;
      }
      case 'm': {
        const [a, l] = text.slice(1).split(',');
        const length = Math.min(parseNumber(l), PACKET_SIZE / 2);
        const data = this.target.readMemory(this.cpuOf(this.gThread), parseNumber(a), length);
        return data.length || length === 0 ? toHex(data) : E_FAULT;
      }
      case 'M': {
        const [where, hex] = text.slice(1).split(':');
        const [a, l] = where.split(',');
        const data = fromHex(hex);
        if (data.length !== parseNumber(l)) return E_INVALID;
        return this.target.writeMemory(this.cpuOf(this.gThread), parseNumber(a), data) === data.length ? 'OK' : E_FAULT;
      }
      case 'X': {
        const colon = raw.indexOf(0x3a);
        const [a, l] = text.slice(1, colon).split(',');
        const data = unescapeBinary(raw.subarray(colon + 1));
        if (data.length !== parseNumber(l)) return E_INVALID;
        return this.target.writeMemory(this.cpuOf(this.gThread), parseNumber(a), data) === data.length ? 'OK' : E_FAULT;
      }
      case 'c':
      case 's':
        return this.resume(text[0], this.cThread, text.slice(1));
      case 'C':
      case 'S': {
        // Signals mean nothing to a bare-metal guest: continue or step, at the address if one is given.
        const semi = text.indexOf(';');
        return this.resume(text[0] === 'C' ? 'c' : 's', this.cThread, semi < 0 ? '' : text.slice(semi + 1));
      }
      case 'v':
        return this.vPacket(text);
      case 'Z':
      case 'z':
        return this.breakpoint(text[0] === 'Z', text.slice(1));
      case 'D':
        this.release();
        this.send('OK');
        this.hooks.detach();
        return undefined;
      case 'k':
        this.hooks.kill();
        return undefined;
      default:
        return '';
    }
  }

  private query(text: string): string {
    if (text.startsWith('qSupported')) {
      return [`PacketSize=${PACKET_SIZE.toString(16)}`, 'qXfer:features:read+', 'QStartNoAckMode+', 'swbreak+', 'hwbreak+', 'vContSupported+'].join(';');
    }
    if (text.startsWith('qXfer:features:read:')) {
      const [annex, range] = text.slice('qXfer:features:read:'.length).split(':');
      if (annex !== 'target.xml') return 'E00';
      const [o, l] = range.split(',').map(parseNumber);
      const xml = targetXml();
      const chunk = xml.slice(o, o + l);
      return (o + l >= xml.length ? 'l' : 'm') + chunk;
    }
    if (text === 'qAttached') return '1';
    if (text === 'qC') return `QC${(this.lastStop.cpu + 1).toString(16)}`;
    if (text === 'qfThreadInfo') return 'm' + Array.from({ length: this.target.cpuCount }, (_, i) => (i + 1).toString(16)).join(',');
    if (text === 'qsThreadInfo') return 'l';
    if (text.startsWith('qThreadExtraInfo,')) {
      const cpu = parseNumber(text.slice('qThreadExtraInfo,'.length)) - 1;
      return Buffer.from(`vCPU ${cpu}`).toString('hex');
    }
    if (text.startsWith('qRcmd,')) {
      // `monitor walk 0x1000` in gdb: the reply is the command's output, hex-encoded.
      const command = fromHex(text.slice(6)).toString('latin1');
      const out = this.target.command(this.cpuOf(this.gThread), command);
      return Buffer.from(out.endsWith('\n') ? out : out + '\n', 'latin1').toString('hex');
    }
    if (text === 'qOffsets') return 'Text=0;Data=0;Bss=0';
    if (text.startsWith('qSymbol')) return 'OK';
    return '';
  }

  private vPacket(text: string): string | undefined {
    if (text === 'vCont?') return 'vCont;c;C;s;S';
    if (text.startsWith('vCont;')) {
      // Actions apply to threads in order; a step for one thread wins over a continue for the rest, since a
      // one-instruction step runs only that vCPU anyway.
      const actions = text.slice(6).split(';').map((a) => {
        const [act, thread] = a.split(':');
        return { act: act[0].toLowerCase(), thread: thread === undefined || thread === '-1' ? 0 : parseNumber(thread) };
      });
      const step = actions.find((a) => a.act === 's');
      if (step) return this.resume('s', step.thread, '');
      if (actions.some((a) => a.act === 'c')) return this.resume('c', 0, '');
      return E_INVALID;
    }
    if (text === 'vMustReplyEmpty') return '';
    return '';
  }

  private resume(kind: 'c' | 's', thread: number, address: string): undefined {
    const cpu = this.cpuOf(thread);
    if (address) this.target.setRegister(cpu, REG.eip, parseNumber(address));
    this.waiting = true;
    this.interrupted = false;
    if (kind === 's') this.target.step(cpu);
    else this.target.resume();
    return undefined;
  }

  private breakpoint(insert: boolean, args: string): string {
    const [type, a, k] = args.split(';')[0].split(',');
    const address = parseNumber(a) >>> 0;
    const length = parseNumber(k);
    if (type === '0' || type === '1') {
      const set = type === '0' ? this.swBreak : this.hwBreak;
      if (insert) set.add(address);
      else set.delete(address);
      this.target.setBreakpoints([...new Set([...this.swBreak, ...this.hwBreak])]);
      return 'OK';
    }
    const kind = WATCH_KINDS[type];
    if (!kind) return '';
    if (length < 1) return E_INVALID;
    const key = `${type},${address},${length}`;
    if (insert) this.watches.set(key, { address, length, kind });
    else this.watches.delete(key);
    this.target.setWatchpoints([...this.watches.values()]);
    return 'OK';
  }

  private writeAllRegisters(hex: string): string {
    const image = fromHex(hex);
    const cpu = this.cpuOf(this.gThread);
    const current = encodeRegisters(this.target.registers(cpu));
    // Only registers that changed are written, so an unchanged segment selector or x87 image is no error.
    for (let n = 0; n < REGISTERS.length; n++) {
      const now = registerBytes(current, n);
      const offset = REG_OFFSETS[n];
      if (offset + now.length > image.length) break;
      const want = image.subarray(offset, offset + now.length);
      if (want.equals(now)) continue;
      if (REGISTERS[n].bits !== 32 || !this.target.setRegister(cpu, n, want.readUInt32LE(0))) return E_INVALID;
    }
    return 'OK';
  }
}
