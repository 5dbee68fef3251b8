/**
 * How a device signals an interrupt: it drives a numbered line (ISA IRQ 0-15, or an I/O APIC pin above that).
 * The platform decides whether the PIC, the I/O APIC or both see it. Edge-triggered devices pulse
 * `raise` then `lower`; level-triggered ones hold the line while the condition lasts.
 */
export interface IrqLines {
  raise(line: number): void;
  lower(line: number): void;
}

/** GSI an ISA IRQ arrives on at the I/O APIC: the PIT's IRQ0 is wired to pin 2 (the usual source override). */
export function isaIrqToGsi(irq: number): number {
  return irq === 0 ? 2 : irq;
}

/**
 * The platform's interrupt wiring: each line goes to every sink (the 8259 pair and the I/O APIC, say), with
 * an optional renumbering per sink. Lines shared by several level-triggered sources stay asserted while any
 * source holds them, so a device can only drop its own request.
 */
export class IrqFanout implements IrqLines {
  private readonly holders = new Map<number, number>();

  constructor(private readonly sinks: Array<{ sink: IrqLines; map?: (line: number) => number }>) {}

  raise(line: number): void {
    const n = this.holders.get(line) ?? 0;
    this.holders.set(line, n + 1);
    for (const s of this.sinks) s.sink.raise(s.map ? s.map(line) : line);
  }

  lower(line: number): void {
    const n = (this.holders.get(line) ?? 0) - 1;
    if (n > 0) {
      this.holders.set(line, n);
      return;
    }
    this.holders.delete(line);
    for (const s of this.sinks) s.sink.lower(s.map ? s.map(line) : line);
  }
}
