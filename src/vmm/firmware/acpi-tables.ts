import { buildDsdtAml } from './acpi-dsdt';
import { TableBytes } from './table-bytes';

/**
 * The ACPI tables a PC's firmware leaves for the OS: RSDP -> RSDT -> FADT (with FACS and a DSDT) and MADT.
 * ACPI 1.0 layouts (RSDP revision 0, 32-bit pointers) are enough for an IA-32 guest and every kernel reads
 * them. The DSDT (acpi-dsdt.ts) holds `\_S5_`, so the OS knows which SLP_TYP value powers the machine off, and
 * the PCI root bridge.
 */
export interface AcpiLayout {
  cpus: number;
  ioApicId: number;
  ioApicAddress: number;
  localApicAddress: number;
  /** Port blocks of the power-management device (firmware/acpi-pm.ts). */
  pm1aEvent: number;
  pm1aControl: number;
  pmTimer: number;
  sciIrq: number;
  /** SLP_TYP that means S5 (soft off) for PM1a_CNT. */
  s5SleepType: number;
  /** End of guest RAM below 4 GiB (where the PCI memory window begins). */
  ramTop: number;
}

export interface AcpiTables {
  /** Where the RSDP must go (16-byte aligned, in 0xE0000-0xFFFFF) and the bytes. */
  rsdp: Uint8Array;
  /** Every other table, concatenated, to be placed at the `base` given to buildAcpiTables. */
  body: Uint8Array;
  /**
   * What a relocating loader (fw_cfg's table-loader) needs: the offsets of the 32-bit fields in `body` that
   * hold addresses inside `body`, the same for the RSDP, and each checksummed table's extent in `body`.
   */
  bodyPointers: number[];
  rsdpPointer: number;
  tables: Array<{ start: number; length: number }>;
}

const OEM_ID = 'RINGSD';
const OEM_TABLE_ID = 'RINGSIDE';

function header(t: TableBytes, signature: string, revision: number): number {
  const start = t.length;
  t.text(signature).u32(0).u8(revision).u8(0).text(OEM_ID, 6).text(OEM_TABLE_ID, 8).u32(1).text('RSDE').u32(1);
  return start;
}

function finish(t: TableBytes, start: number): void {
  t.set32(start + 4, t.length - start);
  t.checksum(start + 9, start, t.length);
}

function align(t: TableBytes, n: number): void {
  while (t.length % n) t.u8(0);
}

export function buildAcpiTables(l: AcpiLayout, base: number): AcpiTables {
  const t = new TableBytes();

  const facs = t.length; // FACS: 64-byte aligned, no header checksum
  t.text('FACS').u32(64);
  while (t.length < facs + 64) t.u8(0);

  const dsdt = t.length;
  const ds = header(t, 'DSDT', 1);
  t.bytes(buildDsdtAml({ s5SleepType: l.s5SleepType, ramTop: l.ramTop }));
  finish(t, ds);
  align(t, 8);

  const fadt = t.length;
  header(t, 'FACP', 1);
  const fadtPointers = t.length;
  t.u32(base + facs).u32(base + dsdt);
  t.u8(0).u8(0).u16(l.sciIrq);
  // No SMI_CMD: the machine is always in ACPI mode (SCI_EN reads as set).
  t.u32(0).u8(0).u8(0).u8(0).u8(0);
  t.u32(l.pm1aEvent).u32(0).u32(l.pm1aControl).u32(0).u32(0).u32(l.pmTimer).u32(0).u32(0);
  t.u8(4).u8(2).u8(0).u8(4).u8(0).u8(0).u8(0).u8(0);
  // C2/C3 latencies above 100/1000 us mean "not supported".
  t.u16(101).u16(1001).u16(0).u16(0).u8(0).u8(0).u8(0).u8(0).u8(0x32).u16(0).u8(0);
  // WBINVD works; C1 (HLT) on every CPU; power and sleep buttons are not fixed features.
  t.u32((1 << 0) | (1 << 2) | (1 << 4) | (1 << 5));
  finish(t, fadt);
  align(t, 8);

  const madt = t.length;
  header(t, 'APIC', 1);
  t.u32(l.localApicAddress).u32(1); // PCAT_COMPAT: there are 8259s too
  for (let i = 0; i < l.cpus; i++) t.u8(0).u8(8).u8(i).u8(i).u32(1);
  t.u8(1).u8(12).u8(l.ioApicId).u8(0).u32(l.ioApicAddress).u32(0);
  // IRQ0 -> GSI 2 (conforming), the SCI level-triggered active high as PIIX4 wires it.
  t.u8(2).u8(10).u8(0).u8(0).u32(2).u16(0);
  t.u8(2).u8(10).u8(0).u8(l.sciIrq).u32(l.sciIrq).u16(0x000d);
  t.u8(4).u8(6).u8(0xff).u16(0).u8(1); // NMI on LINT1 of every processor
  finish(t, madt);
  align(t, 8);

  const rsdt = t.length;
  header(t, 'RSDT', 1);
  const rsdtPointers = t.length;
  t.u32(base + fadt).u32(base + madt);
  finish(t, rsdt);

  const r = new TableBytes();
  r.text('RSD PTR ').u8(0).text(OEM_ID, 6).u8(0);
  const rsdpPointer = r.length;
  r.u32(base + rsdt);
  r.checksum(8);
  const body = t.result();
  const extent = (start: number) => ({ start, length: new DataView(body.buffer).getUint32(start + 4, true) });
  return {
    rsdp: r.result(),
    body,
    bodyPointers: [fadtPointers, fadtPointers + 4, rsdtPointers, rsdtPointers + 4],
    rsdpPointer,
    tables: [extent(dsdt), extent(fadt), extent(madt), extent(rsdt)],
  };
}
