import type { IoBus, IoDevice } from './io-bus';

export const FW_CFG_SIGNATURE = 0x0000;
export const FW_CFG_ID = 0x0001;
export const FW_CFG_UUID = 0x0002;
export const FW_CFG_RAM_SIZE = 0x0003;
export const FW_CFG_NOGRAPHIC = 0x0004;
export const FW_CFG_NB_CPUS = 0x0005;
export const FW_CFG_MACHINE_ID = 0x0006;
export const FW_CFG_KERNEL_ADDR = 0x0007;
export const FW_CFG_KERNEL_SIZE = 0x0008;
export const FW_CFG_KERNEL_CMDLINE = 0x0009;
export const FW_CFG_INITRD_ADDR = 0x000a;
export const FW_CFG_INITRD_SIZE = 0x000b;
export const FW_CFG_BOOT_DEVICE = 0x000c;
export const FW_CFG_NUMA = 0x000d;
export const FW_CFG_BOOT_MENU = 0x000e;
export const FW_CFG_MAX_CPUS = 0x000f;
export const FW_CFG_FILE_DIR = 0x0019;
export const FW_CFG_FILE_FIRST = 0x0020;

/** Selector bit 14 asks for the write channel; it does not name another item. */
const WRITE_CHANNEL = 0x4000;
const PORT_SELECTOR = 0x510;
const PORT_DATA = 0x511;
const FILE_NAME_BYTES = 56;

function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = 0; i < bytes; i++) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/**
 * QEMU's firmware configuration device, traditional (non-DMA) interface: a 16-bit selector at 0x510 and a
 * byte-wide data port at 0x511 that streams the selected item. Firmware (SeaBIOS) and test kernels use it to
 * learn the RAM size, CPU count and named blobs ("etc/..." files) without probing.
 */
export class FwCfg implements IoDevice {
  readonly name = 'fw_cfg';
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: Array<{ name: string; key: number }> = [];
  private selector = 0;
  private offset = 0;

  constructor(opts: { ramBytes: number; cpus: number; maxCpus?: number; uuid?: Uint8Array }) {
    this.setItem(FW_CFG_SIGNATURE, new TextEncoder().encode('QEMU'));
    this.setItem(FW_CFG_ID, le(0x1, 4)); // traditional interface only, no DMA
    this.setItem(FW_CFG_UUID, opts.uuid ?? new Uint8Array(16));
    this.setItem(FW_CFG_RAM_SIZE, le(opts.ramBytes, 8));
    this.setItem(FW_CFG_NOGRAPHIC, le(0, 2));
    this.setItem(FW_CFG_NB_CPUS, le(opts.cpus, 2));
    this.setItem(FW_CFG_MAX_CPUS, le(opts.maxCpus ?? opts.cpus, 2));
    this.setItem(FW_CFG_BOOT_MENU, le(0, 2));
    this.setItem(FW_CFG_NUMA, le(0, 8));
    this.rebuildDirectory();
  }

  attach(bus: IoBus): void {
    bus.register(this, PORT_SELECTOR, 2);
  }

  setItem(key: number, data: Uint8Array): void {
    this.items.set(key & 0xffff & ~WRITE_CHANNEL, data);
  }

  /** Adds (or replaces) a named file and returns its selector. */
  addFile(name: string, data: Uint8Array): number {
    if (name.length >= FILE_NAME_BYTES) throw new Error(`fw_cfg file name too long: ${name}`);
    let entry = this.files.find((f) => f.name === name);
    if (!entry) {
      entry = { name, key: FW_CFG_FILE_FIRST + this.files.length };
      this.files.push(entry);
    }
    this.setItem(entry.key, data);
    this.rebuildDirectory();
    return entry.key;
  }

  /** The file directory: a big-endian count, then 64-byte entries (size, select, reserved, name), by name. */
  private rebuildDirectory(): void {
    const sorted = [...this.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dir = new Uint8Array(4 + 64 * sorted.length);
    const view = new DataView(dir.buffer);
    view.setUint32(0, sorted.length);
    sorted.forEach((f, i) => {
      const o = 4 + 64 * i;
      view.setUint32(o, this.items.get(f.key)!.length);
      view.setUint16(o + 4, f.key);
      dir.set(new TextEncoder().encode(f.name), o + 8);
    });
    this.items.set(FW_CFG_FILE_DIR, dir);
  }

  portRead(port: number, size: 1 | 2 | 4): number {
    if (port !== PORT_DATA) return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
    let v = 0;
    // Wider reads of the data port stream consecutive bytes, as QEMU allows on x86.
    for (let i = 0; i < size; i++) v |= this.readByte() << (8 * i);
    return v;
  }

  private readByte(): number {
    // Bit 15 selects the architecture's own items (QEMU's FW_CFG_ARCH_LOCAL: 0x8000 is x86's legacy ACPI
    // tables, 0x8001 SMBIOS, 0x8003 the e820 reservations): a separate table, not an alias of items 0-0x3FFF.
    const item = this.items.get(this.selector & ~WRITE_CHANNEL);
    if (!item || this.offset >= item.length) return 0;
    return item[this.offset++];
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === PORT_SELECTOR && size >= 2) {
      this.selector = value & 0xffff;
      this.offset = 0;
    }
    // Data writes are ignored, as in QEMU since 2.4.
  }
}
