// monitor.c: a miniature trap-and-emulate monitor, to see the problem in QEMU.
//
// With "ring1" on the command line, the demo does to itself what a
// virtual machine monitor does to a guest kernel: it runs run_cases()
// deprivileged, in ring 1 with IOPL 0, and emulates the privileged
// instructions that trap.  CLI and STI raise a general-protection fault
// (#GP) there; gp_trap() below emulates them by changing IF in the
// guest's saved EFLAGS, then skips the instruction.  POPF raises nothing:
// the CPU just leaves IF alone, and the monitor never hears of it.
#include "hw.h"

// What the #GP stub in entry.S leaves on the monitor's stack.
struct gp_frame {
    uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;   // pushal
    uint32_t err;                                             // from the CPU
    uint32_t eip, cs, eflags, esp, ss;                        // from the CPU (ring change)
};

static uint8_t monitor_stack[4096] __attribute__((aligned(16)));
static uint8_t guest_stack[8192] __attribute__((aligned(16)));
static uint32_t traps;

static void guest_main(void)
{
    int ok = run_cases();
    // Report how it went in EAX, then HLT: privileged, so it traps and
    // hands control back to the monitor.
    __asm__ volatile("hlt" : : "a"(ok));
    for (;;)
        ;
}

void gp_trap(struct gp_frame *f)
{
    uint8_t opcode = *(const uint8_t *)f->eip;
    traps++;
    switch (opcode) {
    case 0xFA:   // cli
        f->eflags &= ~EFLAGS_IF;
        f->eip += 1;
        return;
    case 0xFB:   // sti
        f->eflags |= EFLAGS_IF;
        f->eip += 1;
        return;
    case 0xF4:   // hlt: the guest is done
        print("monitor: the guest trapped ");
        print_dec(traps);
        print(" times (CLI, STI, HLT), never for POPF\n");
        demo_exit(f->eax);
    default:
        print("monitor: unexpected #GP at ");
        print_hex(f->eip, 8);
        print("\n");
        demo_exit(0);
    }
}

// Drop to ring 1 by "returning" there with IRET: a frame with ring-1
// selectors, the guest's stack, and EFLAGS with IOPL 0 and IF 0.
void run_deprivileged(void)
{
    print("monitor: running the cases deprivileged, in ring 1 with IOPL 0\n");
    tss_set_ring0_stack((uint32_t)(monitor_stack + sizeof monitor_stack));
    __asm__ volatile(
        "movw %0, %%ax\n\t"
        "movw %%ax, %%ds\n\t"        // data segments the guest may use (DPL 1)
        "movw %%ax, %%es\n\t"
        "pushl %0\n\t"                // ss
        "pushl %1\n\t"                // esp
        "pushl $0x00000002\n\t"       // eflags: IF=0, IOPL=0 (bit 1 is always 1)
        "pushl %2\n\t"                // cs
        "pushl %3\n\t"                // eip
        "iret"
        : : "i"(R1DATA_SEL), "r"(guest_stack + sizeof guest_stack), "i"(R1CODE_SEL), "r"(guest_main)
        : "eax", "memory");
    __builtin_unreachable();
}
