// types.h: the few names every kernel file needs.
//
// A freestanding compiler still provides <stdint.h>, <stddef.h> and
// <stdarg.h>: they contain only typedefs and macros, no library code, so
// a kernel may use them.  Everything else of libc we write ourselves.
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

typedef uint32_t physaddr_t;   // an address the memory bus sees
typedef uint32_t pde_t;        // one entry of a page directory
typedef uint32_t pte_t;        // one entry of a page table

// Round down/up to a multiple of a power of two.
#define ROUNDDOWN(x, a) ((uint32_t)(x) & ~((uint32_t)(a) - 1))
#define ROUNDUP(x, a)   ROUNDDOWN((uint32_t)(x) + (uint32_t)(a) - 1, (a))
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
