import * as assert from 'node:assert';
import { ExitReason, StopReason } from '../../../src/vmm/cpu/cpu-host';
import { WatchKind } from '../../../src/vmm/cpu/debug-access';
import { flat32, gate, hex, protectedSystem } from './helpers';

describe('cpu: debug support', () => {
  it('DR7 instruction breakpoint raises #DB before the instruction with DR6.B0; RF lets IRET resume', () => {
    // nop; mov eax,1 (bp here); mov ebx,2; hlt
    const sys = protectedSystem('90 b801000000 bb02000000 f4');
    // #DB handler: mov ecx,dr6; mov [0x9000],ecx; mov ecx,[esp]; mov [0x9004],ecx; or dword [esp+8],0x10000; iretd
    sys.host.phys.load(0x31000, hex('0f21f1 890d00900000 8b0c24 890d04900000 814c240800000100 cf'));
    sys.setGate(1, gate(0x08, 0x31000, 0xe));
    sys.cpu.dr[0] = 0x10001;
    sys.cpu.dr[7] = 0x1;
    sys.cpu.stateChanged();
    assert.strictEqual(sys.cpu.run(100), StopReason.Halted);
    assert.strictEqual(sys.host.phys.read32(0x9000) & 0x4001, 1);
    assert.strictEqual(sys.host.phys.read32(0x9004), 0x10001);
    assert.strictEqual(sys.cpu.reg[0], 1);
    assert.strictEqual(sys.cpu.reg[3], 2);
  });

  it('DR data breakpoints trap after the writing instruction', () => {
    const sys = protectedSystem('b805000000 a300600000 bb02000000 f4');
    sys.host.phys.load(0x31000, hex('0f21f1 890d00900000 8b0c24 890d04900000 cf'));
    sys.setGate(1, gate(0x08, 0x31000, 0xe));
    sys.cpu.dr[1] = 0x6000;
    sys.cpu.dr[7] = (0x4 | (1 << 20) | (3 << 22)) >>> 0; // L1, RW1=write, LEN1=4
    sys.cpu.stateChanged();
    sys.cpu.run(100);
    assert.strictEqual(sys.host.phys.read32(0x9000) & 0xf, 2, 'B1');
    assert.strictEqual(sys.host.phys.read32(0x9004), 0x1000a, 'EIP after the store');
    assert.strictEqual(sys.host.phys.read32(0x6000), 5);
  });

  it('I/O breakpoints (CR4.DE) trap after the port access; DR7.GD faults DR accesses', () => {
    const sys = protectedSystem('e680 90 f4');
    sys.host.phys.load(0x31000, hex('0f21f1 890d00900000 8b0c24 890d04900000 cf'));
    sys.setGate(1, gate(0x08, 0x31000, 0xe));
    sys.cpu.cr[4] = 0x8;
    sys.cpu.dr[0] = 0x80;
    sys.cpu.dr[7] = 0x1 | (2 << 16);
    sys.cpu.stateChanged();
    sys.cpu.run(100);
    assert.strictEqual(sys.host.phys.read32(0x9000) & 0xf, 1);
    assert.strictEqual(sys.host.phys.read32(0x9004), 0x10002);

    const gd = protectedSystem('0f21c0 f4');
    gd.host.phys.load(0x31000, hex('8b0c24 890d04900000 f4'));
    gd.setGate(1, gate(0x08, 0x31000, 0xe));
    gd.cpu.dr[7] = 0x2400;
    gd.cpu.stateChanged();
    gd.cpu.run(100);
    assert.strictEqual(gd.host.phys.read32(0x9004), 0x10000, 'fault: EIP at the MOV DR');
    assert.strictEqual(gd.cpu.dr[6] & 0x2000, 0x2000, 'DR6.BD');
  });

  it('TF single-steps with DR6.BS', () => {
    // pushfd; or dword [esp],0x100; popfd; nop; nop; hlt  -- #DB after the first nop (TF takes effect after POPF)
    const sys = protectedSystem('9c 810c2400010000 9d 90 90 f4');
    sys.host.phys.load(0x31000, hex('0f21f1 890d00900000 8b0c24 890d04900000 816424 08 fffeffff cf'));
    sys.setGate(1, gate(0x08, 0x31000, 0xe));
    sys.cpu.run(100);
    assert.strictEqual(sys.host.phys.read32(0x9000) & 0x4000, 0x4000);
    assert.strictEqual(sys.host.phys.read32(0x9004), 0x1000a, 'trap after the first instruction run with TF=1');
  });

  it('MOV SS holds a single-step trap back until after the next instruction', () => {
    // pushfd; or dword [esp],0x100; popfd; mov ax,ss; mov ss,ax; nop; nop; hlt
    const sys = protectedSystem('9c 810c2400010000 9d 668cd0 8ed0 90 90 f4');
    sys.host.phys.load(0x31000, hex('8b0c24 890d04900000 816424 08 fffeffff cf'));
    sys.setGate(1, gate(0x08, 0x31000, 0xe));
    sys.cpu.run(100);
    // The first trap follows MOV AX,SS (0x10009-0x1000b); the handler clears TF, so nothing else traps.
    assert.strictEqual(sys.host.phys.read32(0x9004), 0x1000c);
    const t = protectedSystem('9c 810c2400010000 9d 8ed0 90 90 f4');
    t.cpu.reg[0] = 0x10;
    t.host.phys.load(0x31000, hex('8b0c24 890d04900000 816424 08 fffeffff cf'));
    t.setGate(1, gate(0x08, 0x31000, 0xe));
    t.cpu.run(100);
    assert.strictEqual(t.host.phys.read32(0x9004), 0x1000c, 'after the NOP that followed MOV SS (0x1000b), not after MOV SS');
  });

  it('engine breakpoints stop before the instruction and resume through it', () => {
    const { cpu } = flat32('40 40 40 f4');
    cpu.addBreakpoint(0x1001);
    assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
    assert.strictEqual(cpu.eip, 0x1001);
    assert.strictEqual(cpu.reg[0], 1);
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[0], 3);
    cpu.removeBreakpoint(0x1001);
    assert.strictEqual(cpu.bpCount, 0);
  });

  it('a breakpoint in a loop stops on every iteration', () => {
    const { cpu } = flat32('40 ebfd');
    cpu.addBreakpoint(0x1000);
    for (let i = 0; i < 3; i++) {
      assert.strictEqual(cpu.run(100), StopReason.Breakpoint);
      assert.strictEqual(cpu.reg[0], i);
    }
  });

  it('step() executes one instruction even from a breakpoint', () => {
    const { cpu } = flat32('40 40 f4');
    cpu.addBreakpoint(0x1000);
    assert.strictEqual(cpu.step(), StopReason.Budget);
    assert.strictEqual(cpu.eip, 0x1001);
    assert.strictEqual(cpu.instructionsRetired, 1);
  });

  it('watchpoints stop after the access with address, size, kind and value', () => {
    // mov eax,[0x5000]; mov [0x5004],ebx; mov ecx,9; hlt
    const { cpu, host } = flat32('a100500000 891d04500000 b909000000 f4');
    host.phys.write32(0x5000, 0x1234);
    cpu.reg[3] = 0x77;
    cpu.addWatchpoint({ id: 1, start: 0x5004, length: 4, kind: WatchKind.Write });
    cpu.addWatchpoint({ id: 2, start: 0x5000, length: 1, kind: WatchKind.Read });
    assert.strictEqual(cpu.run(100), StopReason.Watchpoint);
    let hit = cpu.takeWatchHit();
    assert.deepStrictEqual(hit, { id: 2, address: 0x5000, size: 4, kind: 1, value: 0x1234, eip: 0x1000 });
    assert.strictEqual(cpu.eip, 0x1005);
    assert.strictEqual(cpu.run(100), StopReason.Watchpoint);
    hit = cpu.takeWatchHit();
    assert.strictEqual(hit?.id, 1);
    assert.strictEqual(hit?.value, 0x77);
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.reg[1], 9);
  });

  it('the pause flag stops a tight loop', () => {
    const { cpu } = flat32('ebfe');
    const flag = new Int32Array(new SharedArrayBuffer(4));
    cpu.pauseFlag = flag;
    Atomics.store(flag, 0, 1);
    assert.strictEqual(cpu.run(1e9), StopReason.Paused);
    assert.ok(cpu.instructionsRetired < 10000);
    assert.strictEqual(Atomics.load(flag, 0), 0);
  });

  it('monitor exits are reported and can stop the run after the instruction', () => {
    // out 0x80,al; mov cr3? (keep to I/O): out 0x80,al; inc eax; hlt
    const { cpu, host } = flat32('e680 40 f4');
    host.stopOn.add(ExitReason.IoOut);
    assert.strictEqual(cpu.run(100), StopReason.MonitorEvent);
    assert.strictEqual(cpu.eip, 0x1002);
    assert.deepStrictEqual(host.exits[0], { reason: ExitReason.IoOut, detail: 0x80 });
    assert.strictEqual(cpu.run(100), StopReason.Halted);
    assert.strictEqual(cpu.exitCounts[ExitReason.Hlt], 1);
  });

  it('linearToPhysical does not touch accessed bits', () => {
    const sys = protectedSystem('f4');
    const p = sys.host.phys;
    p.write32(0x100000, 0x101007);
    p.write32(0x101000 + 5 * 4, 0x8007);
    sys.cpu.cr[3] = 0x100000;
    sys.cpu.cr[0] |= 0x80000000 | 0;
    sys.cpu.stateChanged();
    assert.strictEqual(sys.cpu.linearToPhysical(0x5123), 0x8123);
    assert.strictEqual(sys.cpu.linearToPhysical(0x6000), -1);
    assert.strictEqual(p.read32(0x101000 + 5 * 4), 0x8007);
  });
});
