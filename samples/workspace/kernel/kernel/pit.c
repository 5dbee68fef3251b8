// pit.c: the 8253/8254 programmable interval timer.
//
// Channel 0 of the PIT counts down from a divisor at 1.193182 MHz and
// raises IRQ 0 each time it reaches zero.  A divisor of 11932 gives about
// 100 interrupts per second: the kernel's heartbeat, and what lets it take
// the CPU back from a user program that never gives it up.
#include "defs.h"
#include "x86.h"

#define PIT_CH0  0x40
#define PIT_MODE 0x43
#define PIT_HZ   1193182

void pit_init(uint32_t hz)
{
    uint32_t divisor = (PIT_HZ + hz / 2) / hz;
    outb(PIT_MODE, 0x34);            // channel 0, low byte then high byte, mode 2 (rate generator)
    outb(PIT_CH0, divisor & 0xFF);
    outb(PIT_CH0, divisor >> 8);
    pic_unmask(0);
}
