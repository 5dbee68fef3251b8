import * as assert from 'node:assert';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine, type MachineOptions } from '../../../src/vmm/monitor/machine';

/**
 * x87 error reporting in both CR0.NE settings, end to end through the PIC. Real-mode guest (from an `as --32`
 * listing): program the PICs (master 0x08, slave 0x70, only IRQ 2 and 13 unmasked), point IVT 0x75 (IRQ 13) and
 * IVT 16 (#MF) at handlers that store 1 or 2 in `flag`, set CR0.NE from BL, unmask zero-divide, divide 1 by 0,
 * STI, FWAIT. The IRQ 13 handler clears ES, acknowledges FERR# at port 0xF0 and EOIs both PICs.
 */
const GUEST =
  '31c08ed88ed0bc0070b011e620e6a0b008e621b070e6a1b004e621b002e6a1b001e621e6a1b0fbe621b0dfe6a1c706d401657cc706d601' +
  '0000c7064000757cc70642000000c6067f7c000f20c008d80f22c0dbe3d92e7d7cd9e8d9eedef9fb9b90a07f7cf4c6067f7c01dbe2e6f0b0' +
  '20e6a0e620cfc6067f7c02dbe2cf7b03ff';
const FLAG = 0x7c7f;

function runGuest(ne: boolean): Machine {
  const opts: MachineOptions = { name: 'ferr', memoryMB: 4, cpus: 1, nsPerInstruction: 1, startTimeMs: 0 };
  const m = new Machine(opts, new MachineMemory(4 << 20), {
    onSerial: () => undefined,
    onDebugCon: () => undefined,
    onPowerOff: () => undefined,
  });
  m.phys.load(0x7c00, Buffer.from(GUEST, 'hex'));
  m.applyEntry({ kind: 'real', cs: 0, ip: 0x7c00, ds: 0, ss: 0, regs: { ebx: ne ? 0x20 : 0 } });
  m.run(10_000);
  return m;
}

describe('platform: x87 errors, #MF or FERR# on IRQ 13', () => {
  it('CR0.NE=0: an unmasked zero-divide reaches the guest as IRQ 13, acknowledged at port 0xF0', () => {
    const m = runGuest(false);
    assert.strictEqual(m.phys.read8(FLAG), 1, 'the IRQ 13 handler ran, not the #MF one');
    assert.strictEqual(m.platform.ferr.signals, 1);
    assert.strictEqual(m.platform.ferr.asserted, false, 'the OUT to 0xF0 released the line');
    assert.strictEqual(m.cpus[0].reg[0] & 0xff, 1, 'FWAIT went on to the code after it');
  });

  it('CR0.NE=1: the same error is #MF (vector 16) and FERR# stays quiet', () => {
    const m = runGuest(true);
    assert.strictEqual(m.phys.read8(FLAG), 2);
    assert.strictEqual(m.platform.ferr.signals, 0);
  });
});
