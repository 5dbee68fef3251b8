import type { IoBus, IoDevice } from './io-bus';

/** What the host bridge needs from one PCI function: its 256-byte configuration space. */
export interface PciFunction {
  readonly name: string;
  configRead(offset: number, size: 1 | 2 | 4): number;
  configWrite(offset: number, size: 1 | 2 | 4, value: number): void;
}

export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  /** Class code, subclass and programming interface as one 24-bit value, e.g. 0x060000 for a host bridge. */
  classCode: number;
  revision?: number;
  /** Bit 7 set on function 0 of a multi-function device. */
  headerType?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** 1-4 for INTA#-INTD#, 0 for none. */
  interruptPin?: number;
}

export interface PciBar {
  index: number;
  size: number;
  io: boolean;
  prefetchable: boolean;
}

const COMMAND = 0x04;
const STATUS = 0x06;
const BAR0 = 0x10;
const INTERRUPT_LINE = 0x3c;

/**
 * A type-0 configuration space with per-bit write masks. BARs are sized the standard way: their low
 * address bits are read-only zero, so writing all ones reads back the size mask. Devices subclass it and
 * override `configChanged` to follow BAR moves or command-register changes.
 */
export class PciConfigSpace implements PciFunction {
  readonly name: string;
  readonly config = new Uint8Array(256);
  protected readonly writable = new Uint8Array(256);
  readonly bars: PciBar[] = [];

  constructor(name: string, id: PciIdentity) {
    this.name = name;
    const c = this.config;
    this.set16(0x00, id.vendorId);
    this.set16(0x02, id.deviceId);
    c[0x08] = id.revision ?? 0;
    c[0x09] = id.classCode & 0xff;
    c[0x0a] = (id.classCode >> 8) & 0xff;
    c[0x0b] = (id.classCode >> 16) & 0xff;
    c[0x0e] = id.headerType ?? 0;
    this.set16(0x2c, id.subsystemVendorId ?? 0);
    this.set16(0x2e, id.subsystemId ?? 0);
    c[0x3d] = id.interruptPin ?? 0;
    // Command: I/O, memory, bus master, parity, SERR, INTx disable.
    this.writable[COMMAND] = 0x47;
    this.writable[COMMAND + 1] = 0x05;
    this.writable[0x0c] = 0xff; // cache line size
    this.writable[0x0d] = 0xff; // latency timer
    this.writable[INTERRUPT_LINE] = 0xff;
  }

  protected set16(offset: number, v: number): void {
    this.config[offset] = v & 0xff;
    this.config[offset + 1] = (v >> 8) & 0xff;
  }

  protected set32(offset: number, v: number): void {
    for (let i = 0; i < 4; i++) this.config[offset + i] = (v >>> (8 * i)) & 0xff;
  }

  /** Makes bytes `offset..offset+count-1` fully guest-writable (chipset registers). */
  protected allowWrite(offset: number, count: number, mask = 0xff): void {
    for (let i = 0; i < count; i++) this.writable[offset + i] = mask;
  }

  /** Declares BAR `index` (0-5) of `size` bytes (a power of two; at least 4 for I/O, 16 for memory). */
  addBar(index: number, size: number, io: boolean, prefetchable = false): void {
    const off = BAR0 + index * 4;
    const typeBits = io ? 0x1 : prefetchable ? 0x8 : 0;
    this.set32(off, typeBits);
    const mask = ~(size - 1) >>> 0;
    for (let i = 0; i < 4; i++) this.writable[off + i] = (mask >>> (8 * i)) & 0xff;
    // The type bits are read-only whatever the size says.
    this.writable[off] &= io ? 0xfc : 0xf0;
    this.bars.push({ index, size, io, prefetchable });
  }

  /** Current base address of BAR `index` (type bits stripped). */
  barAddress(index: number): number {
    const off = BAR0 + index * 4;
    const raw = this.configRead(off, 4) >>> 0;
    const bar = this.bars.find((b) => b.index === index);
    return (bar?.io ? raw & 0xfffffffc : raw & 0xfffffff0) >>> 0;
  }

  get command(): number {
    return this.config[COMMAND] | (this.config[COMMAND + 1] << 8);
  }

  configRead(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.config[(offset + i) & 0xff];
    return size === 4 ? v | 0 : v;
  }

  configWrite(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) {
      const o = (offset + i) & 0xff;
      const b = (value >>> (8 * i)) & 0xff;
      if (o === STATUS + 1 || o === STATUS) {
        // Status error bits are write-one-to-clear.
        this.config[o] &= ~(b & (o === STATUS ? 0x00 : 0xf9));
        continue;
      }
      const m = this.writable[o];
      this.config[o] = (this.config[o] & ~m) | (b & m);
    }
    this.configChanged(offset, size);
  }

  /** Hook for devices: config bytes `offset..offset+size-1` were written. */
  protected configChanged(_offset: number, _size: number): void {}
}

/** PAM attribute bits (82441FX datasheet, PAM0-6): reads and writes of a BIOS-area segment go to DRAM. */
export const PAM_READ_DRAM = 1;
export const PAM_WRITE_DRAM = 2;
const PAM0 = 0x59;

/** Intel 82441FX (i440FX) PCI and memory controller at 00:00.0. */
export class I440fxHostBridge extends PciConfigSpace {
  /** Called after a write that touched PAM0-PAM6, so the memory map can follow. */
  onPamChange?: () => void;

  /**
   * The PAM attribute (PAM_READ_DRAM | PAM_WRITE_DRAM) that decodes `addr` in 0xC0000-0xFFFFF: PAM0 bits 5:4
   * cover the 64 KiB F segment, PAM1-6 a 16 KiB segment per nibble from 0xC0000 up.
   */
  pamAttribute(addr: number): number {
    if (addr >= 0xf0000) return (this.config[PAM0] >> 4) & 3;
    const seg = (addr - 0xc0000) >>> 14;
    return (this.config[PAM0 + 1 + (seg >> 1)] >> (seg & 1 ? 4 : 0)) & 3;
  }

  protected override configChanged(offset: number, size: number): void {
    if (offset < PAM0 + 7 && offset + size > PAM0) this.onPamChange?.();
  }

  constructor() {
    super('i440fx', { vendorId: 0x8086, deviceId: 0x1237, classCode: 0x060000, revision: 0x02 });
    this.allowWrite(0x50, 2); // PMCCFG
    this.allowWrite(0x59, 7); // PAM0-6: BIOS shadow attributes
    this.allowWrite(0x60, 8); // DRB0-7
    this.allowWrite(0x72, 1); // SMRAM
    this.config[0x72] = 0x02;
  }
}

/** Intel 82371SB (PIIX3) PCI-to-ISA bridge at 00:01.0, function 0 of a multi-function device. */
export class Piix3IsaBridge extends PciConfigSpace {
  constructor() {
    super('piix3-isa', { vendorId: 0x8086, deviceId: 0x7000, classCode: 0x060100, headerType: 0x80 });
    this.allowWrite(0x4c, 1); // ISA recovery timer
    this.allowWrite(0x4e, 2); // X-bus chip select
    this.allowWrite(0x60, 4); // PIRQA-D route control
    this.allowWrite(0x69, 1); // top of memory
    this.allowWrite(0x70, 1); // MBIRQ0
    this.allowWrite(0x80, 1); // APIC base relocation
    this.allowWrite(0xa0, 16); // SMI and power management
    this.config[0x4c] = 0x4d;
    this.config[0x4e] = 0x03;
    this.config.fill(0x80, 0x60, 0x64); // all PIRQs unrouted
    this.config[0x69] = 0x02;
    this.config[0x70] = 0x80;
  }

  /** ISA IRQ that PIRQ `pin` (0-3 for A-D) is routed to, or -1 while unrouted. */
  pirqRoute(pin: number): number {
    const r = this.config[0x60 + (pin & 3)];
    return r & 0x80 ? -1 : r & 0x0f;
  }
}

/**
 * PIIX3 IDE function (00:01.1) in legacy compatibility mode: the channels stay at 0x1F0/0x170 with IRQ 14/15,
 * which is what lets PCI-probing kernels (Linux's ata_piix) find the disks. No bus-master BAR: PIO only.
 */
export class Piix3Ide extends PciConfigSpace {
  constructor() {
    super('piix3-ide', { vendorId: 0x8086, deviceId: 0x7010, classCode: 0x010180 });
    this.allowWrite(0x40, 4); // IDE timing
    this.allowWrite(0x44, 1);
    this.set16(0x40, 0x8000); // primary channel decode enable
    this.set16(0x42, 0x8000); // secondary
  }
}

/** GSIs of the four shared PCI interrupt lines (PIRQA-D): I/O APIC pins above the ISA IRQs, level, active low. */
export const PCI_GSI_BASE = 16;

/**
 * The I/O APIC input that INTx pin `pin` (1-4: INTA#-INTD#) of the device in `slot` drives: the PIIX-style
 * swizzle that the DSDT's _PRT describes (firmware/acpi-dsdt.ts). A PCI device raises and lowers this line
 * on the platform's IrqLines; the 8259s never see it (APIC mode only).
 */
export function pciIntxGsi(slot: number, pin: number): number {
  return PCI_GSI_BASE + ((slot + pin - 1) & 3);
}

const CONFIG_ADDRESS = 0xcf8;
const RESET_CONTROL = 0xcf9;
const CONFIG_DATA = 0xcfc;

/**
 * Configuration mechanism #1: the address latch at 0xCF8 (dword accesses only) and the data window at
 * 0xCFC-0xCFF, plus the PIIX reset control register at 0xCF9 that byte accesses reach instead. Absent
 * functions read as all ones, which is how enumeration finds the end of the bus.
 */
export class PciHost implements IoDevice {
  readonly name = 'pci';
  private readonly functions = new Map<number, PciFunction>();
  address = 0;
  private resetControl = 0;
  onReset?: () => void;

  attach(bus: IoBus): void {
    bus.register(this, CONFIG_ADDRESS, 8);
  }

  /** Adds a function at bus 0, `device` (0-31), `fn` (0-7). */
  add(device: number, fn: number, f: PciFunction): void {
    const key = (device << 3) | fn;
    if (this.functions.has(key)) throw new Error(`PCI 00:${device.toString(16)}.${fn} is taken`);
    this.functions.set(key, f);
  }

  /** The first device number with no function 0, for devices added later. */
  freeSlot(): number {
    for (let d = 0; d < 32; d++) if (!this.functions.has(d << 3)) return d;
    throw new Error('PCI bus 0 is full');
  }

  get(device: number, fn: number): PciFunction | undefined {
    return this.functions.get((device << 3) | fn);
  }

  /** Every function as [device, fn, function], for ACPI/MP table builders and the debugger. */
  list(): Array<[number, number, PciFunction]> {
    return [...this.functions.entries()].sort((a, b) => a[0] - b[0]).map(([k, f]) => [k >> 3, k & 7, f]);
  }

  private selected(): PciFunction | undefined {
    const a = this.address;
    if (!(a & 0x80000000) || ((a >>> 16) & 0xff) !== 0) return undefined;
    return this.functions.get((a >>> 8) & 0xff);
  }

  portRead(port: number, size: 1 | 2 | 4): number {
    if (port === CONFIG_ADDRESS && size === 4) return this.address | 0;
    if (port === RESET_CONTROL && size === 1) return this.resetControl;
    if (port >= CONFIG_DATA) {
      const f = this.selected();
      const off = (this.address & 0xfc) | (port & 3);
      if (f) return f.configRead(off, size);
    }
    return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === CONFIG_ADDRESS && size === 4) {
      this.address = (value & 0x80fffffc) >>> 0;
      return;
    }
    if (port === RESET_CONTROL && size === 1) {
      // Bit 2 going high starts the reset; bit 1 chooses hard over soft, and both mean a CPU reset here.
      const rising = value & 0x04 && !(this.resetControl & 0x04);
      this.resetControl = value & 0x02;
      if (rising) this.onReset?.();
      return;
    }
    if (port >= CONFIG_DATA) {
      const f = this.selected();
      if (f) f.configWrite((this.address & 0xfc) | (port & 3), size, value);
    }
  }
}

/** The i440FX/PIIX3 skeleton: host bridge at 00:00.0, ISA bridge at 00:01.0, IDE at 00:01.1. */
export function createI440fxPlatform(): { host: PciHost; northBridge: I440fxHostBridge; isa: Piix3IsaBridge; ide: Piix3Ide } {
  const host = new PciHost();
  const northBridge = new I440fxHostBridge();
  const isa = new Piix3IsaBridge();
  const ide = new Piix3Ide();
  host.add(0, 0, northBridge);
  host.add(1, 0, isa);
  host.add(1, 1, ide);
  return { host, northBridge, isa, ide };
}
