// multiboot.h: the contract between a boot loader and this kernel.
//
// Multiboot 1 (the GRUB legacy specification): the loader finds our
// header in the first 8 KiB of kernel.elf, loads the ELF segments at their
// physical addresses, and jumps to the ELF entry point in 32-bit protected
// mode with paging off, EAX = MULTIBOOT_BOOTLOADER_MAGIC and EBX = the
// physical address of a struct multiboot_info.  QEMU's -kernel and
// Ringside's loader both speak it.
#pragma once
#ifndef __ASSEMBLER__
#include "types.h"
#endif

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002   // in our header (entry.S)
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002   // in EAX when we start

// Bits of multiboot_info.flags: which fields the loader filled in.
#define MBI_MEMORY  (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)

#ifndef __ASSEMBLER__
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;     // KiB of memory below 1 MiB
    uint32_t mem_upper;     // KiB of memory above 1 MiB (up to the first hole)
    uint32_t boot_device;
    uint32_t cmdline;       // physical address of a NUL-terminated string
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
    // ... more fields we do not use
} __attribute__((packed));
#endif
