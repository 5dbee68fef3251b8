// console.c: output on COM1, polled.  (Port I/O is allowed in ring 1 too:
// machine.c grants every port in the TSS's I/O permission bitmap.)
#include "hw.h"

#define COM1 0x3F8

void console_init(void)
{
    outb(COM1 + 1, 0x00);   // no UART interrupts
    outb(COM1 + 3, 0x80);   // baud divisor follows
    outb(COM1 + 0, 1);      // 115200 baud
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);   // 8 bits, no parity, 1 stop bit
    outb(COM1 + 2, 0xC7);   // FIFOs on
}

static void putc(char c)
{
    if (c == '\n')
        putc('\r');
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

void print(const char *s)
{
    while (*s)
        putc(*s++);
}

void print_hex(uint32_t v, int digits)
{
    print("0x");
    for (int i = digits - 1; i >= 0; i--)
        putc("0123456789abcdef"[(v >> (4 * i)) & 0xF]);
}

void print_dec(uint32_t v)
{
    char buf[11];
    int n = 0;
    do buf[n++] = (char)('0' + v % 10); while (v /= 10);
    while (n > 0)
        putc(buf[--n]);
}
