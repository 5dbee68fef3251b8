/**
 * The two PS/2 devices behind the i8042: a keyboard and a mouse. Each owns the byte queue it would send the
 * controller; the controller (i8042.ts) decides when a byte may move into its output buffer.
 */

const ACK = 0xfa;
const RESEND = 0xfe;
const BAT_OK = 0xaa;

abstract class Ps2Device {
  readonly queue: number[] = [];
  protected pendingCommand = -1;
  private lastSent = 0;

  protected send(...bytes: number[]): void {
    for (const b of bytes) {
      this.queue.push(b);
      this.lastSent = b;
    }
  }

  write(byte: number): void {
    if (this.pendingCommand >= 0) {
      const cmd = this.pendingCommand;
      this.pendingCommand = -1;
      this.argument(cmd, byte);
      return;
    }
    if (byte === RESEND) {
      this.queue.push(this.lastSent);
      return;
    }
    this.command(byte);
  }

  protected abstract command(byte: number): void;
  protected abstract argument(cmd: number, byte: number): void;
}

export class Ps2Keyboard extends Ps2Device {
  scanning = true;
  scancodeSet = 2;
  leds = 0;
  /** Set by the controller: the identify reply is translated like any other byte when XLATE is on. */
  translate = () => true;

  protected command(byte: number): void {
    switch (byte) {
      case 0xed: // set LEDs
      case 0xf3: // typematic rate
      case 0xf0: // scancode set
        this.pendingCommand = byte;
        this.send(ACK);
        return;
      case 0xee:
        this.send(0xee);
        return;
      case 0xf2:
        this.send(ACK, 0xab, this.translate() ? 0x41 : 0x83);
        return;
      case 0xf4:
        this.scanning = true;
        this.send(ACK);
        return;
      case 0xf5:
        this.scanning = false;
        this.queue.length = 0;
        this.send(ACK);
        return;
      case 0xf6:
        this.scancodeSet = 2;
        this.send(ACK);
        return;
      case 0xff:
        this.queue.length = 0;
        this.scanning = true;
        this.scancodeSet = 2;
        this.leds = 0;
        this.send(ACK, BAT_OK);
        return;
      default:
        if (byte >= 0xf7 && byte <= 0xfd) this.send(ACK);
        else this.send(RESEND);
    }
  }

  protected argument(cmd: number, byte: number): void {
    if (cmd === 0xed) {
      this.leds = byte & 7;
    } else if (cmd === 0xf0) {
      if (byte === 0) {
        this.send(ACK, this.scancodeSet);
        return;
      }
      if (byte > 3) {
        this.send(RESEND);
        return;
      }
      this.scancodeSet = byte;
    }
    this.send(ACK);
  }

  /** Host key events, already as the bytes the guest should read (set 1 with translation, the PC norm). */
  input(bytes: ArrayLike<number>): void {
    if (!this.scanning) return;
    for (let i = 0; i < bytes.length; i++) this.queue.push(bytes[i] & 0xff);
  }
}

export class Ps2Mouse extends Ps2Device {
  reporting = false;
  remote = false;
  scaling21 = false;
  resolution = 2;
  sampleRate = 100;
  buttons = 0;

  protected command(byte: number): void {
    switch (byte) {
      case 0xe8: // resolution
      case 0xf3: // sample rate
        this.pendingCommand = byte;
        this.send(ACK);
        return;
      case 0xe6:
      case 0xe7:
        this.scaling21 = byte === 0xe7;
        this.send(ACK);
        return;
      case 0xe9: {
        const status =
          (this.remote ? 0x40 : 0) | (this.reporting ? 0x20 : 0) | (this.scaling21 ? 0x10 : 0) | (this.buttons & 7);
        this.send(ACK, status, this.resolution, this.sampleRate);
        return;
      }
      case 0xea:
      case 0xf0:
        this.remote = byte === 0xf0;
        this.send(ACK);
        return;
      case 0xeb:
        this.send(ACK, 0x08 | (this.buttons & 7), 0, 0);
        return;
      case 0xec:
      case 0xee:
        this.send(ACK);
        return;
      case 0xf2:
        this.send(ACK, 0x00);
        return;
      case 0xf4:
        this.reporting = true;
        this.send(ACK);
        return;
      case 0xf5:
        this.reporting = false;
        this.send(ACK);
        return;
      case 0xf6:
        this.defaults();
        this.send(ACK);
        return;
      case 0xff:
        this.queue.length = 0;
        this.defaults();
        this.send(ACK, BAT_OK, 0x00);
        return;
      default:
        this.send(RESEND);
    }
  }

  private defaults(): void {
    this.reporting = false;
    this.remote = false;
    this.scaling21 = false;
    this.resolution = 2;
    this.sampleRate = 100;
  }

  protected argument(cmd: number, byte: number): void {
    if (cmd === 0xe8) this.resolution = byte & 3;
    else this.sampleRate = byte;
    this.send(ACK);
  }

  /** Host pointer motion: dx right, dy up (PS/2's convention); buttons bit 0 left, 1 right, 2 middle. */
  input(dx: number, dy: number, buttons: number): void {
    this.buttons = buttons & 7;
    if (!this.reporting || this.remote) return;
    const x = Math.max(-256, Math.min(255, Math.round(dx)));
    const y = Math.max(-256, Math.min(255, Math.round(dy)));
    const b0 = 0x08 | this.buttons | (x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0);
    this.queue.push(b0, x & 0xff, y & 0xff);
  }
}
