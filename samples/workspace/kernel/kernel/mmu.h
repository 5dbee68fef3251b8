// mmu.h: the data structures the x86 memory-management unit reads.
//
// The CPU walks these by itself: segment descriptors in the GDT, gates in
// the IDT, the task-state segment, page directories and page tables.  Their
// bit layouts are fixed by Intel (SDM volume 3, chapters 3-7).
#pragma once
#ifndef __ASSEMBLER__
#include "types.h"
#endif

// ---- Segment selectors -------------------------------------------------
// A selector is (index << 3) | table-indicator | requested privilege level.
// The order of the first four segments is not free: SYSENTER/SYSEXIT
// derive all of them from the one value in IA32_SYSENTER_CS (see
// sysenter.S), so kernel code, kernel data, user code and user data must
// be consecutive, in that order.
#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS   5
#define NSEGS     6

#define DPL_KERNEL 0
#define DPL_USER   3

#define KCODE_SEL ((SEG_KCODE << 3) | DPL_KERNEL)   // 0x08
#define KDATA_SEL ((SEG_KDATA << 3) | DPL_KERNEL)   // 0x10
#define UCODE_SEL ((SEG_UCODE << 3) | DPL_USER)     // 0x1b
#define UDATA_SEL ((SEG_UDATA << 3) | DPL_USER)     // 0x23
#define TSS_SEL   ((SEG_TSS << 3) | DPL_KERNEL)     // 0x28

// ---- Task-state segment -----------------------------------------------
// We do not use hardware task switching.  The TSS exists for one field:
// when an interrupt arrives in ring 3 the CPU loads SS:ESP from ss0:esp0
// before pushing anything, so each process's kernel stack top goes here.
#ifndef __ASSEMBLER__
struct tss {
    uint32_t link;
    uint32_t esp0;
    uint32_t ss0;
    uint32_t esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs;
    uint32_t ldt;
    uint16_t trap;
    uint16_t iomap_base;   // beyond the limit => no I/O bitmap: ring 3 port I/O faults
} __attribute__((packed));
#endif

// ---- Interrupt descriptor table ---------------------------------------
#ifndef __ASSEMBLER__
struct gate {
    uint16_t off_lo;
    uint16_t sel;       // code segment to run the handler in
    uint8_t zero;
    uint8_t type_attr;  // present | DPL | type
    uint16_t off_hi;
} __attribute__((packed));
#endif

#define GATE_INT32  0x8E   // present, DPL 0, 32-bit interrupt gate (clears IF)
#define GATE_USER   0x60   // OR in: DPL 3, so `int n` from ring 3 is allowed

// ---- Paging -----------------------------------------------------------
// A 32-bit linear address splits 10/10/12:
//   directory index | table index | offset in the 4 KiB page
#define PDX(va)   (((uint32_t)(va) >> 22) & 0x3FF)
#define PTX(va)   (((uint32_t)(va) >> 12) & 0x3FF)
#define PTE_ADDR(e) ((uint32_t)(e) & ~0xFFFu)

#define PTE_P 0x001   // present
#define PTE_W 0x002   // writable
#define PTE_U 0x004   // user may access (otherwise ring 0 only)
#define PTE_A 0x020   // accessed: set by the CPU on any use
#define PTE_D 0x040   // dirty: set by the CPU on a write

#define CR0_PE 0x00000001   // protection enable
#define CR0_WP 0x00010000   // write-protect: ring 0 honours read-only pages too
#define CR0_PG 0x80000000   // paging

// Page-fault error code bits (pushed by the CPU for vector 14)
#define PF_P 0x1   // 1: protection violation, 0: page not present
#define PF_W 0x2   // 1: write, 0: read
#define PF_U 0x4   // 1: happened in ring 3
