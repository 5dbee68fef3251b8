// systest.c: every system call, through both gates, checked from ring 3.
// The exit status is a bitmask of the groups that failed (the kernel's
// self-test in kernel/selftest.c reads it); 0 means all passed.
#include "user.h"

#define FAIL_INT80    1
#define FAIL_SYSENTER 2
#define FAIL_POINTER  4
#define FAIL_SLEEP    8

static int failed;

static void check(int ok, int group, const char *what)
{
    if (!ok) {
        printf("systest: FAIL %s (%s)\n", what, gate_name());
        failed |= group;
    }
}

static void exercise(enum gate g, int group)
{
    use_gate(g);
    const char msg[] = "systest: write works\n";
    int pid = getpid();
    check(pid > 0, group, "getpid");
    check(write(1, msg, sizeof msg - 1) == sizeof msg - 1, group, "write");
    check(write(7, msg, 1) == -1, group, "write to a bad fd fails");
    check(yield() == 0, group, "yield");
    check(getpid() == pid, group, "getpid after yield");
    printf("systest: pid %d via %s\n", pid, gate_name());
}

int main(int arg)
{
    (void)arg;
    exercise(GATE_INT80, FAIL_INT80);
    exercise(GATE_SYSENTER, FAIL_SYSENTER);

    // Pointers into the kernel, or to unmapped memory, must be refused
    // (not followed, and not a crash).
    use_gate(GATE_INT80);
    check(write(1, (const void *)0x00100000, 16) == -1, FAIL_POINTER, "write from kernel memory");
    check(write(1, (const void *)0x10, 16) == -1, FAIL_POINTER, "write from page 0");
    use_gate(GATE_SYSENTER);
    check(write(1, (const void *)0x00100000, 16) == -1, FAIL_POINTER, "write from kernel memory");

    // sleep(n) returns no sooner than n ticks later.
    for (int g = GATE_INT80; g <= GATE_SYSENTER; g++) {
        use_gate((enum gate)g);
        int t0 = uptime();
        sleep(3);
        check(uptime() - t0 >= 3, FAIL_SLEEP, "sleep");
    }
    printf("systest: done\n");
    return failed;
}
