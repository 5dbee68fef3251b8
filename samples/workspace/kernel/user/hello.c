// hello.c: the first user program.  Put a breakpoint on main and press F5:
// the debugger stops in ring 3 (look at CS: 0x1b, RPL 3).
#include "user.h"

int main(int arg)
{
    (void)arg;
    int pid = getpid();
    printf("hello from ring 3: I am pid %d, calling the kernel through %s\n", pid, gate_name());

    use_gate(GATE_SYSENTER);
    printf("hello again, pid %d, this time through %s\n", getpid(), gate_name());

    int t0 = uptime();
    sleep(50);
    printf("slept %d ticks; goodbye\n", uptime() - t0);
    return 0;
}
