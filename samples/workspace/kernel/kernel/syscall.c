// syscall.c: the system call table.
//
// Both doors into the kernel, `int $0x80` (trap.S) and `sysenter`
// (sysenter.S), leave a struct trapframe on the kernel stack and call
// trap(), which calls syscall() here.  The number is in EAX, the
// arguments in EBX, ESI, EDI (sysnum.h), and the result goes back in the
// saved EAX, which trapret or sysexit_return restores into the register.
#include "defs.h"
#include "proc.h"
#include "sysnum.h"
#include "trap.h"

uint32_t syscall_count_int80, syscall_count_sysenter;

static int sys_exit(uint32_t status, uint32_t unused1, uint32_t unused2)
{
    (void)unused1, (void)unused2;
    proc_exit((int)status);
}

static int sys_write(uint32_t fd, uint32_t buf, uint32_t n)
{
    struct proc *p = curproc();
    if (fd != 1 && fd != 2)
        return -1;
    // Never trust a pointer from ring 3: it might point into the kernel.
    if (!user_range_ok(p->pgdir, buf, n, 0))
        return -1;
    // The process's page directory is loaded, so its pointer works as is.
    const char *s = (const char *)buf;
    for (uint32_t i = 0; i < n; i++)
        serial_putc(s[i]);
    return (int)n;
}

static int sys_getpid(uint32_t a, uint32_t b, uint32_t c)
{
    (void)a, (void)b, (void)c;
    return curproc()->pid;
}

static int sys_yield(uint32_t a, uint32_t b, uint32_t c)
{
    (void)a, (void)b, (void)c;
    sched_yield();
    return 0;
}

static int sys_sleep(uint32_t n, uint32_t b, uint32_t c)
{
    (void)b, (void)c;
    sleep_ticks(n);
    return 0;
}

static int sys_uptime(uint32_t a, uint32_t b, uint32_t c)
{
    (void)a, (void)b, (void)c;
    return (int)ticks;
}

static int (*const syscalls[NSYSCALLS])(uint32_t, uint32_t, uint32_t) = {
    [SYS_exit] = sys_exit,
    [SYS_write] = sys_write,
    [SYS_getpid] = sys_getpid,
    [SYS_yield] = sys_yield,
    [SYS_sleep] = sys_sleep,
    [SYS_uptime] = sys_uptime,
};

void syscall(struct trapframe *tf)
{
    struct proc *p = curproc();
    if (tf->trapno == T_SYSENTER)
        syscall_count_sysenter++;
    else
        syscall_count_int80++;
    p->nsyscalls++;

    uint32_t num = tf->eax;
    if (num < NSYSCALLS && syscalls[num]) {
        tf->eax = (uint32_t)syscalls[num](tf->ebx, tf->esi, tf->edi);
    } else {
        kprintf("pid %d (%s): unknown system call %u\n", p->pid, p->name, num);
        tf->eax = (uint32_t)-1;
    }
}
