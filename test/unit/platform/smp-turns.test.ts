import * as assert from 'node:assert';
import { MachineMemory } from '../../../src/vmm/memory/machine-memory';
import { Machine } from '../../../src/vmm/monitor/machine';

// CPU 0 at 0000:7C00 takes a lock at 0x500, then loops until CPU 1 sets [0x600]: it drops the lock for two
// instructions (mov, pause) per 8-instruction loop, exactly like SeaBIOS's smp_scan waiting for its APs.
// prettier-ignore
const BSP = [
  0x31, 0xc0, 0x8e, 0xd8, //                         xor ax,ax; mov ds,ax
  0xf0, 0x0f, 0xba, 0x2e, 0x00, 0x05, 0x00, //       lock bts word [0x500],0
  0x80, 0x3e, 0x00, 0x06, 0x01, 0x74, 0x13, //    1: cmp byte [0x600],1; je 3f
  0xc6, 0x06, 0x00, 0x05, 0x00, //                   mov byte [0x500],0       (lock free...)
  0xf3, 0x90, //                                  2: pause
  0xf0, 0x0f, 0xba, 0x2e, 0x00, 0x05, 0x00, //       lock bts word [0x500],0  (...and taken again)
  0x72, 0xf5, 0x90, 0xeb, 0xe6, //                   jc 2b; nop; jmp 1b
  0xf4, //                                        3: hlt
];
// CPU 1 at 0800:0000 (SIPI vector 8): spin until it gets the lock, say so in [0x600], release, halt.
// prettier-ignore
const AP = [
  0x31, 0xc0, 0x8e, 0xd8, 0xf3, 0x90, 0xf0, 0x0f, 0xba, 0x2e, 0x00, 0x05, 0x00, 0x72, 0xf5,
  0xc6, 0x06, 0x00, 0x06, 0x01, 0xc6, 0x06, 0x00, 0x05, 0x00, 0xf4,
];

describe('platform: vCPUs take turns that a spin loop cannot phase-lock with', () => {
  it('a lock dropped for two instructions in eight is taken by the other vCPU (SeaBIOS smp_scan hung without this)', () => {
    const m = new Machine({ name: 't', memoryMB: 4, cpus: 2, nsPerInstruction: 1, startTimeMs: 0 }, new MachineMemory(4 << 20), {
      onSerial: () => undefined,
      onDebugCon: () => undefined,
      onPowerOff: () => undefined,
    });
    m.phys.load(0x7c00, new Uint8Array(BSP));
    m.phys.load(0x8000, new Uint8Array(AP));
    m.applyEntry({ kind: 'real', cs: 0, ip: 0x7c00, regs: { esp: 0x7000 }, ds: 0, ss: 0 });
    m.cpus[1].sipi(0x08);
    for (let i = 0; i < 20 && !(m.cpus[0].halted && m.cpus[1].halted); i++) m.run(50_000);
    assert.strictEqual(m.phys.read8(0x600), 1, 'CPU 1 got the lock');
    assert.ok(m.cpus[0].halted && m.cpus[1].halted, 'both reached their HLT');
    assert.ok(m.instructions < 100_000, `within a few turns (${m.instructions} instructions)`);
  });
});
