// string.c: the handful of libc routines the kernel uses.
//
// -ffreestanding tells GCC not to assume a C library, but GCC may still
// emit calls to memset and memcpy on its own (to clear a large local
// struct, say), so these four must exist under exactly these names.
#include "defs.h"

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n-- > 0)
        *d++ = (uint8_t)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n > 0; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; n--, a++, b++) {
        if (*a != *b)
            return (uint8_t)*a - (uint8_t)*b;
        if (*a == 0)
            return 0;
    }
    return 0;
}

// Like strncpy, but always NUL-terminates (and does not pad).
char *strncpy_z(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return dst;
    for (; i + 1 < n && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
    return dst;
}
