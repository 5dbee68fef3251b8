// selftest.c: the kernel checks itself.
//
// Booted with "test" on the command line, the kernel runs this instead of
// the shell: a fixed sequence of checks, each printing one line
//     TEST <name>: PASS      (or FAIL, or SKIP with a reason)
// and at the end "ALL TESTS PASSED" or "<n> TESTS FAILED", then exits
// QEMU through the isa-debug-exit device (status 1 = passed, 3 = failed;
// see qemu_exit() in main.c).
//
// The output is deterministic: no tick counts, no timings, pids assigned
// in a fixed order, so two correct emulators print the same lines.
#include "defs.h"
#include "elf.h"
#include "proc.h"
#include "x86.h"

// Bits of the systest program's exit status (user/systest.c): which
// group of checks failed.
#define SYSTEST_INT80    1
#define SYSTEST_SYSENTER 2
#define SYSTEST_POINTER  4
#define SYSTEST_SLEEP    8

// Arguments to the fault program (user/fault.c).
#define FAULT_NULL_WRITE  0
#define FAULT_KERNEL_READ 1
#define KERNEL_TEXT_ADDR  0x00100000

static int failures;

static void report(const char *name, int ok)
{
    kprintf("TEST %s: %s\n", name, ok ? "PASS" : "FAIL");
    if (!ok)
        failures++;
}

// The timer ticks, and a sleeping thread is woken by it.  We enable
// interrupts for a bounded busy-wait first, so a dead timer means FAIL
// rather than a kernel asleep forever.
static void test_timer(void)
{
    uint32_t t0 = ticks;
    for (uint32_t i = 0; i < 100000000 && ticks == t0; i++) {
        sti();
        pause();
        cli();
    }
    int ticking = ticks != t0;
    report("timer-interrupt", ticking);
    if (!ticking)
        return;
    t0 = ticks;
    sleep_ticks(10);
    report("timer-sleep", ticks - t0 >= 10);
}

// Run a user program to its end.
static struct exit_info run(const char *prog, uint32_t arg)
{
    struct exit_info info = { -1, -1, 0 };
    struct proc *p = proc_spawn(prog, arg);
    if (!p) {
        kprintf("selftest: cannot start %s\n", prog);
        return info;
    }
    proc_wait(p, &info);
    return info;
}

// System calls from ring 3, both gates, checked by the program itself
// (it exits with a bitmask of failed groups) and by the kernel's counters
// (did each gate really get used?).
static void test_syscalls(void)
{
    uint32_t int80 = syscall_count_int80, sysenter = syscall_count_sysenter;
    struct exit_info r = run("systest", 0);
    int ran = !r.killed && r.status >= 0;
    report("syscall-int80", ran && !(r.status & SYSTEST_INT80) && syscall_count_int80 > int80);
    report("syscall-sysenter",
           ran && !(r.status & SYSTEST_SYSENTER) && syscall_count_sysenter > sysenter);
    report("syscall-bad-pointer", ran && !(r.status & SYSTEST_POINTER));
    report("syscall-sleep", ran && !(r.status & SYSTEST_SLEEP));
}

// A user page fault kills that process, reports the right address, and
// the kernel carries on (as the tests after this one show).
static void test_page_faults(void)
{
    struct exit_info r = run("fault", FAULT_NULL_WRITE);
    report("pagefault-null", r.killed == KILL_FAULT && r.fault_addr == 0);
    r = run("fault", FAULT_KERNEL_READ);
    report("pagefault-kernel-memory", r.killed == KILL_FAULT && r.fault_addr == KERNEL_TEXT_ADDR);
}

// Two CPU-bound processes that never make a system call: only the timer
// can take the CPU from them.  Wait until each has been preempted a few
// times, check that the same program address is backed by different
// physical pages in their two address spaces, then kill them.
static void test_preemption(void)
{
    struct proc *a = proc_spawn("spin", 1);
    struct proc *b = proc_spawn("spin", 1);
    if (!a || !b) {
        report("preemption", 0);
        return;
    }
    uint32_t t0 = ticks;
    while ((a->preemptions < 3 || b->preemptions < 3) && ticks - t0 < 1000)
        sleep_ticks(1);
    report("preemption", a->preemptions >= 3 && b->preemptions >= 3 && a->nrun >= 3 &&
                             b->nrun >= 3);

    const struct program *spin = program_find("spin");
    uint32_t va = ((const struct elf_header *)spin->start)->entry;
    physaddr_t pa_a = user_va_to_pa(a->pgdir, va), pa_b = user_va_to_pa(b->pgdir, va);
    report("address-spaces", pa_a && pa_b && pa_a != pa_b);

    struct exit_info ra, rb;
    proc_kill(a, KILL_SIGNAL);
    proc_kill(b, KILL_SIGNAL);
    proc_wait(a, &ra);
    proc_wait(b, &rb);
    report("kill", ra.killed == KILL_SIGNAL && rb.killed == KILL_SIGNAL);
}

// Read the first sector; write, read back and restore the last one.
static void test_disk(void)
{
    static uint8_t saved[512], pattern[512], back[512];
    if (!ide_present()) {
        kprintf("TEST disk: SKIP (no disk)\n");
        return;
    }
    report("disk-read", ide_read(0, saved) == 0);

    uint32_t lba = ide_sectors() - 1;
    for (int i = 0; i < 512; i++)
        pattern[i] = (uint8_t)(i * 7 + 3);
    int ok = ide_read(lba, saved) == 0 && ide_write(lba, pattern) == 0 &&
             ide_read(lba, back) == 0 && memcmp(back, pattern, 512) == 0;
    ok = ide_write(lba, saved) == 0 && ok;   // always try to restore
    report("disk-write", ok);
}

void selftest_main(void)
{
    kprintf("self-test: start\n");
    test_timer();
    test_syscalls();
    test_page_faults();
    test_preemption();
    test_disk();
    if (failures == 0)
        kprintf("ALL TESTS PASSED\n");
    else
        kprintf("%d TESTS FAILED\n", failures);
    qemu_exit(failures ? 1 : 0);
}
