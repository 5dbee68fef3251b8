// pic.c: the two 8259A programmable interrupt controllers.
//
// A PC routes its 16 device interrupt lines (IRQs) through two chained
// 8259s: IRQ 0-7 to the master, IRQ 8-15 to the slave, which itself
// signals the master on IRQ 2.  At power-on the master delivers IRQ 0-7 as
// vectors 8-15, which collide with CPU exceptions (8 is a double fault!),
// so every protected-mode kernel first *remaps* them: here to vectors
// 32-47 (T_IRQ0 + irq).
#include "defs.h"
#include "trap.h"
#include "x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI   0x20

// Which IRQs are masked (1 = masked).  Start with all off except IRQ 2,
// the cascade, without which no slave interrupt could get through.
static uint16_t irq_mask = 0xFFFF & ~(1 << 2);

static void write_mask(void)
{
    outb(PIC1_DATA, irq_mask & 0xFF);
    outb(PIC2_DATA, irq_mask >> 8);
}

void pic_init(void)
{
    // The initialization sequence: four "initialization command words".
    outb(PIC1_CMD, 0x11);          // ICW1: edge triggered, cascade, ICW4 follows
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, T_IRQ0);       // ICW2: vector offset
    outb(PIC2_DATA, T_IRQ0 + 8);
    outb(PIC1_DATA, 1 << 2);       // ICW3 (master): a slave sits on IRQ 2
    outb(PIC2_DATA, 2);            // ICW3 (slave): you are on the master's IRQ 2
    outb(PIC1_DATA, 0x01);         // ICW4: 8086 mode, explicit end-of-interrupt
    outb(PIC2_DATA, 0x01);
    write_mask();
}

void pic_unmask(int irq)
{
    irq_mask &= ~(1 << irq);
    write_mask();
}

// "End of interrupt": until it gets this, the PIC will not deliver another
// interrupt of the same or lower priority.  A slave IRQ needs both chips told.
void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}
