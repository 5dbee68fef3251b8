import type { IoBus, IoDevice } from '../devices/io-bus';
import type { Clock } from '../monitor/virtual-clock';

/**
 * The ACPI fixed-feature hardware the FADT points at (laid out as on PIIX4, which QEMU also uses at 0x600):
 * PM1a event block (status, enable), PM1a control block (SCI_EN, SLP_TYP, SLP_EN) and the 24-bit PM timer at
 * 3.579545 MHz. Writing SLP_EN with a sleep type ends the machine through `onSleep`; only S5 means anything
 * here (there is no firmware to resume from S1-S4).
 */
export const PM_BASE = 0x600;
export const PM1A_EVT = PM_BASE;
export const PM1A_CNT = PM_BASE + 4;
export const PM_TMR = PM_BASE + 8;

const PM_TIMER_HZ = 3579545;
const SCI_EN = 1;
const SLP_EN = 1 << 13;

export class AcpiPm implements IoDevice {
  readonly name = 'acpi-pm';
  /** The SLP_TYP value the DSDT's \_S5_ names. */
  static readonly S5 = 5;
  private status = 0;
  private enable = 0;
  private control = SCI_EN;
  private readonly clock: Clock;
  private readonly onSleep: (type: number) => void;

  constructor(o: { clock: Clock; onSleep: (type: number) => void }) {
    this.clock = o.clock;
    this.onSleep = o.onSleep;
  }

  attach(bus: IoBus): void {
    bus.register(this, PM_BASE, 12);
  }

  /** The PM timer: free-running from virtual time zero, so it agrees with the TSC and the PIT. */
  timer(): number {
    return Math.floor((this.clock.now() * PM_TIMER_HZ) / 1e9) & 0xffffff;
  }

  portRead(port: number, size: 1 | 2 | 4): number {
    const reg = this.dword(port & ~3);
    const v = reg >>> (8 * (port & 3));
    return size === 4 ? v | 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  private dword(port: number): number {
    if (port === PM1A_EVT) return (this.status | (this.enable << 16)) >>> 0;
    if (port === PM1A_CNT) return this.control;
    if (port === PM_TMR) return this.timer();
    return 0;
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    // Split wide writes into bytes so every register sees its part whatever the access size.
    for (let i = 0; i < size; i++) this.writeByte(port + i, (value >>> (8 * i)) & 0xff);
  }

  private writeByte(port: number, b: number): void {
    const off = port - PM_BASE;
    if (off < 2) this.status &= ~(b << (8 * off)); // write 1 to clear
    else if (off < 4) this.enable = (this.enable & ~(0xff << (8 * (off - 2)))) | (b << (8 * (off - 2)));
    else if (off === 4) this.control = (this.control & 0xff00) | b | SCI_EN;
    else if (off === 5) {
      const v = (this.control & 0xff) | (b << 8);
      this.control = v & ~SLP_EN;
      if (v & SLP_EN) this.onSleep((v >> 10) & 7);
    }
  }
}
