// machine.c: segments, interrupts and the timer, just enough for the demo.
//
// The GDT has ring-0 and ring-1 segments and a TSS.  The TSS serves two
// purposes: its ss0:esp0 is the stack the CPU switches to when an
// interrupt or fault arrives in ring 1, and its I/O permission bitmap
// (all zeros = every port allowed) lets ring-1 code use IN/OUT directly,
// so that in our deprivileged mode only CLI, STI, HLT and friends trap.
#include "hw.h"

struct __attribute__((packed)) tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
    uint8_t iomap[8192];   // one bit per port; 0 = allowed
    uint8_t iomap_end;     // the CPU may read one byte past the map: must be 0xFF
};
static struct tss tss;

static uint64_t gdt[6];

static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)flags << 52) |
           ((uint64_t)(base >> 24) << 56);
}

struct __attribute__((packed)) gate {
    uint16_t off_lo, sel;
    uint8_t zero, attr;
    uint16_t off_hi;
};
static struct gate idt[256];

struct __attribute__((packed)) pseudo_desc {
    uint16_t limit;
    uint32_t base;
};

// entry.S
void timer_stub(void);
void gp_stub(void);
void other_stub(void);

volatile uint32_t ticks;

void timer_tick(void)
{
    ticks++;
    outb(0x20, 0x20);   // end of interrupt
}

void unexpected_interrupt(void)
{
    print("unexpected interrupt or exception; stopping\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void set_gate(int v, void (*fn)(void))
{
    idt[v].off_lo = (uint32_t)fn & 0xFFFF;
    idt[v].off_hi = (uint32_t)fn >> 16;
    idt[v].sel = KCODE_SEL;
    idt[v].zero = 0;
    idt[v].attr = 0x8E;   // present, DPL 0, 32-bit interrupt gate
}

void machine_init(void)
{
    gdt[1] = descriptor(0, 0xFFFFF, 0x9A, 0xC);   // ring 0 code
    gdt[2] = descriptor(0, 0xFFFFF, 0x92, 0xC);   // ring 0 data
    gdt[3] = descriptor(0, 0xFFFFF, 0xBA, 0xC);   // ring 1 code (DPL 1)
    gdt[4] = descriptor(0, 0xFFFFF, 0xB2, 0xC);   // ring 1 data (DPL 1)
    tss.ss0 = KDATA_SEL;
    tss.iomap_base = __builtin_offsetof(struct tss, iomap);
    tss.iomap_end = 0xFF;
    gdt[5] = descriptor((uint32_t)&tss, sizeof tss - 1, 0x89, 0);   // TSS

    struct pseudo_desc g = { sizeof gdt - 1, (uint32_t)gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "movw %1, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ljmp %2, $1f\n"
                     "1:\n\t"
                     "movw %3, %%ax\n\t"
                     "ltr %%ax"
                     : : "m"(g), "i"(KDATA_SEL), "i"(KCODE_SEL), "i"(TSS_SEL) : "eax", "memory");

    for (int v = 0; v < 256; v++)
        set_gate(v, other_stub);
    set_gate(13, gp_stub);      // general protection: the monitor's trap
    set_gate(32, timer_stub);   // IRQ 0
    struct pseudo_desc i = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" : : "m"(i));

    outb(0x20, 0x11); outb(0xA0, 0x11);   // PIC: initialize
    outb(0x21, 32);   outb(0xA1, 40);     //   IRQs at vectors 32-47
    outb(0x21, 4);    outb(0xA1, 2);      //   slave on IRQ 2
    outb(0x21, 1);    outb(0xA1, 1);      //   8086 mode
    outb(0x21, 0xFE); outb(0xA1, 0xFF);   //   only IRQ 0 unmasked

    uint16_t div = 1193;                  // PIT channel 0: 1193182 / 1193 = ~1000 Hz
    outb(0x43, 0x34);
    outb(0x40, div & 0xFF);
    outb(0x40, div >> 8);
}

void tss_set_ring0_stack(uint32_t esp0)
{
    tss.esp0 = esp0;
}

// Has IRQ 0 been requested but not delivered?  Bit 0 of the PIC's
// interrupt request register (IRR) says so.
int timer_pending(void)
{
    outb(0x20, 0x0A);   // OCW3: the next read of port 0x20 returns the IRR
    return inb(0x20) & 1;
}
