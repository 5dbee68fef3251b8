// x86.h: the instructions C cannot express.
//
// Each function wraps exactly one machine instruction.  They are
// "static inline" so that, even at -O0, a debugger user stepping through
// serial.c sees `outb` as a tiny function whose body is one `out`
// instruction: step into it once and you have seen port I/O.
//
// Many of these are *privileged*: in ring 3 they fault, and under a
// trap-and-emulate monitor like Ringside each one is a "monitor exit".
#pragma once
#include "types.h"

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

// `rep insw`: read `count` 16-bit words from one port into memory.
// This is how PIO disks hand over a sector.
static inline void insw(uint16_t port, void *dst, uint32_t count)
{
    __asm__ volatile("cld; rep insw"
                     : "+D"(dst), "+c"(count) : "d"(port) : "memory");
}

static inline void outsw(uint16_t port, const void *src, uint32_t count)
{
    __asm__ volatile("cld; rep outsw"
                     : "+S"(src), "+c"(count) : "d"(port));
}

static inline void cli(void) { __asm__ volatile("cli"); }
static inline void sti(void) { __asm__ volatile("sti"); }
static inline void hlt(void) { __asm__ volatile("hlt"); }
static inline void pause(void) { __asm__ volatile("pause"); }

// Wait for the next interrupt with interrupts enabled.  `sti` takes
// effect only after the *next* instruction, so no interrupt can slip in
// between the two: an interrupt that is already pending wakes the hlt.
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt"); }

static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

#define EFLAGS_IF 0x00000200   // interrupt enable flag

static inline uint32_t rcr0(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    return v;
}

static inline void lcr0(uint32_t v) { __asm__ volatile("movl %0, %%cr0" : : "r"(v)); }

// CR2 holds the linear address that caused the last page fault.
static inline uint32_t rcr2(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr2, %0" : "=r"(v));
    return v;
}

// Loading CR3 switches address spaces (and flushes the TLB).
static inline void lcr3(physaddr_t pgdir)
{
    __asm__ volatile("movl %0, %%cr3" : : "r"(pgdir) : "memory");
}

static inline uint32_t rcr3(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

// lgdt and lidt take a 6-byte operand: a 16-bit limit, then a 32-bit base.
struct __attribute__((packed)) pseudo_desc {
    uint16_t limit;
    uint32_t base;
};

static inline void lgdt(const struct pseudo_desc *d) { __asm__ volatile("lgdt (%0)" : : "r"(d)); }
static inline void lidt(const struct pseudo_desc *d) { __asm__ volatile("lidt (%0)" : : "r"(d)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }
