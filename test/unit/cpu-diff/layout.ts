/**
 * The oracle's fixed address layout (native-oracle/README.md, "Address layout"), shared by the generators, the
 * client and the comparison. The CPU's flat user-mode harness (src/vmm/cpu/testing/contracts.ts) promises the same.
 */
export const CODE_BASE = 0x10000000;
/** The oracle accepts at most this many code bytes (the exit stub follows them in the 2 code pages). */
export const CODE_MAX = 0x2000 - 32;
export const DATA_BASE = 0x20000000;
export const DATA_SIZE = 0x10000;
export const DATA_END = DATA_BASE + DATA_SIZE;
export const STACK_TOP = DATA_END;
export const PAGE = 0x1000;
/** Input EFLAGS bits the oracle honours (CF PF AF ZF SF DF OF AC); everything else is forced. */
export const EFLAGS_INPUT_MASK = 0x40cd5;

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const NT = 0x4000;
export const RF = 0x10000;
export const AC = 0x40000;
export const ID = 0x200000;
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;

/**
 * Linear ranges where a "wild" address is guaranteed unmapped in the oracle: everything below 4 GiB minus the
 * code and data regions and the harness's own mappings (its binary and heap at 0x08048000..~0x082a0000, its
 * stack/vDSO/TLS from ~0xf7000000 up, or around 0x40000000 under QEMU user mode). Generators draw wild addresses only from these; the test also checks
 * them against the running oracle's `harness_maps`.
 */
export const WILD_RANGES: readonly [number, number][] = [
  [0x00000000, 0x07ffffff],
  [0x0a000000, 0x0fffffff],
  [0x10002000, 0x1fffffff],
  [0x20010000, 0x3effffff],
  // 0x3f000000-0x40ffffff: under QEMU user mode (the fallback oracle) the harness's stack, libraries and heap.
  [0x41000000, 0xefffffff],
];

export function inData(addr: number, len = 1): boolean {
  return addr >= DATA_BASE && addr + len <= DATA_END;
}
