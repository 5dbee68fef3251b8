// memlayout.h: where everything lives in an address space.
//
//   0x00000000  page 0: never mapped, so a NULL dereference faults
//   0x00001000  low memory (BIOS data, multiboot info from the loader)
//   0x00100000  the kernel image (text, data, bss), loaded here by the
//               multiboot loader; then free physical pages up to RAM's end
//   ...         all of RAM identity-mapped (virtual == physical), but
//               supervisor-only: ring 3 cannot touch it
//   0x40000000  USER_BASE: user programs are linked at or above here
//   0xC0000000  USER_TOP: top of the user stack
//
// Every process has its own page directory, and every page directory
// contains the same kernel mappings (they share the kernel's page tables),
// so the kernel keeps running when CR3 changes under its feet.
#pragma once

#define KERNEL_LOAD   0x00100000   // 1 MiB: where kernel.ld links us
#define KERNEL_MAP_MAX 0x40000000  // identity-map at most 1 GiB of RAM
#define USER_BASE     0x40000000
#define USER_TOP      0xC0000000
#define USTACK_PAGES  4            // 16 KiB user stack

#define PAGE_SIZE     4096
