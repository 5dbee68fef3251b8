import { DF } from '../layout';
import { FX } from '../flag-effects';
import { shuffled } from './common';
import { EAX, ECX, EDI, ESI, StreamBuilder, le32 } from './stream';

/**
 * MOVS CMPS STOS LODS SCAS in byte/word/dword sizes, plain or with REP/REPE/REPNE, DF set either way (initially
 * and with CLD/STD), ECX reloaded with a small count (including 0) before each, source segment overrides, and
 * rarely the 0x67 prefix (SI/DI/CX: a #PF below 64 KiB, or nothing when CX=0).
 * ESI/EDI start mid-data-region so the bounded total travel stays inside it.
 */
export function genStrings(b: StreamBuilder): void {
  const rng = b.rng;
  b.noPtr |= (1 << ESI) | (1 << EDI) | (1 << ECX) | (1 << EAX);
  b.written |= (1 << ESI) | (1 << EDI) | (1 << ECX) | (1 << EAX);
  const src = 0x20004000 + rng.int(0x3000);
  const dst = rng.chance(0.2) ? src + rng.range(-16, 16) : 0x20008000 + rng.int(0x3000);
  b.regs[ESI] = src;
  b.regs[EDI] = dst;
  b.randomize(src - 0x200, 0x400);
  b.randomize(dst - 0x200, 0x400);
  // Equal runs make REPE/REPNE stop at interesting places.
  if (rng.chance(0.5)) {
    const same = rng.bytes(rng.range(1, 64));
    b.poke(src, same);
    b.poke(dst, same);
  }
  if (rng.chance(0.5)) b.eflags |= DF;
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.2)) b.emit([rng.chance(0.5) ? 0xfc : 0xfd]); // CLD / STD
    const count = rng.weighted<number>([[1, 0], [2, 1], [6, rng.range(2, 20)]]);
    b.emit([0xb9, ...le32(count)]); // mov ecx, count
    if (rng.chance(0.3)) b.emit([0xb8, ...le32(rng.interesting())]); // mov eax, imm32
    const op = rng.pick([0xa4, 0xa6, 0xaa, 0xac, 0xae]); // movs cmps stos lods scas
    const w = rng.int(3); // byte, dword, word
    const pre: number[] = [];
    if (w === 2) pre.push(0x66);
    const rep = rng.weighted<number>([[2, 0], [3, 0xf3], [2, 0xf2]]);
    if (rep) pre.push(rep);
    if ((op === 0xa4 || op === 0xa6 || op === 0xac) && rng.chance(0.2)) pre.push(rng.pick([0x26, 0x2e, 0x36, 0x3e]));
    const a16 = rng.chance(0.03);
    if (a16) pre.push(0x67);
    const compares = op === 0xa6 || op === 0xae;
    // With a REP prefix and ECX=0 nothing executes, so the flags keep their state.
    const fx = compares && !(rep && count === 0) ? FX.arith : FX.none;
    b.emit([...shuffled(rng, pre), op | (w === 0 ? 0 : 1)], fx);
    if (a16 && count !== 0) return;
  }
}
