import { TableBytes } from './table-bytes';

/**
 * Intel MultiProcessor Specification 1.4 tables: the floating pointer structure kernels scan for in the
 * BIOS area, and the configuration table it points to (processors, buses, the I/O APIC and how every ISA
 * IRQ reaches it). Kernels without ACPI (and Linux with `acpi=off`) find the CPUs here.
 */
export interface MpLayout {
  cpus: number;
  ioApicId: number;
  ioApicAddress: number;
  localApicAddress: number;
  /** CPUID.1 EAX and EDX, copied into the processor entries. */
  cpuSignature: number;
  cpuFeatures: number;
}

const LOCAL_APIC_VERSION = 0x14;
const IO_APIC_VERSION = 0x11;
const BUS_ISA = 0;
const BUS_PCI = 1;

const enum IntType {
  Int = 0,
  Nmi = 1,
  ExtInt = 3,
}

/** Configuration table (base section). The caller places it at `address`. */
export function buildMpConfigTable(l: MpLayout): Uint8Array {
  const t = new TableBytes();
  t.text('PCMP').u16(0).u8(4).u8(0).text('RINGSIDE', 8).text('PC', 12).u32(0).u16(0).u16(0).u32(l.localApicAddress).u16(0).u8(0).u8(0);
  let entries = 0;
  for (let i = 0; i < l.cpus; i++) {
    // Enabled, and the bootstrap processor for CPU 0.
    t.u8(0).u8(i).u8(LOCAL_APIC_VERSION).u8(1 | (i === 0 ? 2 : 0)).u32(l.cpuSignature).u32(l.cpuFeatures).u32(0).u32(0);
    entries++;
  }
  t.u8(1).u8(BUS_PCI).text('PCI', 6);
  t.u8(1).u8(BUS_ISA).text('ISA', 6);
  entries += 2;
  t.u8(2).u8(l.ioApicId).u8(IO_APIC_VERSION).u8(1).u32(l.ioApicAddress);
  entries++;
  const ioInt = (type: IntType, irq: number, pin: number) => {
    // Flags 0: conforming polarity and trigger (ISA: active high, edge).
    t.u8(3).u8(type).u16(0).u8(BUS_ISA).u8(irq).u8(l.ioApicId).u8(pin);
    entries++;
  };
  ioInt(IntType.ExtInt, 0, 0);
  // The PIT's IRQ0 arrives on pin 2 (devices/irq.ts isaIrqToGsi); every other ISA IRQ on its own number.
  for (let irq = 0; irq < 16; irq++) if (irq !== 2) ioInt(IntType.Int, irq, irq === 0 ? 2 : irq);
  // LINT0 is the 8259's virtual wire, LINT1 NMI, on every local APIC.
  t.u8(4).u8(IntType.ExtInt).u16(0).u8(BUS_ISA).u8(0).u8(0xff).u8(0);
  t.u8(4).u8(IntType.Nmi).u16(0).u8(BUS_ISA).u8(0).u8(0xff).u8(1);
  entries += 2;
  t.set16(4, t.length);
  t.set16(34, entries);
  t.checksum(7);
  return t.result();
}

/** The 16-byte floating pointer structure, pointing at the configuration table. */
export function buildMpFloatingPointer(configAddress: number): Uint8Array {
  const t = new TableBytes();
  t.text('_MP_').u32(configAddress).u8(1).u8(4).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0);
  t.checksum(10);
  return t.result();
}
