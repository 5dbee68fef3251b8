import { CLASSES } from './generators';

/**
 * What a differential run covers, from the environment, shared by every differential test so one setting
 * drives them all: RINGSIDE_DIFF_SEED (default "RING"), RINGSIDE_DIFF_CASES (default 100,000),
 * RINGSIDE_DIFF_CLASS (one class only), RINGSIDE_DIFF_REPORTS (mismatches printed in full per class).
 */
export const DEFAULT_SEED = 0x52494e47; // "RING"
export const SEED = Number(process.env.RINGSIDE_DIFF_SEED ?? DEFAULT_SEED) >>> 0;
export const CASES = Number(process.env.RINGSIDE_DIFF_CASES ?? 100_000);
export const ONLY = process.env.RINGSIDE_DIFF_CLASS ? CLASSES.find((c) => c.name === process.env.RINGSIDE_DIFF_CLASS) : undefined;
/** Mismatch reports printed in full (per class), so one bug does not drown the others. */
export const REPORTS_PER_CLASS = Number(process.env.RINGSIDE_DIFF_REPORTS ?? 3);
