// timer.c: what happens 100 times a second.
//
// The PIT (pit.c) raises IRQ 0; the CPU takes vector 32 through trap.S
// into trap(), which calls timer_interrupt().  Put a breakpoint here to
// watch the kernel take the CPU away from a user program: step on past
// sched_yield() and you arrive in another process.
#include "defs.h"
#include "proc.h"
#include "trap.h"

volatile uint32_t ticks;   // timer interrupts since boot

void timer_interrupt(struct trapframe *tf)
{
    ticks++;

    // Acknowledge the interrupt now: the PIC holds back further timer
    // interrupts until it sees the EOI, and we may not return to this
    // code for a while if we switch processes below.
    pic_eoi(IRQ_TIMER);

    // Sleepers (sys_sleep, sleep_ticks) wait on `ticks`: let them check
    // whether their time has come.
    wakeup((void *)&ticks);

    struct proc *p = curproc();
    if (p)
        p->ticks++;

    // Preemption.  If the interrupt arrived while a process was running
    // in ring 3, its time slice (one tick) is over: give the CPU to the
    // next runnable process.  The kernel itself is never preempted: it
    // runs with interrupts disabled, so a tick can only arrive in ring 3
    // or in the scheduler's idle loop (where curproc() is NULL).
    if (p && from_user(tf)) {
        p->preemptions++;
        sched_yield();
    }
}
