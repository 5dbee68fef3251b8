import type { FwCfg } from '../devices/fw-cfg';
import { buildAcpiTables, type AcpiLayout } from './acpi-tables';

export const ACPI_TABLES_FILE = 'etc/acpi/tables';
export const ACPI_RSDP_FILE = 'etc/acpi/rsdp';
export const TABLE_LOADER_FILE = 'etc/table-loader';

const enum Command {
  Allocate = 1,
  AddPointer = 2,
  AddChecksum = 3,
}

const enum Zone {
  High = 1,
  FSeg = 2,
}

const ENTRY_BYTES = 128;
const NAME_BYTES = 56;

/**
 * QEMU's "linker/loader" script (hw/acpi/bios-linker-loader.c): 128-byte commands that tell the firmware to
 * allocate each blob in a memory zone, patch the pointers between blobs with the addresses it chose, and
 * fix up checksums. Firmware that has no ACPI builder of its own (SeaBIOS 1.16) installs tables only this way.
 */
class LoaderScript {
  private readonly entries: Uint8Array[] = [];

  private entry(command: Command): { bytes: Uint8Array; view: DataView } {
    const bytes = new Uint8Array(ENTRY_BYTES);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, command, true);
    this.entries.push(bytes);
    return { bytes, view };
  }

  private static name(bytes: Uint8Array, at: number, file: string): void {
    if (file.length >= NAME_BYTES) throw new Error(`table-loader file name too long: ${file}`);
    bytes.set(new TextEncoder().encode(file), at);
  }

  allocate(file: string, align: number, zone: Zone): void {
    const { bytes, view } = this.entry(Command.Allocate);
    LoaderScript.name(bytes, 4, file);
    view.setUint32(60, align, true);
    bytes[64] = zone;
  }

  addPointer(dest: string, src: string, offset: number, size: number): void {
    const { bytes, view } = this.entry(Command.AddPointer);
    LoaderScript.name(bytes, 4, dest);
    LoaderScript.name(bytes, 60, src);
    view.setUint32(116, offset, true);
    bytes[120] = size;
  }

  addChecksum(file: string, offset: number, start: number, length: number): void {
    const { bytes, view } = this.entry(Command.AddChecksum);
    LoaderScript.name(bytes, 4, file);
    view.setUint32(60, offset, true);
    view.setUint32(64, start, true);
    view.setUint32(68, length, true);
  }

  result(): Uint8Array {
    const out = new Uint8Array(ENTRY_BYTES * this.entries.length);
    this.entries.forEach((e, i) => out.set(e, i * ENTRY_BYTES));
    return out;
  }
}

/**
 * Hands the machine's ACPI tables to a firmware image over fw_cfg, as QEMU does: the tables are built at
 * address 0 (every pointer is then an offset in the blob), the RSDP goes in the F segment where OSes scan for
 * it, and the loader script relocates the pointers and redoes the checksums. A guest booted by SeaBIOS then
 * sees the same MADT, FADT and DSDT as one booted directly (IRQ0 on GSI 2, the S5 sleep type for power-off).
 */
export function publishAcpiTables(fw: FwCfg, layout: AcpiLayout): void {
  const acpi = buildAcpiTables(layout, 0);
  const script = new LoaderScript();
  // The FACS inside the blob must be 64-byte aligned, and it is at offset 0.
  script.allocate(ACPI_TABLES_FILE, 64, Zone.High);
  script.allocate(ACPI_RSDP_FILE, 16, Zone.FSeg);
  for (const at of acpi.bodyPointers) script.addPointer(ACPI_TABLES_FILE, ACPI_TABLES_FILE, at, 4);
  script.addPointer(ACPI_RSDP_FILE, ACPI_TABLES_FILE, acpi.rsdpPointer, 4);
  for (const t of acpi.tables) script.addChecksum(ACPI_TABLES_FILE, t.start + 9, t.start, t.length);
  script.addChecksum(ACPI_RSDP_FILE, 8, 0, acpi.rsdp.length);
  fw.addFile(ACPI_TABLES_FILE, acpi.body);
  fw.addFile(ACPI_RSDP_FILE, acpi.rsdp);
  fw.addFile(TABLE_LOADER_FILE, script.result());
}
