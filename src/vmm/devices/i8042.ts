import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';
import { Ps2Keyboard, Ps2Mouse } from './ps2';

const PORT_DATA = 0x60;
const PORT_STATUS = 0x64;
const PORT_92 = 0x92;

const STATUS_OBF = 0x01;
const STATUS_SYS = 0x04;
const STATUS_CMD = 0x08;
const STATUS_UNLOCKED = 0x10;
const STATUS_AUX = 0x20;
const STATUS_TIMEOUT = 0x40;

const CB_KBD_INT = 0x01;
const CB_AUX_INT = 0x02;
const CB_SYS = 0x04;
const CB_KBD_DISABLE = 0x10;
const CB_AUX_DISABLE = 0x20;
const CB_XLATE = 0x40;

const OUT_RESET = 0x01; // active low: 0 holds the CPU in reset
const OUT_A20 = 0x02;

export interface I8042Options {
  irq: IrqLines;
  /** Line for keyboard data (1) and mouse data (12). */
  keyboardLine?: number;
  mouseLine?: number;
  /** Without a mouse, AUX commands time out instead of being answered. */
  mouse?: boolean;
  /** The effective A20 gate (output port bit 1 OR port 0x92 bit 1) changed. */
  onA20?: (enabled: boolean) => void;
  /** The guest pulsed the CPU reset line (command 0xFE, output port bit 0, or port 0x92 bit 0). */
  onReset?: () => void;
}

interface OutByte {
  value: number;
  aux: boolean;
  timeout?: boolean;
}

/**
 * The 8042 keyboard controller (ports 0x60/0x64) with its keyboard and mouse, plus PS/2 system control port A
 * (0x92: fast A20 and fast reset) since both feed the same A20 gate. The machine wires `onA20` to the memory
 * map and `onReset` to a CPU reset.
 */
export class I8042 implements IoDevice {
  readonly name = 'i8042';
  readonly keyboard = new Ps2Keyboard();
  readonly mouse: Ps2Mouse | undefined;
  private readonly irq: IrqLines;
  private readonly kbdLine: number;
  private readonly auxLine: number;
  onA20?: (enabled: boolean) => void;
  onReset?: () => void;

  /** Controller RAM; byte 0 is the command byte. BIOS leaves IRQ1 on, SYS set, translation on. */
  readonly ram = new Uint8Array(32);
  private outputPort = 0xc0 | OUT_A20 | OUT_RESET;
  private port92 = 0;
  private a20 = true;
  private out: OutByte[] = [];
  private pendingCommand = -1;
  private lastWasCommand = false;
  private lastRead = 0;
  private kbdIrq = false;
  private auxIrq = false;
  resets = 0;

  constructor(opts: I8042Options) {
    this.irq = opts.irq;
    this.kbdLine = opts.keyboardLine ?? 1;
    this.auxLine = opts.mouseLine ?? 12;
    this.mouse = opts.mouse === false ? undefined : new Ps2Mouse();
    this.onA20 = opts.onA20;
    this.onReset = opts.onReset;
    this.ram[0] = CB_KBD_INT | CB_SYS | CB_XLATE;
    this.keyboard.translate = () => (this.ram[0] & CB_XLATE) !== 0;
  }

  attach(bus: IoBus): void {
    bus.register(this, PORT_DATA, 1);
    bus.register(this, PORT_STATUS, 1);
    bus.register(this, PORT_92, 1);
  }

  get a20Enabled(): boolean {
    return this.a20;
  }

  /** Host keyboard input: scancode bytes as the guest should read them (set 1, make and break codes). */
  keyboardInput(bytes: ArrayLike<number>): void {
    this.keyboard.input(bytes);
    this.refill();
  }

  /** Host mouse input; ignored without a mouse or while the guest has not enabled reporting. */
  mouseInput(dx: number, dy: number, buttons: number): void {
    this.mouse?.input(dx, dy, buttons);
    this.refill();
  }

  private status(): number {
    const head = this.out[0];
    return (
      (head ? STATUS_OBF : 0) |
      (head?.aux ? STATUS_AUX : 0) |
      (head?.timeout ? STATUS_TIMEOUT : 0) |
      (this.ram[0] & CB_SYS ? STATUS_SYS : 0) |
      (this.lastWasCommand ? STATUS_CMD : 0) |
      STATUS_UNLOCKED
    );
  }

  /** Moves the next device byte into the output buffer when it is free, then updates IRQ1/IRQ12. */
  private refill(): void {
    if (this.out.length === 0) {
      const cb = this.ram[0];
      if (!(cb & CB_KBD_DISABLE) && this.keyboard.queue.length) {
        this.out.push({ value: this.keyboard.queue.shift()!, aux: false });
      } else if (this.mouse && !(cb & CB_AUX_DISABLE) && this.mouse.queue.length) {
        this.out.push({ value: this.mouse.queue.shift()!, aux: true });
      }
    }
    const head = this.out[0];
    this.setIrqs(
      !!head && !head.aux && (this.ram[0] & CB_KBD_INT) !== 0,
      !!head && head.aux && (this.ram[0] & CB_AUX_INT) !== 0,
    );
  }

  private setIrqs(kbd: boolean, aux: boolean): void {
    if (kbd !== this.kbdIrq) {
      this.kbdIrq = kbd;
      if (kbd) this.irq.raise(this.kbdLine);
      else this.irq.lower(this.kbdLine);
    }
    if (aux !== this.auxIrq) {
      this.auxIrq = aux;
      if (aux) this.irq.raise(this.auxLine);
      else this.irq.lower(this.auxLine);
    }
  }

  /** A controller reply goes ahead of device data still queued behind the buffer. */
  private reply(value: number, aux = false): void {
    this.out.push({ value, aux });
    this.refill();
  }

  portRead(port: number, _size: 1 | 2 | 4): number {
    if (port === PORT_STATUS) return this.status();
    if (port === PORT_92) return this.port92 & ~1;
    const head = this.out.shift();
    if (head) this.lastRead = head.value;
    // Reading drops the line first, so the next byte's IRQ is a fresh edge at the PIC.
    this.setIrqs(false, false);
    this.refill();
    return this.lastRead; // an empty buffer repeats the last byte, as the 8042 does
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port === PORT_92) {
      const old = this.port92;
      this.port92 = value & 0x03;
      this.updateA20();
      if (value & 1 && !(old & 1)) this.requestReset();
      return;
    }
    if (port === PORT_STATUS) {
      this.lastWasCommand = true;
      this.command(value);
      return;
    }
    this.lastWasCommand = false;
    const cmd = this.pendingCommand;
    this.pendingCommand = -1;
    if (cmd < 0) {
      // Writing to the keyboard re-enables its interface, as real controllers do.
      this.ram[0] &= ~CB_KBD_DISABLE;
      this.keyboard.write(value);
    } else if (cmd >= 0x60 && cmd <= 0x7f) {
      this.ram[cmd - 0x60] = value;
    } else if (cmd === 0xd1) {
      this.writeOutputPort(value);
    } else if (cmd === 0xd2) {
      this.out.push({ value, aux: false });
    } else if (cmd === 0xd3) {
      this.out.push({ value, aux: true });
    } else if (cmd === 0xd4) {
      this.ram[0] &= ~CB_AUX_DISABLE;
      if (this.mouse) this.mouse.write(value);
      else this.out.push({ value: 0xfe, aux: true, timeout: true });
    }
    this.refill();
  }

  private command(cmd: number): void {
    if (cmd >= 0x20 && cmd <= 0x3f) {
      this.reply(this.ram[cmd - 0x20]);
      return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7f) || (cmd >= 0xd1 && cmd <= 0xd4)) {
      this.pendingCommand = cmd;
      return;
    }
    if (cmd >= 0xf0) {
      // Pulse output port bits whose mask bit is 0; bit 0 is the CPU reset line.
      if (!(cmd & 1)) this.requestReset();
      return;
    }
    switch (cmd) {
      case 0xa7:
        this.ram[0] |= CB_AUX_DISABLE;
        break;
      case 0xa8:
        this.ram[0] &= ~CB_AUX_DISABLE;
        break;
      case 0xa9:
        this.reply(this.mouse ? 0x00 : 0x02); // 0x02: clock line stuck low, i.e. nothing there
        return;
      case 0xaa:
        this.ram[0] |= CB_SYS;
        this.reply(0x55);
        return;
      case 0xab:
        this.reply(0x00);
        return;
      case 0xad:
        this.ram[0] |= CB_KBD_DISABLE;
        break;
      case 0xae:
        this.ram[0] &= ~CB_KBD_DISABLE;
        break;
      case 0xc0:
        this.reply(0x80); // input port: keyboard not inhibited
        return;
      case 0xd0:
        this.reply(this.outputPortValue());
        return;
      case 0xdd:
        this.writeOutputPort(this.outputPort & ~OUT_A20);
        break;
      case 0xdf:
        this.writeOutputPort(this.outputPort | OUT_A20);
        break;
      case 0xe0:
        this.reply(0x00);
        return;
      default:
        break; // unknown commands are ignored by the 8042 firmware
    }
    this.refill();
  }

  private outputPortValue(): number {
    const head = this.out[0];
    return (this.outputPort & 0xcf) | (head && !head.aux ? 0x10 : 0) | (head?.aux ? 0x20 : 0);
  }

  private writeOutputPort(value: number): void {
    this.outputPort = value;
    this.updateA20();
    if (!(value & OUT_RESET)) {
      this.outputPort |= OUT_RESET; // the reset is a pulse; the CPU comes back with the line released
      this.requestReset();
    }
  }

  private updateA20(): void {
    const a20 = (this.outputPort & OUT_A20) !== 0 || (this.port92 & 0x02) !== 0;
    if (a20 === this.a20) return;
    this.a20 = a20;
    this.onA20?.(a20);
  }

  private requestReset(): void {
    this.resets++;
    this.onReset?.();
  }
}
