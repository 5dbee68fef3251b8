import * as assert from 'assert';
import { StopReason } from '../../../src/vmm/cpu/cpu-host';
import { Seg } from '../../../src/vmm/cpu/constants';
import { flat32, hex, real16 } from './helpers';

// Engine breakpoints are checked only when the fetch window is refilled (the window never covers a breakpoint
// byte), so these cases all revolve around windows that were open, or not, when the breakpoint mattered.
describe('cpu: engine breakpoints and the fetch window', () => {
  it('a breakpoint set while paused inside an open window, ahead on the same page, hits', () => {
    const { cpu } = flat32('40 40 40 40 40 f4');
    assert.strictEqual(cpu.run(2), StopReason.Budget); // the window over 0x1000 page is open now
    assert.ok(cpu.fSpan >= 0);
    cpu.addBreakpoint(0x1004);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1004);
    assert.strictEqual(cpu.reg[0], 4);
  });

  it('a breakpoint behind the current EIP on the same page hits when a loop comes back to it', () => {
    // 0x1000: inc eax; inc ebx; inc ecx; jmp 0x1000
    const { cpu } = flat32('40 43 41 ebfb');
    cpu.run(3);
    cpu.addBreakpoint(0x1001);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1001);
    assert.deepStrictEqual([cpu.reg[0], cpu.reg[3]], [2, 1]);
  });

  it('two breakpoints on one page: resuming from the first runs the stretch between them and stops at the second', () => {
    // inc eax x3, inc ebx, jmp back to start
    const { cpu } = flat32('40 40 40 43 ebfa');
    cpu.addBreakpoint(0x1000);
    cpu.addBreakpoint(0x1003);
    const stops: number[] = [];
    for (let i = 0; i < 5; i++) {
      assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
      stops.push(cpu.eip);
    }
    assert.deepStrictEqual(stops, [0x1000, 0x1003, 0x1000, 0x1003, 0x1000]);
    assert.strictEqual(cpu.reg[0], 6);
    assert.strictEqual(cpu.reg[3], 2);
  });

  it('a jump from another page onto a breakpoint stops before the target runs', () => {
    // 0x1000: jmp 0x3000 ; 0x3000: inc eax; hlt
    const { cpu, host } = flat32('e9fb1f0000');
    host.phys.load(0x3000, hex('40 f4'));
    cpu.addBreakpoint(0x3000);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x3000);
    assert.strictEqual(cpu.reg[0], 0);
  });

  it('a breakpoint on a prefix byte stops there; one on a byte inside an instruction never does', () => {
    // 66 40 (inc ax) ; 40 ; f4
    const { cpu } = flat32('6640 40 f4');
    cpu.addBreakpoint(0x1001); // the opcode after the prefix: not an instruction start
    cpu.addBreakpoint(0x1000);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1000);
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[0], 2);
  });

  it('an immediate that runs over a breakpoint byte is fetched whole', () => {
    // mov eax, 0x44434241 ; hlt, breakpoint on the immediate's third byte
    const { cpu } = flat32('b841424344 f4');
    cpu.addBreakpoint(0x1003);
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[0] >>> 0, 0x44434241);
  });

  it('removing a breakpoint while paused at it lets the run go on; removing them all leaves nothing armed', () => {
    const { cpu } = flat32('40 40 40 f4');
    cpu.addBreakpoint(0x1001);
    cpu.addBreakpoint(0x1002);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    cpu.removeBreakpoint(0x1002);
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[0], 3);
    cpu.removeBreakpoint(0x1001);
    assert.strictEqual(cpu.bpCount, 0);
    assert.strictEqual(cpu.bp.perPage[1], 0);
  });

  it('code a loader copies onto a breakpoint address stops there (the window over the old bytes is not reused)', () => {
    // The copy routine runs on the same page as the destination: the window is open over the page while
    // rep movsb writes the new code. esi=0x1800 (src: inc eax; inc eax; hlt), edi=0x1100, ecx=3; jmp 0x1100
    const { cpu, host } = flat32('be00180000 bf00110000 b903000000 fc f3a4 e9e9000000');
    host.phys.load(0x1800, hex('40 40 f4'));
    cpu.addBreakpoint(0x1101);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1101);
    assert.strictEqual(cpu.reg[0], 1);
  });

  it('real mode: the breakpoint is by linear address (CS base + IP) and hits before paging exists', () => {
    const { cpu, host } = real16('f4', 0x100);
    cpu.setSegment(Seg.CS, 0x700, 0x7000, 0xffff, 0x9b);
    host.phys.load(0x7100, hex('40 40 40 f4'));
    cpu.addBreakpoint(0x7102);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x102);
    assert.strictEqual(cpu.reg[0] & 0xffff, 2);
  });

  it('the first instruction of an interrupt handler stops, on the same page as the interrupted loop', () => {
    // Real mode, IVT[0x20] -> 0000:0x7c10; the main loop at 0x7c00 spins with IF=1.
    const { cpu, host } = real16('ebfe');
    host.phys.load(0x7c10, hex('40 cf'));
    host.phys.write32(0x20 * 4, 0x7c10);
    cpu.setEflags(0x202);
    cpu.run(10); // window open over the page, spinning
    cpu.addBreakpoint(0x7c10);
    host.pending.push(0x20);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x7c10);
    assert.strictEqual(cpu.reg[0], 0);
  });

  it('256 breakpoints on one page all hit (the per-page count does not wrap to zero)', () => {
    const code = new Uint8Array(0x1000).fill(0x40); // inc eax ... to the end of the page
    const { cpu, host } = flat32(code);
    host.phys.load(0x2000, hex('f4'));
    for (let i = 0; i < 256; i++) cpu.addBreakpoint(0x1000 + i * 4 + 3);
    assert.strictEqual(cpu.run(0x2000), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1003);
    for (let i = 0; i < 255; i++) cpu.removeBreakpoint(0x1000 + i * 4 + 3);
    assert.strictEqual(cpu.run(0x2000), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1000 + 255 * 4 + 3);
  });

  it('step() from a breakpoint executes it, and the next run stops at the breakpoint after it', () => {
    const { cpu } = flat32('40 40 40 f4');
    cpu.addBreakpoint(0x1000);
    cpu.addBreakpoint(0x1001);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.step(), StopReason.Budget);
    assert.strictEqual(cpu.eip, 0x1001);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1001);
    assert.strictEqual(cpu.reg[0], 1);
  });
});
