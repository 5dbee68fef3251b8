import type { CpuHost } from '../cpu/cpu-host';
import type { IoBus } from '../devices/io-bus';
import { PicPair } from '../devices/pic';
import { Pit8254 } from '../devices/pit';
import { Uart16550 } from '../devices/uart';
import type { VirtualClock } from './virtual-clock';

/** What the PC's devices tell the world outside the VM. */
export interface PcDeviceEvents {
  /** A byte left serial port `port` (0 = COM1). */
  onSerial(port: number, byte: number): void;
  /** A byte written to the debug console port 0xE9. */
  onDebugCon(byte: number): void;
  /** The guest powered off, reset, or wrote the isa-debug-exit port: `code` is the process exit status QEMU gives. */
  onPowerOff(code: number, reason: string): void;
}

interface Board {
  io: IoBus;
  clock: VirtualClock;
}

/**
 * The PC around the CPUs: which device sits at which port and IRQ. Every port access goes through the I/O bus,
 * so each one is attributed to its device in statistics.
 */
export class PcDevices {
  readonly pic = new PicPair();
  readonly pit: Pit8254;
  readonly uarts: Uart16550[];
  private a20 = false;

  constructor(board: Board & Pick<CpuHost, 'now'>, events: PcDeviceEvents & { debugExitPort?: number }) {
    const { io, clock } = board;
    this.pic.attach(io);
    this.pit = new Pit8254({ clock, irq: this.pic });
    this.pit.attach(io);
    this.uarts = [
      new Uart16550({ name: 'com1', clock, irq: this.pic, line: 4, onTransmit: (b) => events.onSerial(0, b) }),
      new Uart16550({ name: 'com2', clock, irq: this.pic, line: 3, onTransmit: (b) => events.onSerial(1, b) }),
    ];
    this.uarts[0].attach(io, 0x3f8);
    this.uarts[1].attach(io, 0x2f8);
    io.register(
      {
        name: 'debugcon',
        portRead: () => 0xe9,
        portWrite: (_p, _s, v) => events.onDebugCon(v & 0xff),
      },
      0xe9,
    );
    const exitPort = events.debugExitPort;
    if (exitPort !== undefined) io.register(
      {
        name: 'isa-debug-exit',
        portRead: () => 0,
        // QEMU's convention: the process exits with (value << 1) | 1.
        portWrite: (_p, _s, v) => events.onPowerOff((((v >>> 0) << 1) | 1) & 0xff, `isa-debug-exit wrote ${v >>> 0}`),
      },
      exitPort,
      4,
    );
  }

  get a20Enabled(): boolean {
    return this.a20;
  }

  setA20(on: boolean): void {
    this.a20 = on;
  }
}
