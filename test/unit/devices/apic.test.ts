import * as assert from 'node:assert';
import { ApicBus } from '../../../src/vmm/devices/apic-bus';
import { IOAPIC_BASE, IoApic } from '../../../src/vmm/devices/io-apic';
import { IrqFanout, isaIrqToGsi } from '../../../src/vmm/devices/irq';
import { LAPIC_BASE, LocalApic, LocalApicMmio } from '../../../src/vmm/devices/local-apic';
import { PicPair } from '../../../src/vmm/devices/pic';
import { VirtualClock } from '../../../src/vmm/monitor/virtual-clock';

function setup(cpus = 2) {
  const clock = new VirtualClock();
  const bus = new ApicBus();
  const events: string[] = [];
  const ioapic = new IoApic(bus);
  const apics = Array.from(
    { length: cpus },
    (_, i) =>
      new LocalApic({
        id: i,
        clock,
        bus,
        bsp: i === 0,
        onEoi: (v) => ioapic.eoi(v),
        onInit: () => events.push(`init${i}`),
        onStartup: (v) => events.push(`sipi${i}:${v.toString(16)}`),
        onNmi: () => events.push(`nmi${i}`),
      }),
  );
  let cpu = 0;
  const mmio = new LocalApicMmio(apics, () => cpu);
  const reg = (c: number, off: number, v?: number) => {
    cpu = c;
    if (v === undefined) return mmio.read(LAPIC_BASE + off, 4) >>> 0;
    mmio.write(LAPIC_BASE + off, 4, v);
    return 0;
  };
  const io = (index: number, v?: number) => {
    ioapic.write(IOAPIC_BASE, 4, index);
    if (v === undefined) return ioapic.read(IOAPIC_BASE + 0x10, 4) >>> 0;
    ioapic.write(IOAPIC_BASE + 0x10, 4, v);
    return 0;
  };
  const enable = (c: number) => reg(c, 0xf0, 0x1ff);
  return { clock, bus, apics, ioapic, reg, io, events, enable };
}

describe('local APIC', () => {
  it('ID, version, and the BSP starting in virtual-wire mode', () => {
    const { apics, reg } = setup();
    assert.strictEqual(reg(1, 0x20), 1 << 24);
    assert.strictEqual(reg(0, 0x30), 0x00050014);
    assert.strictEqual(apics[0].acceptsPicInterrupt(), true, 'LINT0 ExtINT on the BSP');
    assert.strictEqual(apics[1].acceptsPicInterrupt(), false);
    assert.strictEqual(reg(0, 0x350), 0x700);
  });

  it('fixed self-IPI: IRR -> acknowledge -> ISR -> EOI, with TPR and PPR', () => {
    const { apics, reg, enable } = setup();
    enable(0);
    reg(0, 0x300, 0x40000 | 0x51); // self, fixed, vector 0x51
    assert.strictEqual(apics[0].hasInterrupt(), true);
    reg(0, 0x80, 0x60); // TPR class 6 blocks class 5
    assert.strictEqual(apics[0].hasInterrupt(), false);
    assert.strictEqual(reg(0, 0xa0), 0x60);
    reg(0, 0x80, 0);
    assert.strictEqual(apics[0].acknowledge(), 0x51);
    assert.strictEqual(reg(0, 0x100 + 0x10 * 2) & (1 << 0x11), 1 << 0x11, 'ISR bit 0x51');
    assert.strictEqual(reg(0, 0xa0), 0x50, 'PPR from ISR');
    reg(0, 0x300, 0x40000 | 0x52);
    assert.strictEqual(apics[0].hasInterrupt(), false, 'same class as in service');
    reg(0, 0x300, 0x40000 | 0x61);
    assert.strictEqual(apics[0].acknowledge(), 0x61, 'higher class preempts');
    reg(0, 0xb0, 0);
    reg(0, 0xb0, 0);
    assert.strictEqual(apics[0].acknowledge(), 0x52);
  });

  it('a software-disabled APIC delivers nothing and acknowledges with the spurious vector', () => {
    const { apics, reg } = setup();
    reg(0, 0x300, 0x40000 | 0x40);
    assert.strictEqual(apics[0].hasInterrupt(), false);
    assert.strictEqual(apics[0].acknowledge(), 0xff);
  });

  it('INIT and SIPI IPIs to another CPU, INIT de-assert ignored, NMI', () => {
    const { reg, events, enable } = setup();
    enable(0);
    reg(0, 0x310, 1 << 24);
    reg(0, 0x300, 0x4500); // INIT, assert, physical dest 1
    reg(0, 0x300, 0x8500); // INIT level de-assert
    reg(0, 0x300, 0x4608); // SIPI vector 8
    reg(0, 0x300, 0xc0400); // NMI to all excluding self
    assert.deepStrictEqual(events, ['init1', 'sipi1:8', 'nmi1']);
    assert.strictEqual(reg(0, 0x300) & 0x1000, 0, 'never send-pending');
  });

  it('logical flat destinations and lowest priority', () => {
    const { apics, reg, enable } = setup();
    enable(0);
    enable(1);
    reg(0, 0xd0, 0x01000000);
    reg(1, 0xd0, 0x02000000);
    reg(0, 0x310, 0x03 << 24);
    reg(0, 0x300, 0x0800 | 0x30); // fixed, logical, both
    assert.strictEqual(apics[0].hasInterrupt() && apics[1].hasInterrupt(), true);
    apics[0].acknowledge();
    apics[1].acknowledge();
    reg(0, 0xb0, 0);
    reg(1, 0xb0, 0);
    reg(0, 0x80, 0x20);
    reg(0, 0x300, 0x0900 | 0x31); // lowest priority, logical, both
    assert.strictEqual(apics[0].hasInterrupt(), false);
    assert.strictEqual(apics[1].acknowledge(), 0x31, 'the CPU with the lower TPR wins');
  });

  it('timer one-shot counts down through the divider and fires once', () => {
    const { clock, apics, reg, enable } = setup();
    enable(0);
    reg(0, 0x3e0, 0x3); // divide by 16
    reg(0, 0x320, 0x40);
    reg(0, 0x380, 1000);
    clock.advanceTo(1600);
    assert.strictEqual(reg(0, 0x390), 900);
    clock.advanceTo(15999);
    assert.strictEqual(apics[0].hasInterrupt(), false);
    clock.advanceTo(16000);
    assert.strictEqual(apics[0].acknowledge(), 0x40);
    assert.strictEqual(reg(0, 0x390), 0);
    clock.advanceTo(100000);
    assert.strictEqual(apics[0].timerFires, 1);
  });

  it('timer periodic reloads and does not drift; masked LVT still counts', () => {
    const { clock, apics, reg, enable } = setup();
    enable(0);
    reg(0, 0x3e0, 0xb); // divide by 1
    reg(0, 0x320, 0x20000 | 0x41);
    reg(0, 0x380, 1000);
    for (let t = 0; t <= 10500; t += 333) clock.advanceTo(t);
    assert.strictEqual(apics[0].timerFires, 10);
    assert.strictEqual(reg(0, 0x390), 1000 - (clock.now() % 1000));
    reg(0, 0x320, 0x30041); // masked periodic
    apics[0].acknowledge();
    reg(0, 0xb0, 0);
    clock.advanceTo(20000);
    assert.strictEqual(apics[0].hasInterrupt(), false);
  });
});

describe('I/O APIC', () => {
  it('version register and redirection entries', () => {
    const { io } = setup();
    assert.strictEqual(io(0x01), 0x00170011);
    assert.strictEqual(io(0x10), 0x10000, 'masked at reset');
    io(0x10 + 2 * 4, 0x00001234);
    io(0x11 + 2 * 4, 0x01000000);
    assert.strictEqual(io(0x10 + 2 * 4), 0x1234 & 0x1afff);
    assert.strictEqual(io(0x11 + 2 * 4), 0x01000000);
  });

  it('edge pin delivers once per rising edge to the destination CPU', () => {
    const { ioapic, apics, io, enable } = setup();
    enable(1);
    io(0x10 + 2 * 2, 0x30);
    io(0x11 + 2 * 2, 1 << 24);
    ioapic.raise(2);
    ioapic.raise(2);
    assert.strictEqual(apics[1].acknowledge(), 0x30);
    assert.strictEqual(apics[1].hasInterrupt(), false);
    apics[1].writeRegister(0xb0, 0);
    ioapic.lower(2);
    ioapic.raise(2);
    assert.strictEqual(apics[1].hasInterrupt(), true);
  });

  it('level pin: remote IRR until EOI, redelivered while still asserted', () => {
    const { ioapic, apics, io, reg, enable } = setup();
    enable(0);
    io(0x10 + 2 * 11, 0x8000 | 0x45);
    ioapic.raise(11);
    assert.strictEqual(io(0x10 + 2 * 11) & 0x4000, 0x4000);
    assert.strictEqual(apics[0].acknowledge(), 0x45);
    assert.strictEqual(reg(0, 0x180 + 0x10 * 2) & (1 << 5), 1 << 5, 'TMR set');
    reg(0, 0xb0, 0);
    assert.strictEqual(apics[0].hasInterrupt(), true, 'still asserted: sent again');
    assert.strictEqual(apics[0].acknowledge(), 0x45);
    ioapic.lower(11);
    reg(0, 0xb0, 0);
    assert.strictEqual(io(0x10 + 2 * 11) & 0x4000, 0);
    assert.strictEqual(apics[0].hasInterrupt(), false);
  });

  it('fanout wires ISA IRQs to the PIC and to the I/O APIC with IRQ0 on pin 2', () => {
    const { ioapic, apics, io, enable } = setup();
    enable(0);
    const pic = new PicPair();
    const lines = new IrqFanout([{ sink: pic }, { sink: ioapic, map: isaIrqToGsi }]);
    io(0x10 + 2 * 2, 0x20);
    lines.raise(0);
    lines.lower(0);
    assert.strictEqual(apics[0].acknowledge(), 0x20);
    assert.strictEqual(pic.master.irr & 1, 1);
    // Shared level line: stays asserted until both sources drop it.
    lines.raise(10);
    lines.raise(10);
    lines.lower(10);
    assert.strictEqual(pic.slave.lines & 0x04, 0x04);
    lines.lower(10);
    assert.strictEqual(pic.slave.lines & 0x04, 0);
  });
});
