// cases.c: two common idioms that depend on POPF changing IF.
//
// This is the code under test: ordinary kernel code, unaware of whether
// it runs with full privilege or deprivileged under a monitor.
#include "hw.h"

// Watch for one timer period: 1 if a timer interrupt was delivered, 0 if
// the timer fired but its interrupt stayed pending (because IF was 0).
// No wall-clock time is involved, so it works at any emulation speed.
static int interrupt_delivered(void)
{
    uint32_t t0 = ticks;
    for (uint32_t i = 0; i < 50000000; i++) {
        if (ticks != t0)
            return 1;
        if (timer_pending()) {
            // The timer fired.  With IF=1 the CPU takes the interrupt
            // within a few instructions: give it a generous moment.
            for (int j = 0; j < 10000; j++)
                if (ticks != t0)
                    return 1;
            return 0;
        }
    }
    return 0;   // the timer never fired at all
}

// Interrupts on, and wait for one to be taken: a clean start.
static void settle(void)
{
    sti();
    uint32_t t0 = ticks;
    for (uint32_t i = 0; i < 50000000 && ticks == t0; i++)
        ;
}

static int report(int want_if, uint32_t flags, int delivered)
{
    int got_if = (flags & EFLAGS_IF) != 0;
    int ok = got_if == want_if && delivered == want_if;
    print(want_if ? "  expected: IF=1, timer interrupt delivered\n"
                  : "  expected: IF=0, timer interrupt held off\n");
    print(got_if ? "  observed: PUSHF says IF=1, " : "  observed: PUSHF says IF=0, ");
    print(delivered ? "timer interrupt delivered\n" : "timer interrupt held off\n");
    print(ok ? "  -> as expected\n" : "  -> NOT as expected\n");
    return ok;
}

int run_cases(void)
{
    uint16_t cs;
    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    print("running with CS=");
    print_hex(cs, 4);
    print(" (CPL ");
    print_dec(cs & 3);
    print("), IOPL ");
    print_dec(EFLAGS_IOPL(pushf()));
    print("\n");

    // Case 1: the classic "save flags, disable, restore".
    print("case 1: pushf (IF=1); cli; ...critical section...; popf -- should turn interrupts back on\n");
    settle();
    uint32_t saved = pushf();
    cli();
    popf(saved);
    int ok1 = report(1, pushf(), interrupt_delivered());

    // Case 2: disabling interrupts by loading flags with IF=0.
    print("case 2: popf (IF=0) -- should turn interrupts off\n");
    settle();
    popf(pushf() & ~EFLAGS_IF);
    int ok2 = report(0, pushf(), interrupt_delivered());
    cli();

    if (ok1 && ok2) {
        print("RESULT: POPF changed IF both times, as the code expected.\n");
    } else {
        print("RESULT: POPF did not change IF, and nothing trapped. With CPL > IOPL the CPU\n");
        print("        silently ignores the IF bit in POPF, so a trap-and-emulate monitor never\n");
        print("        sees it: POPF is sensitive but not privileged, and x86 is not classically\n");
        print("        virtualizable (Popek and Goldberg). Binary translation fixes this by\n");
        print("        rewriting POPF into a call to the monitor.\n");
    }
    return ok1 && ok2;
}
