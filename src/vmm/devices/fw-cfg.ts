import type { IoBus, IoDevice } from './io-bus';
import { FwCfgDma, type DmaMemory } from './fw-cfg-dma';

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
export const FW_CFG_KERNEL_ENTRY = 0x0010;
export const FW_CFG_KERNEL_DATA = 0x0011;
export const FW_CFG_INITRD_DATA = 0x0012;
export const FW_CFG_CMDLINE_ADDR = 0x0013;
export const FW_CFG_CMDLINE_SIZE = 0x0014;
export const FW_CFG_CMDLINE_DATA = 0x0015;
export const FW_CFG_SETUP_ADDR = 0x0016;
export const FW_CFG_SETUP_SIZE = 0x0017;
export const FW_CFG_SETUP_DATA = 0x0018;
export const FW_CFG_FILE_DIR = 0x0019;
export const FW_CFG_FILE_FIRST = 0x0020;
/** x86's own items (QEMU's FW_CFG_ARCH_LOCAL + 2): 1 says ISA IRQ0 reaches the I/O APIC on pin 2, as here. */
export const FW_CFG_IRQ0_OVERRIDE = 0x8002;

/** Selector bit 14 asks for the write channel; it does not name another item. */
const WRITE_CHANNEL = 0x4000;
const PORT_SELECTOR = 0x510;
const PORT_DATA = 0x511;
/** The DMA address register, 8 bytes (QEMU's x86 layout): a write of the low half starts a transfer. */
const PORT_DMA = 0x514;
const ID_TRADITIONAL = 0x1;
const ID_DMA = 0x2;
const FILE_NAME_BYTES = 56;

export function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = 0; i < bytes; i++) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/**
 * QEMU's firmware configuration device: a 16-bit selector at 0x510 and a byte-wide data port at 0x511 that
 * streams the selected item, and, when the VM's memory is given, the DMA interface at 0x514 (fw-cfg-dma.ts),
 * which SeaBIOS and QEMU's option ROMs prefer: the kernel and initrd of a `-kernel` boot are megabytes that
 * would otherwise cost one port exit per byte. Firmware and test kernels use it to learn the RAM size, the
 * CPU count, the e820 map, the kernel to boot and named blobs ("etc/..." files) without probing.
 */
export class FwCfg implements IoDevice {
  readonly name = 'fw_cfg';
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: Array<{ name: string; key: number }> = [];
  private selector = 0;
  private offset = 0;
  private readonly dma?: FwCfgDma;
  /** Transfers done through the DMA interface and bytes they moved, for statistics and tests. */
  dmaTransfers = 0;
  dmaBytes = 0;

  constructor(opts: { ramBytes: number; cpus: number; maxCpus?: number; uuid?: Uint8Array; dmaMemory?: DmaMemory }) {
    this.setItem(FW_CFG_SIGNATURE, new TextEncoder().encode('QEMU'));
    if (opts.dmaMemory) this.dma = new FwCfgDma(opts.dmaMemory, this);
    this.setItem(FW_CFG_ID, le(ID_TRADITIONAL | (this.dma ? ID_DMA : 0), 4));
    this.setItem(FW_CFG_UUID, opts.uuid ?? new Uint8Array(16));
    this.setItem(FW_CFG_RAM_SIZE, le(opts.ramBytes, 8));
    this.setItem(FW_CFG_NOGRAPHIC, le(0, 2));
    this.setItem(FW_CFG_NB_CPUS, le(opts.cpus, 2));
    this.setItem(FW_CFG_MAX_CPUS, le(opts.maxCpus ?? opts.cpus, 2));
    this.setItem(FW_CFG_BOOT_MENU, le(0, 2));
    this.setItem(FW_CFG_NUMA, le(0, 8));
    this.setItem(FW_CFG_IRQ0_OVERRIDE, le(1, 1));
    this.rebuildDirectory();
  }

  attach(bus: IoBus): void {
    bus.register(this, PORT_SELECTOR, 2);
    if (this.dma) bus.register(this, PORT_DMA, 8);
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
    if (this.dma && port >= PORT_DMA) return this.dma.portRead(port - PORT_DMA, size);
    if (port !== PORT_DATA) return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
    let v = 0;
    // Wider reads of the data port stream consecutive bytes, as QEMU allows on x86.
    for (let i = 0; i < size; i++) v |= this.readByte() << (8 * i);
    return v;
  }

  /** Selects an item and rewinds, as a write of the selector port does. */
  select(key: number): void {
    this.selector = key & 0xffff;
    this.offset = 0;
  }

  /**
   * Moves up to `length` bytes of the selected item, from the current offset on, and advances past them.
   * Returns the bytes (fewer than asked at the item's end; none for an unknown item).
   */
  take(length: number): Uint8Array {
    const item = this.items.get(this.selector & ~WRITE_CHANNEL);
    if (!item || this.offset >= item.length) return new Uint8Array(0);
    const n = Math.min(length, item.length - this.offset);
    const out = item.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  private readByte(): number {
    // Bit 15 selects the architecture's own items (QEMU's FW_CFG_ARCH_LOCAL: 0x8000 is x86's legacy ACPI
    // tables, 0x8001 SMBIOS, 0x8003 the e820 reservations): a separate table, not an alias of items 0-0x3FFF.
    const item = this.items.get(this.selector & ~WRITE_CHANNEL);
    if (!item || this.offset >= item.length) return 0;
    return item[this.offset++];
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (this.dma && port >= PORT_DMA) {
      this.dma.portWrite(port - PORT_DMA, size, value);
      return;
    }
    if (port === PORT_SELECTOR && size >= 2) this.select(value);
    // Data writes are ignored, as in QEMU since 2.4.
  }
}

/** e820 types in QEMU's "etc/e820" file. */
export const E820_RAM = 1;
export const E820_RESERVED = 2;

/**
 * QEMU's "etc/e820" file: packed { le64 address; le64 length; le32 type } entries. Like QEMU it lists the RAM
 * alone (from 0, as one range); the firmware carves out its own areas and hands the OS the finished map.
 */
export function fwCfgE820(ramBelow4g: number, ramAbove4g = 0): Uint8Array {
  const entries: Array<[number, number, number]> = [[0, ramBelow4g, E820_RAM]];
  if (ramAbove4g > 0) entries.push([2 ** 32, ramAbove4g, E820_RAM]);
  const out = new Uint8Array(20 * entries.length);
  entries.forEach(([base, length, type], i) => {
    out.set(le(base, 8), 20 * i);
    out.set(le(length, 8), 20 * i + 8);
    out.set(le(type, 4), 20 * i + 16);
  });
  return out;
}
