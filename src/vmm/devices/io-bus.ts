/**
 * The monitor's port I/O dispatch table: every IN/OUT a guest executes is a monitor exit that lands here and is
 * attributed to the device that owns the port, so statistics and the debugger can say "COM1 wrote 0x3f8".
 */
export interface IoDevice {
  /** Short name shown in statistics and exit traces, e.g. "uart0", "pic-master". */
  readonly name: string;
  /** `size` is 1, 2 or 4 bytes. Returns the value (only the low `size` bytes matter). */
  portRead(port: number, size: 1 | 2 | 4): number;
  portWrite(port: number, size: 1 | 2 | 4, value: number): void;
}

const PORTS = 0x10000;

export class IoBus {
  /** Index into `devices` per port, -1 for an unclaimed port. */
  private readonly owner = new Int16Array(PORTS).fill(-1);
  readonly devices: IoDevice[] = [];
  /** Accesses per device index (reads + writes), for statistics. */
  readonly accessCounts: number[] = [];
  unclaimedReads = 0;
  unclaimedWrites = 0;

  register(device: IoDevice, firstPort: number, count = 1): void {
    let index = this.devices.indexOf(device);
    if (index < 0) {
      index = this.devices.length;
      this.devices.push(device);
      this.accessCounts.push(0);
    }
    for (let p = firstPort; p < firstPort + count; p++) {
      const prev = this.owner[p];
      if (prev >= 0 && prev !== index) {
        throw new Error(`port 0x${p.toString(16)} is claimed by both ${this.devices[prev].name} and ${device.name}`);
      }
      this.owner[p] = index;
    }
  }

  deviceAt(port: number): IoDevice | undefined {
    const i = this.owner[port & 0xffff];
    return i < 0 ? undefined : this.devices[i];
  }

  read(port: number, size: 1 | 2 | 4): number {
    const i = this.owner[port & 0xffff];
    if (i < 0) {
      this.unclaimedReads++;
      // An ISA bus with nothing on it floats high.
      return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
    }
    this.accessCounts[i]++;
    return this.devices[i].portRead(port & 0xffff, size);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    const i = this.owner[port & 0xffff];
    if (i < 0) {
      this.unclaimedWrites++;
      return;
    }
    this.accessCounts[i]++;
    this.devices[i].portWrite(port & 0xffff, size, value);
  }
}
