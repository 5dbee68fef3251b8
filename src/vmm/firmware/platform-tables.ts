import { CPUID_SIGNATURE } from '../cpu/constants';
import { CPUID_FEATURES_EDX } from '../cpu/ops/system';
import { IOAPIC_BASE } from '../devices/io-apic';
import { LAPIC_BASE } from '../devices/local-apic';
import { COM1, COM2 } from '../devices/uart';
import type { GuestPhysicalMemory } from '../memory/guest-physical';
import { PM1A_CNT, PM1A_EVT, PM_TMR, AcpiPm } from './acpi-pm';
import { buildAcpiTables, type AcpiLayout } from './acpi-tables';
import { buildMpConfigTable, buildMpFloatingPointer } from './mp-table';

/**
 * Where the firmware tables live: the first 4 KiB of the BIOS area (0xF0000), which every OS scans for the
 * RSDP and the MP floating pointer and the e820 map reports as reserved. The rest of the 64 KiB is left to a
 * firmware image.
 */
export const TABLES_BASE = 0xf0000;
export const RSDP_ADDR = TABLES_BASE;
export const MP_FLOATING_ADDR = TABLES_BASE + 0x20;
export const MP_CONFIG_ADDR = TABLES_BASE + 0x40;
export const ACPI_BASE = TABLES_BASE + 0x400;
export const TABLES_END = TABLES_BASE + 0x1000;
export const SCI_IRQ = 9;
/** Start of the extended BIOS data area (conventional memory ends here, see boot/memory-map.ts). */
const EBDA = 0x9fc00;

/** The machine's ACPI description: the same for tables placed here and for those handed to firmware over fw_cfg. */
export function acpiLayout(ramBytes: number, cpus: number): AcpiLayout {
  return {
    cpus,
    ioApicId: cpus,
    ioApicAddress: IOAPIC_BASE,
    localApicAddress: LAPIC_BASE,
    pm1aEvent: PM1A_EVT,
    pm1aControl: PM1A_CNT,
    pmTimer: PM_TMR,
    sciIrq: SCI_IRQ,
    s5SleepType: AcpiPm.S5,
    ramTop: ramBytes,
  };
}

/**
 * Writes what a PC BIOS leaves in memory for the OS: the BIOS data area's hardware words (serial ports, base
 * memory size, EBDA segment), the MP tables and the ACPI tables describing `cpus` processors.
 */
export function writePlatformTables(phys: GuestPhysicalMemory, cpus: number): void {
  const ioApicId = cpus;
  const bda = new Uint8Array(0x20);
  const v = new DataView(bda.buffer);
  v.setUint16(0x00, COM1.base, true);
  v.setUint16(0x02, COM2.base, true);
  v.setUint16(0x0e, EBDA >>> 4, true);
  v.setUint16(0x10, 0x0002 | 0x0020 | (2 << 9), true); // equipment word: FPU, 80x25 colour, two serial ports
  v.setUint16(0x13, EBDA >>> 10, true); // base memory in KiB
  phys.load(0x400, bda);

  const config = buildMpConfigTable({
    cpus,
    ioApicId,
    ioApicAddress: IOAPIC_BASE,
    localApicAddress: LAPIC_BASE,
    cpuSignature: CPUID_SIGNATURE,
    cpuFeatures: CPUID_FEATURES_EDX,
  });
  if (MP_CONFIG_ADDR + config.length > ACPI_BASE) throw new Error('MP configuration table too large');
  phys.load(MP_CONFIG_ADDR, config);
  phys.load(MP_FLOATING_ADDR, buildMpFloatingPointer(MP_CONFIG_ADDR));

  const acpi = buildAcpiTables(acpiLayout(phys.ramBytes, cpus), ACPI_BASE);
  if (ACPI_BASE + acpi.body.length > TABLES_END) throw new Error('ACPI tables too large');
  phys.load(ACPI_BASE, acpi.body);
  phys.load(RSDP_ADDR, acpi.rsdp);
}
