/**
 * Ringside's hypercall ABI: the numbers a paravirtual guest and the monitor agree on. Shared by the monitor
 * (monitor/hypercalls/), the paravirtual devices (pv-console.ts, pv-block.ts), the CPUID leaf that advertises them and the tests; the guest side
 * is samples/workspace/kernel/kernel/ringside.h, which must say the same (src/vmm/monitor/hypercalls/README.md is the spec).
 */

/** CPUID leaf 0x40000001 EAX: the interface version. Bumped when a call changes meaning. */
export const HC_VERSION = 1;

/** Hypercall numbers (EAX at VMCALL). */
export const enum Hc {
  Version = 0,
  Features = 1,
  ConsoleWrite = 2,
  PtUpdate = 3,
  BlockIo = 4,
  Yield = 5,
}

/** Names of the hypercalls, index = number, for stop descriptions and statistics. */
export const HC_NAMES = ['version', 'features', 'console write', 'page-table update', 'block I/O', 'yield'];

/** Feature bits (CPUID 0x40000001 EDX, and the Features hypercall's result). */
export const enum HcFeature {
  Console = 1 << 0,
  PtUpdate = 1 << 1,
  BlockIo = 1 << 2,
  Yield = 1 << 3,
  PvConsolePort = 1 << 4,
  PvBlockPort = 1 << 5,
}

export const HC_ALL_FEATURES =
  HcFeature.Console | HcFeature.PtUpdate | HcFeature.BlockIo | HcFeature.Yield | HcFeature.PvConsolePort | HcFeature.PvBlockPort;

/** Results are 0 or positive on success, a negative Linux errno on failure. */
export const enum Errno {
  EPERM = 1,
  EIO = 5,
  E2BIG = 7,
  EFAULT = 14,
  ENODEV = 19,
  EINVAL = 22,
  EROFS = 30,
  ENOSYS = 38,
}

/** BlockIo EBX bit 31: write (clear: read). The low byte is the disk (0-3, the IDE positions). */
export const BLOCK_WRITE = 0x80000000;

/** Limits, so one request cannot make the monitor allocate without bound. */
export const MAX_CONSOLE_BYTES = 64 * 1024;
export const MAX_PT_UPDATES = 4096;
export const MAX_BLOCK_SECTORS = 256;

/** The paravirtual devices' ports (a 32-bit OUT of a descriptor's guest-physical address). */
export const PV_CONSOLE_PORT = 0x0a80;
export const PV_BLOCK_PORT = 0x0a84;
/** ISA line the paravirtual block device raises on completion when the request asks for it. */
export const PV_BLOCK_IRQ = 11;
