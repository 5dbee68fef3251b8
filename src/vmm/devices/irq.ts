/**
 * How a device signals an interrupt: it drives a numbered line (ISA IRQ 0-15, or an I/O APIC pin above that).
 * The platform decides whether the PIC, the I/O APIC or both see it. Edge-triggered devices pulse
 * `raise` then `lower`; level-triggered ones hold the line while the condition lasts.
 */
export interface IrqLines {
  raise(line: number): void;
  lower(line: number): void;
}
