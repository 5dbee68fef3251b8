import { MachineMemory } from '../../memory/machine-memory';
import { GuestPhysicalMemory } from '../../memory/guest-physical';
import { IoBus } from '../../devices/io-bus';
import type { CpuHost } from '../cpu-host';
import { Cpu } from '../cpu';
import { AR, Seg } from '../constants';

/**
 * Raw interpreter speed on tiny guest loops (node out/src/vmm/cpu/testing/micro-bench.js). Flat 32-bit
 * protected mode, paging off (the TLB is still used), no devices.
 */

const LOOPS: Record<string, string> = {
  // mov ecx,N; L: add eax,ecx; xor ebx,eax; dec ecx; jnz L; hlt
  alu: 'b9 NNNNNNNN 01c8 31c3 49 75f9 f4',
  // mov ecx,N; mov esi,0x100000; L: mov [esi],eax; mov edx,[esi+4]; add eax,edx; inc esi; and esi,0x10ffff; dec ecx; jnz L; hlt
  mem: 'b9 NNNNNNNN be00001000 8906 8b5604 01d0 46 81e6ffff1000 49 75ef f4',
  // mov ecx,N; L: push ecx; call F; pop edx; dec ecx; jnz L; hlt; F: ret
  call: 'b9 NNNNNNNN 51 e806000000 5a 49 75f6 f4 90 90 c3',
  // mov ecx,N; L: int 0x30; dec ecx; jnz L; hlt   (the handler at 0x3000 is a bare IRETD)
  intiret: 'b9 NNNNNNNN cd30 49 75fb f4',
  // paging on; mov ecx,N; L: mov cr3,eax; 16 x mov edx,[page i]; dec ecx; jnz L; hlt (counts 19 instructions/iteration)
  cr3: 'b9 NNNNNNNN 0f22d8 ' + Array.from({ length: 16 }, (_, i) => '8b15' + le(0x100000 + i * 0x1000)).join('') + ' 49 75' + (256 - 3 - 16 * 6 - 3).toString(16) + ' f4',
};

function le(v: number): string {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function hex(s: string, n: number): Uint8Array {
  const le = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].map((b) => b.toString(16).padStart(2, '0')).join('');
  const clean = s.replace('NNNNNNNN', le).replace(/\s/g, '');
  return Uint8Array.from(clean.match(/../g)!.map((x) => parseInt(x, 16)));
}

export function bench(name: string, iterations: number): { mips: number; instructions: number; ms: number } {
  const phys = new GuestPhysicalMemory(new MachineMemory(4 << 20), 4 << 20);
  const host: CpuHost = {
    phys, io: new IoBus(), interruptPending: () => false, acknowledgeInterrupt: () => -1, now: () => 0, exit: () => false,
  };
  const cpu = new Cpu(0, host);
  cpu.cr[0] = 0x11;
  cpu.stateChanged();
  cpu.setSegment(Seg.CS, 8, 0, -1, AR.P | AR.S | AR.CODE | AR.RW | AR.D | AR.G);
  for (const s of [Seg.DS, Seg.ES, Seg.SS]) cpu.setSegment(s, 0x10, 0, -1, AR.P | AR.S | AR.RW | AR.D | AR.G);
  cpu.reg[4] = 0x80000;
  // IDT at 0x2000: vector 0x30 -> 0x08:0x3000 (IRETD); page tables at 0x10000 identity-mapping 4 MiB.
  cpu.dtr[2] = 0x2000;
  cpu.dtr[3] = 0x7ff;
  phys.write32(0x2000 + 0x30 * 8, 0x00083000);
  phys.write32(0x2000 + 0x30 * 8 + 4, 0x8e00);
  phys.write8(0x3000, 0xcf);
  cpu.dtr[0] = 0x4000;
  cpu.dtr[1] = 0xff;
  phys.write32(0x4008, 0x0000ffff);
  phys.write32(0x400c, 0x00cf9a00);
  if (name === 'cr3') {
    phys.write32(0x10000, 0x11007);
    for (let i = 0; i < 1024; i++) phys.write32(0x11000 + i * 4, (i << 12) | 7);
    cpu.reg[0] = 0x10000;
    cpu.cr[3] = 0x10000;
    cpu.cr[0] |= 0x80000000 | 0;
    cpu.stateChanged();
  }
  phys.load(0x1000, hex(LOOPS[name], iterations));
  cpu.eip = 0x1000;
  // CPU time, not wall time: the build machine is shared, and a busy neighbour would halve the figure.
  const t0 = process.cpuUsage();
  const start = cpu.instructionsRetired;
  while (cpu.run(10_000_000) === 0) {
    /* budget slices */
  }
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  const instructions = cpu.instructionsRetired - start;
  return { mips: instructions / ms / 1000, instructions, ms };
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 20_000_000);
  for (const name of Object.keys(LOOPS)) {
    bench(name, Math.floor(n / 100)); // warm-up
    const r = name === 'intiret' || name === 'cr3' ? bench(name, 1) : bench(name, n);
    const n2 = name === 'intiret' || name === 'cr3' ? Math.floor(n / 100) : n;
    const r2 = n2 === n ? r : bench(name, n2);
    const per = name === 'intiret' ? ` ${(r2.ms * 1000 / n2).toFixed(3)} us per INT+IRET` : name === 'cr3' ? ` ${(r2.ms * 1000 / n2).toFixed(3)} us per CR3 reload + 16 refills` : '';
    console.log(`${name.padEnd(7)} ${r2.mips.toFixed(1)} MIPS (${r2.instructions} instructions in ${r2.ms.toFixed(0)} ms)${per}`);
  }
}
