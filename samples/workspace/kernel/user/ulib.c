// ulib.c: system call wrappers and a small printf, for user programs.
#include <stdarg.h>
#include "user.h"

static enum gate gate = GATE_INT80;

void use_gate(enum gate g) { gate = g; }
const char *gate_name(void) { return gate == GATE_SYSENTER ? "sysenter" : "int $0x80"; }

static int syscall(int num, int a1, int a2, int a3)
{
    if (gate == GATE_SYSENTER)
        return sysenter_syscall(num, a1, a2, a3);
    return int80_syscall(num, a1, a2, a3);
}

void exit(int status)
{
    syscall(SYS_exit, status, 0, 0);
    for (;;)   // not reached: the kernel never returns from exit
        ;
}

int write(int fd, const void *buf, int n) { return syscall(SYS_write, fd, (int)buf, n); }
int getpid(void) { return syscall(SYS_getpid, 0, 0, 0); }
int yield(void) { return syscall(SYS_yield, 0, 0, 0); }
int sleep(int ticks) { return syscall(SYS_sleep, ticks, 0, 0); }
int uptime(void) { return syscall(SYS_uptime, 0, 0, 0); }

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

// printf: %d %u %x %s %c.  The line is built in a buffer and written with
// a single system call, so that output from two processes never mixes
// within a line.
void printf(const char *fmt, ...)
{
    char out[128];
    int n = 0;
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt && n < (int)sizeof out - 12; fmt++) {
        if (*fmt != '%') {
            out[n++] = *fmt;
            continue;
        }
        fmt++;
        char digits[12];
        int nd = 0;
        unsigned v;
        switch (*fmt) {
        case 'd': {
            int d = va_arg(ap, int);
            if (d < 0)
                out[n++] = '-';
            v = d < 0 ? -(unsigned)d : (unsigned)d;
            do digits[nd++] = (char)('0' + v % 10); while (v /= 10);
            break;
        }
        case 'u':
            v = va_arg(ap, unsigned);
            do digits[nd++] = (char)('0' + v % 10); while (v /= 10);
            break;
        case 'x':
            v = va_arg(ap, unsigned);
            do digits[nd++] = "0123456789abcdef"[v % 16]; while (v /= 16);
            break;
        case 's':
            for (const char *s = va_arg(ap, const char *); *s && n < (int)sizeof out - 1; s++)
                out[n++] = *s;
            break;
        case 'c':
            out[n++] = (char)va_arg(ap, int);
            break;
        default:
            out[n++] = *fmt;
        }
        while (nd > 0)
            out[n++] = digits[--nd];
    }
    va_end(ap);
    write(1, out, n);
}
