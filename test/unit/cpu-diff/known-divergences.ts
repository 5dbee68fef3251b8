import { Outcome } from './convert';
import { GenCase } from './generators/stream';

/**
 * Differences between the CPU and the oracle that are accepted, each with the reason from the Intel SDM (or from
 * the oracle's README) why the oracle's answer is not the one an i686 must give. Nothing is masked anywhere else:
 * a divergence either matches an entry here (and is counted as "allowed" in the report) or fails the test.
 */
export interface KnownDivergence {
  id: string;
  reason: string;
  matches(c: GenCase, expected: Outcome, actual: Outcome, diffs: readonly string[]): boolean;
}

export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = [
  // (none yet)
];

export function allowedBy(c: GenCase, e: Outcome, a: Outcome, diffs: readonly string[]): KnownDivergence | undefined {
  return KNOWN_DIVERGENCES.find((k) => k.matches(c, e, a, diffs));
}
