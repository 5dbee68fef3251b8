// kprintf.c: formatted output to the serial console.
//
// Supports what the kernel uses: %d %u %x %p %s %c %%, an optional '-'
// (left-justify), '0' (zero-pad) and a field width, e.g. "%08x" or "%-8s".
#include "defs.h"
#include "x86.h"

static void put_padded(const char *s, int len, int width, int left, char pad)
{
    if (!left)
        for (int i = len; i < width; i++)
            serial_putc(pad);
    for (int i = 0; i < len; i++)
        serial_putc(s[i]);
    if (left)
        for (int i = len; i < width; i++)
            serial_putc(' ');
}

// Render an unsigned number backwards into buf; return where it starts.
static char *utoa(uint32_t v, unsigned base, char *end)
{
    char *p = end;
    do {
        *--p = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    return p;
}

void kvprintf(const char *fmt, va_list ap)
{
    char buf[16];
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            serial_putc(*fmt);
            continue;
        }
        fmt++;
        int left = 0, width = 0;
        char pad = ' ';
        if (*fmt == '-') { left = 1; fmt++; }
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');

        char *end = buf + sizeof buf, *s;
        switch (*fmt) {
        case 'd': {
            int v = va_arg(ap, int);
            s = utoa(v < 0 ? -(uint32_t)v : (uint32_t)v, 10, end);
            if (v < 0)
                *--s = '-';
            put_padded(s, end - s, width, left, pad);
            break;
        }
        case 'u':
            s = utoa(va_arg(ap, uint32_t), 10, end);
            put_padded(s, end - s, width, left, pad);
            break;
        case 'x':
            s = utoa(va_arg(ap, uint32_t), 16, end);
            put_padded(s, end - s, width, left, pad);
            break;
        case 'p':
            s = utoa((uint32_t)va_arg(ap, void *), 16, end);
            put_padded("0x", 2, 0, 0, ' ');
            put_padded(s, end - s, 8, 0, '0');
            break;
        case 's':
            s = va_arg(ap, char *);
            if (!s)
                s = "(null)";
            put_padded(s, strlen(s), width, left, ' ');
            break;
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            put_padded(buf, 1, width, left, ' ');
            break;
        case '%':
            serial_putc('%');
            break;
        case 0:
            return;
        default:                   // unknown: print it as it was written
            serial_putc('%');
            serial_putc(*fmt);
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

// Something is wrong that the kernel cannot recover from.  Say what, then
// stop: under the self-test, exit QEMU with a failure status so a script
// notices; otherwise halt, leaving the machine as it is for a debugger.
void panic(const char *fmt, ...)
{
    cli();
    va_list ap;
    kprintf("\nPANIC: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    qemu_exit(1);
}
