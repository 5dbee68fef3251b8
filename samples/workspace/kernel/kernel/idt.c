// idt.c: the interrupt descriptor table.
//
// 256 gates, one per vector.  Each says which code segment and address
// to run when that vector fires, and who may raise it with `int n`.
#include "defs.h"
#include "mmu.h"
#include "trap.h"
#include "x86.h"

static struct gate idt[256];

// From trap.S: pairs of (vector number, address of its stub).
struct vector_entry { uint32_t vector; void (*stub)(void); };
extern const struct vector_entry trap_vectors[], trap_vectors_end[];

static void set_gate(int vec, void (*stub)(void), uint8_t type_attr)
{
    uint32_t addr = (uint32_t)stub;
    idt[vec].off_lo = addr & 0xFFFF;
    idt[vec].off_hi = addr >> 16;
    idt[vec].sel = KCODE_SEL;
    idt[vec].zero = 0;
    idt[vec].type_attr = type_attr;
}

void idt_init(void)
{
    for (const struct vector_entry *v = trap_vectors; v < trap_vectors_end; v++) {
        // All gates are *interrupt* gates: the CPU clears IF on entry, so
        // the kernel runs with interrupts off (see the design note in
        // README.md).  Only vector 0x80 gets DPL 3: ring 3 may `int $0x80`
        // but an `int $14` from user code must fault instead of faking a
        // page fault.
        uint8_t attr = GATE_INT32;
        if (v->vector == T_SYSCALL)
            attr |= GATE_USER;
        set_gate(v->vector, v->stub, attr);
    }
    struct pseudo_desc d = { sizeof idt - 1, (uint32_t)idt };
    lidt(&d);
}
