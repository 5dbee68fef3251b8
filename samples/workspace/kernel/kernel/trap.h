// trap.h: interrupt vector numbers and the trap frame.
#pragma once
#ifndef __ASSEMBLER__
#include "types.h"
#endif

// Vectors 0-31 are CPU exceptions, fixed by Intel.
#define T_DIVIDE   0    // divide error
#define T_DEBUG    1
#define T_NMI      2
#define T_BRKPT    3    // int3
#define T_OFLOW    4
#define T_BOUND    5
#define T_ILLOP    6    // invalid opcode
#define T_DEVICE   7
#define T_DBLFLT   8    // double fault
#define T_TSS      10
#define T_SEGNP    11
#define T_STACK    12
#define T_GPFLT    13   // general protection fault
#define T_PGFLT    14   // page fault
#define T_FPERR    16
#define T_ALIGN    17
#define T_MCHK     18
#define T_SIMDERR  19

#define T_IRQ0     32   // the PIC delivers IRQ n as vector T_IRQ0 + n (pic.c)
#define IRQ_TIMER  0
#define IRQ_COM1   4
#define IRQ_IDE    14

#define T_SYSCALL  0x80   // `int $0x80` from ring 3
// Not a real vector (those stop at 255): sysenter.S stamps this into the
// frames it builds so that trap() can tell how a system call came in.
#define T_SYSENTER 0x100

#ifndef __ASSEMBLER__
// What the kernel stack holds when trap() is called.  Read it bottom-up:
// the last five words were pushed by the CPU itself, err by the CPU or by
// the vector stub, trapno by the stub, and the rest by alltraps (trap.S).
struct trapframe {
    // pushed by `pushal`
    uint32_t edi, esi, ebp;
    uint32_t esp_unused;   // pushal pushes ESP too; popal ignores it
    uint32_t ebx, edx, ecx, eax;
    // pushed by alltraps
    uint32_t gs, fs, es, ds;
    // pushed by the vector stub
    uint32_t trapno;
    uint32_t err;          // the CPU's error code, or 0
    // pushed by the CPU
    uint32_t eip;
    uint32_t cs;
    uint32_t eflags;
    // pushed by the CPU only when it switched stacks, i.e. came from ring 3
    uint32_t esp;
    uint32_t ss;
};

static inline int from_user(const struct trapframe *tf) { return (tf->cs & 3) == 3; }
#endif
