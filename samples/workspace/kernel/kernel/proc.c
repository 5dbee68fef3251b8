// proc.c: processes and the scheduler.
//
// A process is a kernel stack, a saved context on it, an address space
// (page directory) and a state.  User processes spend their lives in ring
// 3 and come into the kernel through trap.S; kernel threads (the shell,
// the self-test) run only in ring 0 and use the kernel's page directory.
//
// The scheduler is a loop on the boot stack that picks the next runnable
// process round-robin and swtch()es to it; the process runs until it
// gives the CPU back by calling sched() (via sched_yield, sleep_on or
// proc_exit), which swtch()es back to the loop.  The timer makes ring-3
// code call sched_yield() involuntarily (timer.c): that is preemption.
//
// Interrupts are off whenever the kernel runs, except in the scheduler's
// idle `sti; hlt`, so there is no locking: nothing can interrupt kernel
// code.  (One CPU only.)
#include "defs.h"
#include "memlayout.h"
#include "mmu.h"
#include "proc.h"
#include "trap.h"
#include "x86.h"

static struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
static struct proc *current;             // the process running, or NULL in the scheduler
static struct context *scheduler_context; // where the scheduler loop is parked
static int next_pid = 1;

void swtch(struct context **save, struct context *load);
void trapret(void);

struct proc *curproc(void)
{
    return current;
}

void proc_init(void)
{
    for (int i = 0; i < NPROC; i++)
        procs[i].kstack = kstacks[i];
}

// Claim a free slot and lay out its kernel stack so that the first
// swtch() to it "returns" into `entry`.  The stack, from the top down:
//
//   [ struct trapframe ]   only used by user processes: what trapret pops
//   [ return address   ]   where `entry` returns to (trapret for user processes)
//   [ struct context   ]   popped by swtch(); context.eip = entry
static struct proc *proc_alloc(const char *name, void (*entry)(void), void (*ret)(void))
{
    struct proc *p = NULL;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == UNUSED) {
            p = &procs[i];
            break;
        }
    if (!p)
        return NULL;

    uint8_t *kstack = p->kstack;
    memset(p, 0, sizeof *p);
    p->kstack = kstack;
    p->state = EMBRYO;
    p->pid = next_pid++;
    strncpy_z(p->name, name, PROC_NAME);
    p->pgdir = kernel_pgdir;

    uint8_t *sp = p->kstack + KSTACK_SIZE;
    sp -= sizeof(struct trapframe);
    p->tf = (struct trapframe *)sp;
    memset(p->tf, 0, sizeof *p->tf);
    sp -= 4;
    *(uint32_t *)sp = (uint32_t)ret;
    sp -= sizeof(struct context);
    p->context = (struct context *)sp;
    memset(p->context, 0, sizeof *p->context);
    p->context->eip = (uint32_t)entry;
    return p;
}

// A new user process's first instructions in the kernel: swtch() "returns"
// here, and we return into trapret, which pops the trap frame that
// proc_spawn() prepared and irets into ring 3.  Nothing to do in between;
// the function exists to be a readable breakpoint on the way.
static void first_return_to_user(void)
{
}

// Create a user process running program `prog` (see loader.c), with `arg`
// as the argument to its main().
struct proc *proc_spawn(const char *prog, uint32_t arg)
{
    const struct program *program = program_find(prog);
    if (!program)
        return NULL;
    struct proc *p = proc_alloc(prog, first_return_to_user, trapret);
    if (!p)
        return NULL;
    p->is_user = 1;

    uint32_t entry;
    p->pgdir = pgdir_create();
    if (!p->pgdir || elf_load(p->pgdir, program->start, (uint32_t)(program->end - program->start), &entry) < 0)
        goto fail;

    // The user stack: USTACK_PAGES pages just below USER_TOP.  main(arg)
    // finds its argument at 4(%esp) after crt0's call, as the C calling
    // convention wants: so the stack starts with [arg] at the top.
    uint32_t stack_size = USTACK_PAGES * PAGE_SIZE;
    if (map_user_pages(p->pgdir, USER_TOP - stack_size, stack_size, 1) < 0)
        goto fail;
    uint32_t esp = USER_TOP - 16;
    if (copy_to_user(p->pgdir, esp, &arg, sizeof arg) < 0)
        goto fail;

    // The trap frame that trapret will "return" through: ring-3 segments
    // (RPL 3 in every selector), interrupts enabled, start at the ELF entry.
    struct trapframe *tf = p->tf;
    tf->cs = UCODE_SEL;
    tf->ds = tf->es = tf->fs = tf->gs = tf->ss = UDATA_SEL;
    tf->eflags = EFLAGS_IF;
    tf->esp = esp;
    tf->eip = entry;

    p->state = RUNNABLE;
    return p;

fail:
    if (p->pgdir && p->pgdir != kernel_pgdir)
        pgdir_free(p->pgdir);
    p->state = UNUSED;
    return NULL;
}

// Kernel threads start here, on their own stack, with interrupts off.
static void kthread_start(void)
{
    current->kfn();
    proc_exit(0);
}

struct proc *kthread_spawn(const char *name, void (*fn)(void))
{
    struct proc *p = proc_alloc(name, kthread_start, NULL);
    if (!p)
        return NULL;
    p->kfn = fn;
    p->state = RUNNABLE;
    return p;
}

// ---- The scheduler -------------------------------------------------------

// Prepare the CPU to run p: its address space, and its kernel stack as the
// landing place for both interrupts (TSS.esp0) and sysenter (an MSR).
static void switch_to(struct proc *p)
{
    uint32_t kstack_top = (uint32_t)(p->kstack + KSTACK_SIZE);
    tss_set_kernel_stack(kstack_top);
    sysenter_set_stack(kstack_top);
    lcr3((physaddr_t)p->pgdir);
}

void scheduler(void)
{
    int last = NPROC - 1;
    for (;;) {
        // Round robin: look at the slots after the one that ran last.
        struct proc *p = NULL;
        for (int k = 1; k <= NPROC; k++) {
            int i = (last + k) % NPROC;
            if (procs[i].state == RUNNABLE) {
                p = &procs[i];
                last = i;
                break;
            }
        }
        if (!p) {
            // Nothing to do: wait for an interrupt (a tick, a keystroke)
            // to make something runnable.  The one place the kernel has
            // interrupts on.
            sti_hlt();
            cli();
            continue;
        }
        p->state = RUNNING;
        p->nrun++;
        current = p;
        switch_to(p);
        swtch(&scheduler_context, p->context);
        // p gave the CPU back.
        current = NULL;
        switch_to_kernel_pgdir();
    }
}

// Give the CPU back to the scheduler loop.  The caller has already set
// current->state to say why.
static void sched(void)
{
    if (current->state == RUNNING)
        panic("sched: %s is still RUNNING", current->name);
    swtch(&current->context, scheduler_context);
}

void sched_yield(void)
{
    current->state = RUNNABLE;
    sched();
}

// Sleep until someone calls wakeup(chan).  A channel is just an address
// that sleeper and waker agree on.  Callers re-check their condition in a
// loop: a wakeup means "look again", not "it happened".
void sleep_on(void *chan)
{
    current->chan = chan;
    current->state = SLEEPING;
    sched();
    current->chan = NULL;
}

void wakeup(void *chan)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == SLEEPING && procs[i].chan == chan)
            procs[i].state = RUNNABLE;
}

// Sleep for n timer ticks.  Returns early if the process is killed.
void sleep_ticks(uint32_t n)
{
    uint32_t start = ticks;
    while (ticks - start < n && !current->killed)
        sleep_on((void *)&ticks);
}

// ---- Death ---------------------------------------------------------------

// The current process ends.  It cannot free its own kernel stack (it is
// running on it), so it becomes a ZOMBIE and whoever waits for it in
// proc_wait() cleans up.
void proc_exit(int status)
{
    current->exit_status = status;
    current->state = ZOMBIE;
    wakeup(current);
    sched();
    panic("zombie %d ran", current->pid);
}

// Wait for p to exit; free it; return its exit status, and if `info` is
// not NULL, how it ended.
int proc_wait(struct proc *p, struct exit_info *info)
{
    while (p->state != ZOMBIE)
        sleep_on(p);
    int status = p->exit_status;
    if (info) {
        info->status = status;
        info->killed = p->killed;
        info->fault_addr = p->fault_addr;
    }
    if (p->is_user)
        pgdir_free(p->pgdir);
    p->state = UNUSED;
    return status;
}

// Mark p to die.  It dies when it next heads back to ring 3 (see the end
// of trap()); a sleeper is woken so that it gets there.
void proc_kill(struct proc *p, int reason)
{
    p->killed = reason;
    if (p->state == SLEEPING)
        p->state = RUNNABLE;
}

// Ctrl-C: kill every user process.
void proc_kill_user(void)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].is_user && procs[i].state != UNUSED && procs[i].state != ZOMBIE)
            proc_kill(&procs[i], KILL_SIGNAL);
}

void proc_dump(void)
{
    static const char *const names[] = {
        [UNUSED] = "unused", [EMBRYO] = "embryo", [RUNNABLE] = "runnable",
        [RUNNING] = "running", [SLEEPING] = "sleeping", [ZOMBIE] = "zombie",
    };
    kprintf("PID  STATE     RING  TICKS  RUNS  PREEMPT  SYSCALLS  NAME\n");
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state == UNUSED)
            continue;
        kprintf("%-4d %-9s %-5d %-6u %-5u %-8u %-9u %s\n", p->pid, names[p->state],
                p->is_user ? 3 : 0, p->ticks, p->nrun, p->preemptions, p->nsyscalls, p->name);
    }
}
