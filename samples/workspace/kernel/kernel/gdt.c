// gdt.c: segments, privilege levels, and the task-state segment.
//
// Paging does the real work of protecting memory here, so every segment
// is "flat": base 0, limit 4 GiB.  Segments still matter for one thing:
// the low two bits of CS *are* the current privilege level (CPL).  Code
// running with CS = 0x08 is in ring 0, with CS = 0x1b in ring 3.  So we
// need a code and a data segment for each of the two rings, plus a TSS
// that tells the CPU which stack to switch to when ring 3 is interrupted.
#include "defs.h"
#include "mmu.h"
#include "x86.h"

static uint64_t gdt[NSEGS];
static struct tss tss;

// Build one 8-byte descriptor.  The layout scatters base and limit across
// the descriptor for historical (80286) reasons.
static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint64_t d = 0;
    d |= limit & 0xFFFF;
    d |= (uint64_t)(base & 0xFFFFFF) << 16;
    d |= (uint64_t)access << 40;
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)(flags & 0xF) << 52;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

// Access byte: present(0x80) | DPL << 5 | code/data(0x10) | type.
#define ACC_CODE(dpl) (0x80 | ((dpl) << 5) | 0x10 | 0xA)   // execute/read
#define ACC_DATA(dpl) (0x80 | ((dpl) << 5) | 0x10 | 0x2)   // read/write
#define ACC_TSS       0x89                                  // present, 32-bit available TSS
// Flags nibble: 4 KiB granularity (limit counts pages) | 32-bit.
#define FLAGS_FLAT    0xC

void gdt_init(void)
{
    gdt[0] = 0;   // the null descriptor: selector 0 means "no segment"
    gdt[SEG_KCODE] = descriptor(0, 0xFFFFF, ACC_CODE(DPL_KERNEL), FLAGS_FLAT);
    gdt[SEG_KDATA] = descriptor(0, 0xFFFFF, ACC_DATA(DPL_KERNEL), FLAGS_FLAT);
    gdt[SEG_UCODE] = descriptor(0, 0xFFFFF, ACC_CODE(DPL_USER), FLAGS_FLAT);
    gdt[SEG_UDATA] = descriptor(0, 0xFFFFF, ACC_DATA(DPL_USER), FLAGS_FLAT);

    tss.ss0 = KDATA_SEL;
    tss.iomap_base = sizeof tss;   // no I/O permission bitmap
    gdt[SEG_TSS] = descriptor((uint32_t)&tss, sizeof tss - 1, ACC_TSS, 0);

    struct pseudo_desc d = { sizeof gdt - 1, (uint32_t)gdt };
    lgdt(&d);

    // lgdt does not touch the segment registers: they still hold the
    // descriptors the boot loader loaded.  Reload every one.  CS can only
    // be changed by a far jump (or call/return/iret).
    __asm__ volatile(
        "movw %0, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        "movw %%ax, %%ss\n\t"
        "ljmp %1, $1f\n"
        "1:"
        : : "i"(KDATA_SEL), "i"(KCODE_SEL) : "eax", "memory");

    ltr(TSS_SEL);
}

// Called on every switch to a process: interrupts from its ring 3 code
// must land on *its* kernel stack.
void tss_set_kernel_stack(uint32_t esp0)
{
    tss.esp0 = esp0;
}
