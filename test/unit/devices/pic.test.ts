import * as assert from 'node:assert';
import { IoBus } from '../../../src/vmm/devices/io-bus';
import { PicPair } from '../../../src/vmm/devices/pic';

/** The BIOS/Linux initialisation: master at 0x20, slave at 0x28, cascade on IR2, 8086 mode. */
function initPics(bus: IoBus, icw4 = 0x01): void {
  bus.write(0x20, 1, 0x11);
  bus.write(0x21, 1, 0x20);
  bus.write(0x21, 1, 0x04);
  bus.write(0x21, 1, icw4);
  bus.write(0xa0, 1, 0x11);
  bus.write(0xa1, 1, 0x28);
  bus.write(0xa1, 1, 0x02);
  bus.write(0xa1, 1, icw4);
  bus.write(0x21, 1, 0x00);
  bus.write(0xa1, 1, 0x00);
}

function setup(icw4 = 0x01): { bus: IoBus; pic: PicPair } {
  const bus = new IoBus();
  const pic = new PicPair();
  pic.attach(bus);
  initPics(bus, icw4);
  return { bus, pic };
}

function pulse(pic: PicPair, line: number): void {
  pic.raise(line);
  pic.lower(line);
}

describe('8259A PIC pair', () => {
  it('delivers a master IRQ with the ICW2 vector and sets ISR', () => {
    const { bus, pic } = setup();
    assert.strictEqual(pic.hasInterrupt(), false);
    pulse(pic, 1);
    assert.strictEqual(pic.hasInterrupt(), true);
    bus.write(0x20, 1, 0x0a); // OCW3: read IRR
    assert.strictEqual(bus.read(0x20, 1), 0x02);
    assert.strictEqual(pic.acknowledge(), 0x21);
    assert.strictEqual(bus.read(0x20, 1), 0x00, 'edge request consumed by INTA');
    bus.write(0x20, 1, 0x0b); // OCW3: read ISR
    assert.strictEqual(bus.read(0x20, 1), 0x02);
    assert.strictEqual(pic.hasInterrupt(), false);
    bus.write(0x20, 1, 0x20); // non-specific EOI
    assert.strictEqual(bus.read(0x20, 1), 0x00);
  });

  it('cascades slave IRQs through IR2 and needs EOI on both chips', () => {
    const { bus, pic } = setup();
    pulse(pic, 14);
    assert.strictEqual(pic.hasInterrupt(), true);
    assert.strictEqual(pic.acknowledge(), 0x2e);
    bus.write(0x20, 1, 0x0b);
    bus.write(0xa0, 1, 0x0b);
    assert.strictEqual(bus.read(0x20, 1), 0x04);
    assert.strictEqual(bus.read(0xa0, 1), 0x40);
    pulse(pic, 15);
    assert.strictEqual(pic.hasInterrupt(), false, 'IR14 in service blocks IR15 on the slave, IR2 on the master');
    bus.write(0xa0, 1, 0x20);
    assert.strictEqual(pic.hasInterrupt(), false, 'master IR2 still in service');
    bus.write(0x20, 1, 0x20);
    assert.strictEqual(pic.hasInterrupt(), true);
    assert.strictEqual(pic.acknowledge(), 0x2f);
  });

  it('honours priority: IR0 preempts IR3 in service, IR5 waits', () => {
    const { bus, pic } = setup();
    pulse(pic, 3);
    assert.strictEqual(pic.acknowledge(), 0x23);
    pulse(pic, 5);
    assert.strictEqual(pic.hasInterrupt(), false);
    pulse(pic, 0);
    assert.strictEqual(pic.acknowledge(), 0x20);
    bus.write(0x20, 1, 0x20); // EOI clears IR0 (highest in service)
    bus.write(0x20, 1, 0x0b);
    assert.strictEqual(bus.read(0x20, 1), 0x08);
    bus.write(0x20, 1, 0x63); // specific EOI for IR3
    assert.strictEqual(bus.read(0x20, 1), 0x00);
    assert.strictEqual(pic.acknowledge(), 0x25);
  });

  it('masks with OCW1 and reads the IMR back', () => {
    const { bus, pic } = setup();
    bus.write(0x21, 1, 0xfd);
    assert.strictEqual(bus.read(0x21, 1), 0xfd);
    pulse(pic, 0);
    assert.strictEqual(pic.hasInterrupt(), false);
    pulse(pic, 1);
    assert.strictEqual(pic.acknowledge(), 0x21);
    bus.write(0x21, 1, 0x00);
    assert.strictEqual(pic.acknowledge(), 0x20, 'masked request stayed in IRR');
  });

  it('returns spurious IRQ7 without touching ISR when the request vanished', () => {
    const { bus, pic } = setup();
    bus.write(0x4d0, 1, 0x08); // IRQ3 level-triggered
    pic.raise(3);
    assert.strictEqual(pic.hasInterrupt(), true);
    pic.lower(3);
    assert.strictEqual(pic.acknowledge(), 0x27);
    bus.write(0x20, 1, 0x0b);
    assert.strictEqual(bus.read(0x20, 1), 0x00);
    assert.strictEqual(pic.spuriousCount, 1);
  });

  it('returns spurious IRQ15 with master IR2 in service when the slave request vanished', () => {
    const { bus, pic } = setup();
    bus.write(0x4d1, 1, 0x08); // IRQ11 level
    pic.raise(11);
    // The master already saw IR2; the slave request drops before INTA reaches the slave.
    pic.slave.imr = 0x08;
    pic.master.irr |= 0x04;
    assert.strictEqual(pic.acknowledge(), 0x2f);
    bus.write(0x20, 1, 0x0b);
    assert.strictEqual(bus.read(0x20, 1), 0x04, 'the master does set ISR2; the kernel must EOI the master');
    bus.write(0xa0, 1, 0x0b);
    assert.strictEqual(bus.read(0xa0, 1), 0x00);
  });

  it('auto-EOI leaves ISR clear', () => {
    const { bus, pic } = setup(0x03);
    pulse(pic, 4);
    assert.strictEqual(pic.acknowledge(), 0x24);
    bus.write(0x20, 1, 0x0b);
    assert.strictEqual(bus.read(0x20, 1), 0x00);
    pulse(pic, 5);
    assert.strictEqual(pic.acknowledge(), 0x25, 'no EOI needed for the next one');
  });

  it('rotates priority in auto-EOI mode when asked', () => {
    const { bus, pic } = setup(0x03);
    bus.write(0x20, 1, 0x80); // set rotate in AEOI
    pulse(pic, 2 + 1); // IR3
    assert.strictEqual(pic.acknowledge(), 0x23);
    // IR3 is now lowest; IR4 highest.
    pulse(pic, 0);
    pulse(pic, 4);
    assert.strictEqual(pic.acknowledge(), 0x24);
    assert.strictEqual(pic.acknowledge(), 0x20);
  });

  it('special mask mode lets lower levels through while a masked level is in service', () => {
    const { bus, pic } = setup();
    pulse(pic, 1);
    assert.strictEqual(pic.acknowledge(), 0x21);
    pulse(pic, 6);
    assert.strictEqual(pic.hasInterrupt(), false, 'fully nested: IR6 waits behind IR1');
    bus.write(0x21, 1, 0x02); // mask own level
    bus.write(0x20, 1, 0x68); // OCW3: ESMM|SMM
    assert.strictEqual(pic.hasInterrupt(), true);
    assert.strictEqual(pic.acknowledge(), 0x26);
    bus.write(0x20, 1, 0x48); // leave special mask mode
    pulse(pic, 7);
    assert.strictEqual(pic.hasInterrupt(), false);
  });

  it('rotate on non-specific EOI and set-priority command', () => {
    const { bus, pic } = setup();
    pulse(pic, 0);
    assert.strictEqual(pic.acknowledge(), 0x20);
    bus.write(0x20, 1, 0xa0); // rotate on non-specific EOI: IR0 becomes lowest
    pulse(pic, 0);
    pulse(pic, 5);
    assert.strictEqual(pic.acknowledge(), 0x25);
    bus.write(0x20, 1, 0xc4); // set priority: IR4 lowest -> IR5 highest
    bus.write(0x20, 1, 0x65); // specific EOI IR5
    pulse(pic, 4);
    pulse(pic, 6);
    assert.strictEqual(pic.acknowledge(), 0x26);
    bus.write(0x20, 1, 0xe6); // rotate on specific EOI IR6: IR6 lowest, IR7 highest
    pulse(pic, 7);
    assert.strictEqual(pic.acknowledge(), 0x27);
  });

  it('poll mode reads the level and acts as INTA', () => {
    const { bus, pic } = setup();
    pulse(pic, 3);
    bus.write(0x20, 1, 0x0c); // OCW3 poll
    assert.strictEqual(bus.read(0x20, 1), 0x83);
    bus.write(0x20, 1, 0x0b);
    assert.strictEqual(bus.read(0x20, 1), 0x08);
    bus.write(0x20, 1, 0x20);
    bus.write(0x20, 1, 0x0c);
    assert.strictEqual(bus.read(0x20, 1), 0x00);
  });

  it('level-triggered lines via ELCR re-request after EOI while held', () => {
    const { bus, pic } = setup();
    bus.write(0x4d1, 1, 0xff);
    assert.strictEqual(bus.read(0x4d1, 1), 0xde, 'IRQ8 and IRQ13 cannot be level');
    bus.write(0x4d0, 1, 0xff);
    assert.strictEqual(bus.read(0x4d0, 1), 0xf8);
    pic.raise(11);
    assert.strictEqual(pic.acknowledge(), 0x2b);
    bus.write(0xa0, 1, 0x20);
    bus.write(0x20, 1, 0x20);
    assert.strictEqual(pic.acknowledge(), 0x2b, 'still asserted');
    pic.lower(11);
    bus.write(0xa0, 1, 0x20);
    bus.write(0x20, 1, 0x20);
    assert.strictEqual(pic.hasInterrupt(), false);
  });

  it('edge lines need a new rising edge; ICW1 clears the edge latch and IMR', () => {
    const { bus, pic } = setup();
    pic.raise(4);
    assert.strictEqual(pic.acknowledge(), 0x24);
    bus.write(0x20, 1, 0x20);
    assert.strictEqual(pic.hasInterrupt(), false, 'held high, no new edge');
    pic.lower(4);
    pic.raise(4);
    assert.strictEqual(pic.hasInterrupt(), true);
    bus.write(0x21, 1, 0xff);
    bus.write(0x20, 1, 0x11);
    bus.write(0x21, 1, 0x40);
    bus.write(0x21, 1, 0x04);
    bus.write(0x21, 1, 0x01);
    assert.strictEqual(bus.read(0x21, 1), 0x00);
    assert.strictEqual(pic.hasInterrupt(), false);
    pic.lower(4);
    pulse(pic, 4);
    assert.strictEqual(pic.acknowledge(), 0x44);
  });

  it('reports INT output changes', () => {
    const { pic } = setup();
    const seen: boolean[] = [];
    pic.onOutputChange = (a) => seen.push(a);
    pulse(pic, 0);
    pic.acknowledge();
    assert.deepStrictEqual(seen, [true, false]);
  });

  it('special fully nested mode lets a higher slave IRQ through while the slave is in service', () => {
    const { bus, pic } = setup(0x11); // ICW4: SFNM
    pulse(pic, 12);
    assert.strictEqual(pic.acknowledge(), 0x2c);
    pulse(pic, 9);
    assert.strictEqual(pic.hasInterrupt(), true, 'IR2 in service does not block the slave');
    assert.strictEqual(pic.acknowledge(), 0x29);
    bus.write(0xa0, 1, 0x20);
    bus.write(0xa0, 1, 0x0b);
    assert.strictEqual(bus.read(0xa0, 1), 0x10, 'IRQ12 still in service: do not EOI the master yet');
  });
});
