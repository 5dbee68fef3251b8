/**
 * The shadow page-table audit is on in every test run (issue 8): every VM and every test vCPU checks all its
 * shadow entries against a fresh guest walk every N events (CR3 writes, INVLPG, traced writes) and stops with
 * a report on a mismatch. Loaded by the suites' .mocharc.json; a run may choose another N through the
 * environment. Debian Linux boots (test/integration) default to a sparser audit so a boot stays minutes long.
 */
const suite = process.argv.some((a) => a.includes('integration')) ? '2000' : '16';
process.env.RINGSIDE_SHADOW_AUDIT ??= suite;
export {};
