import { genAlu } from './alu';
import { genAtomic } from './atomic';
import { genBcd } from './bcd';
import { genBits } from './bits';
import { genControl } from './control';
import { genFaults } from './faults';
import { genMoves } from './moves';
import { genMulDiv } from './muldiv';
import { caseSeed, Rng } from './prng';
import { genShifts } from './shifts';
import { genStack } from './stack';
import { GenCase, StreamBuilder } from './stream';
import { genStrings } from './strings';
import { genX87 } from './x87';

export interface GenClass {
  name: string;
  /** Relative share of the cases. */
  weight: number;
  gen: (b: StreamBuilder) => void;
}

export const CLASSES: readonly GenClass[] = [
  { name: 'alu', weight: 14, gen: genAlu },
  { name: 'shift', weight: 11, gen: genShifts },
  { name: 'muldiv', weight: 8, gen: genMulDiv },
  { name: 'bcd', weight: 4, gen: genBcd },
  { name: 'bits', weight: 7, gen: genBits },
  { name: 'string', weight: 8, gen: genStrings },
  { name: 'atomic', weight: 6, gen: genAtomic },
  { name: 'control', weight: 9, gen: genControl },
  { name: 'stack', weight: 8, gen: genStack },
  { name: 'move', weight: 9, gen: genMoves },
  { name: 'fault', weight: 10, gen: genFaults },
  { name: 'x87', weight: 6, gen: genX87 },
];

const TOTAL = CLASSES.reduce((s, c) => s + c.weight, 0);

/** The class of case `index` of a run: a weighted choice from the case's own seed. */
export function classFor(seed: number): GenClass {
  let r = (seed % TOTAL);
  for (const c of CLASSES) {
    if (r < c.weight) return c;
    r -= c.weight;
  }
  return CLASSES[0];
}

/**
 * Case `index` of the run with seed `runSeed`: reproducible alone from those two numbers (the mismatch report
 * prints them). `only` restricts to one class (for debugging: RINGSIDE_DIFF_CLASS).
 */
export function generateCase(runSeed: number, index: number, only?: GenClass): GenCase {
  const seed = caseSeed(runSeed, index);
  const cls = only ?? classFor(seed);
  // A generator may give up on an unlucky register assignment; the next sub-stream retries deterministically.
  for (let attempt = 0; ; attempt++) {
    const b = new StreamBuilder(new Rng(seed, attempt), cls.name, seed);
    try {
      cls.gen(b);
    } catch (e) {
      if (attempt < 20) continue;
      throw e;
    }
    if (b.length === 0) {
      if (attempt < 20) continue;
      b.emit([0x90]);
    }
    return b.build();
  }
}
