import { pciIntxGsi } from '../devices/pci';
import {
  device,
  dword,
  dwordMemory,
  eisaId,
  integer,
  ioPort,
  name,
  pkg,
  resourceTemplate,
  scope,
  wordBusNumber,
  wordIo,
  type Aml,
} from './aml';

export interface DsdtLayout {
  /** SLP_TYP that means S5 (soft off) for PM1a_CNT. */
  s5SleepType: number;
  /** End of guest RAM below 4 GiB: the PCI memory window starts here. */
  ramTop: number;
}

/** Where the PCI memory window ends: the I/O APIC, HPET and local APIC pages start at 0xFEC00000. */
const PCI_MEMORY_END = 0xfebfffff;
const PCI_SLOTS = 32;

/** `Name (\_S5_, Package () { typ, typ, 0, 0 })`: the SLP_TYP values of soft-off. */
function s5(typ: number): Aml {
  return name('\\_S5_', pkg(integer(typ), integer(typ), integer(0), integer(0)));
}

/**
 * The root bridge's decoded windows. Linux in ACPI mode scans PCI only below a PNP0A03 device, and takes
 * these as the host bridge's apertures: every bus number, every I/O port but the configuration ports
 * (which the bridge itself claims), the VGA hole, and the memory from the top of RAM to the APICs.
 */
function rootBridgeResources(ramTop: number): Aml {
  return resourceTemplate(
    wordBusNumber(0x00, 0xff),
    ioPort(0xcf8, 8),
    wordIo(0x0000, 0x0cf7),
    wordIo(0x0d00, 0xffff),
    dwordMemory(0x000a0000, 0x000bffff, true),
    dwordMemory(ramTop, PCI_MEMORY_END, false),
  );
}

/** `_PRT`: INTA#-INTD# of every slot to the GSI `pciIntxGsi` gives (static routing, no link devices). */
function routingTable(): Aml {
  const entries: Aml[] = [];
  for (let slot = 0; slot < PCI_SLOTS; slot++) {
    for (let pin = 1; pin <= 4; pin++) entries.push(pkg(dword(((slot << 16) | 0xffff) >>> 0), integer(pin - 1), integer(0), integer(pciIntxGsi(slot, pin))));
  }
  return pkg(...entries);
}

/**
 * The DSDT's AML: `\_S5_` for ACPI power-off, and `\_SB.PCI0`, the i440FX host bridge as a PCI root
 * (PNP0A03) with its _CRS windows and _PRT, so an ACPI kernel enumerates bus 0 (the PIIX3 ISA bridge and
 * its IDE function among others).
 */
export function buildDsdtAml(l: DsdtLayout): Aml {
  return [
    ...s5(l.s5SleepType),
    ...scope(
      '\\_SB',
      device(
        'PCI0',
        name('_HID', eisaId('PNP0A03')),
        name('_ADR', integer(0)),
        name('_UID', integer(0)),
        name('_CRS', rootBridgeResources(l.ramTop)),
        name('_PRT', routingTable()),
      ),
    ),
  ];
}
