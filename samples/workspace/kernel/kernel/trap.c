// trap.c: deciding what an interrupt or exception means.
//
// Every vector arrives here, from trap.S, with the interrupted state in
// *tf.  Three kinds of event:
//   - a device interrupt (IRQ): call the device's handler, then return;
//   - a system call: int $0x80 or sysenter, both go to syscall();
//   - an exception (a fault caused by the running code): if ring 3
//     caused it, the process dies and the kernel carries on; if the
//     kernel caused it, that is a kernel bug and we panic.
#include "defs.h"
#include "mmu.h"
#include "proc.h"
#include "trap.h"
#include "x86.h"

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection fault",
    "page fault", "reserved", "x87 FPU error", "alignment check", "machine check",
    "SIMD exception",
};

static const char *exception_name(uint32_t trapno)
{
    if (trapno < 32 && exception_names[trapno])
        return exception_names[trapno];
    return "unknown trap";
}

static void page_fault(struct trapframe *tf)
{
    // The CPU puts the faulting linear address in CR2 and describes the
    // access in the error code.
    uint32_t addr = rcr2();
    const char *why = (tf->err & PF_P) ? "protection violation" : "page not present";
    const char *rw = (tf->err & PF_W) ? "write" : "read";

    if (!from_user(tf))
        panic("page fault in the kernel at %p: %s, %s, eip %p", (void *)addr, rw, why,
              (void *)tf->eip);

    struct proc *p = curproc();
    kprintf("pid %d (%s): page fault at %p: %s, %s, eip %p; killing it\n",
            p->pid, p->name, (void *)addr, rw, why, (void *)tf->eip);
    p->fault_addr = addr;
    p->killed = KILL_FAULT;
}

static void exception(struct trapframe *tf)
{
    if (!from_user(tf))
        panic("%s (trap %u) in the kernel, err %x, eip %p", exception_name(tf->trapno),
              tf->trapno, tf->err, (void *)tf->eip);

    struct proc *p = curproc();
    kprintf("pid %d (%s): %s (trap %u), err %x, eip %p; killing it\n", p->pid, p->name,
            exception_name(tf->trapno), tf->trapno, tf->err, (void *)tf->eip);
    p->killed = KILL_FAULT;
}

void trap(struct trapframe *tf)
{
    switch (tf->trapno) {
    case T_SYSCALL:
    case T_SYSENTER:
        syscall(tf);
        break;
    case T_IRQ0 + IRQ_TIMER:
        timer_interrupt(tf);
        break;
    case T_IRQ0 + IRQ_COM1:
        serial_interrupt();
        pic_eoi(IRQ_COM1);
        break;
    case T_IRQ0 + 7:
    case T_IRQ0 + 15:
        // "Spurious" interrupts: the PIC raised a line that dropped again
        // before the CPU asked which one.  Nothing happened; no EOI owed
        // to the PIC that reported it.
        if (tf->trapno == T_IRQ0 + 15)
            pic_eoi(2);
        break;
    case T_PGFLT:
        page_fault(tf);
        break;
    default:
        if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16) {
            pic_eoi(tf->trapno - T_IRQ0);   // an IRQ we did not enable: ignore it
            break;
        }
        exception(tf);
    }

    // A process marked for death dies here, on its way back to ring 3,
    // never in the middle of a kernel operation.
    struct proc *p = curproc();
    if (p && p->killed && from_user(tf))
        proc_exit(-1);
}
