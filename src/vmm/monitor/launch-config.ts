/**
 * What one VM is made of, as the monitor sees it: plain data, validated by the front ends (debug adapter, CLI)
 * before it gets here. Paths are absolute.
 */
export interface DiskConfig {
  path: string;
  /** Writes go to the image only when true; otherwise to a copy-on-write overlay that is dropped at exit. */
  writable?: boolean;
  /** IDE position: 0 primary master, 1 primary slave, 2 secondary master, 3 secondary slave. */
  index?: number;
}

export interface ModuleConfig {
  path: string;
  cmdline?: string;
}

export type EngineKind = 'interpret' | 'direct';

export interface VmConfig {
  name: string;
  /** A Multiboot ELF, a Linux bzImage, or absent when booting from a disk. */
  kernel?: string;
  cmdline?: string;
  initrd?: string;
  modules?: ModuleConfig[];
  disks?: DiskConfig[];
  /** A firmware image mapped at the top of 4 GiB and its last 128 KiB at 0xE0000 (`-bios`). */
  bios?: string;
  /**
   * Where QEMU's option ROMs are (linuxboot_dma.bin), for a kernel booted under `bios`: default
   * /usr/share/qemu, from Debian's qemu-system-data (`-L DIR` on the command line).
   */
  firmwareDir?: string;
  memoryMB: number;
  cpus: number;
  engine: EngineKind;
  /** isa-debug-exit device base port, or undefined for none. */
  debugExitPort?: number;
  /**
   * Shadow page-table audit: check every shadow entry against the guest's tables every N events (CR3 writes,
   * INVLPG, traced writes); 0 or absent = off unless RINGSIDE_SHADOW_AUDIT says otherwise (tests set it).
   */
  shadowAudit?: number;
  /** A second debug-console port besides 0xE9 (QEMU's `-device isa-debugcon,iobase=0x402`, SeaBIOS's log). */
  debugconPort?: number;
}

export interface MonitorConfig {
  vms: VmConfig[];
  /** Virtual nanoseconds per retired instruction (the guest's idea of CPU speed). */
  nsPerInstruction?: number;
}
