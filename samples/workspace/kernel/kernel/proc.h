// proc.h: what the kernel knows about each process.
#pragma once
#include "types.h"

struct trapframe;

// The registers swtch() saves when one kernel thread gives the CPU to
// another.  Only the callee-saved ones: the C calling convention already
// lets swtch() clobber EAX, ECX and EDX.  EIP is the return address that
// the `call swtch` pushed.
struct context {
    uint32_t edi, esi, ebx, ebp;
    uint32_t eip;
};

enum proc_state { UNUSED, EMBRYO, RUNNABLE, RUNNING, SLEEPING, ZOMBIE };

// Why a process was killed (proc.killed); 0 = not killed.
enum kill_reason { KILL_NONE, KILL_FAULT, KILL_SIGNAL };

#define NPROC 16
#define KSTACK_SIZE 8192
#define PROC_NAME 16

struct proc {
    int pid;
    enum proc_state state;
    char name[PROC_NAME];
    int is_user;               // 0: a kernel thread (shell, selftest)
    uint32_t *pgdir;           // its page directory (kernel threads share the kernel's)
    uint8_t *kstack;           // bottom of its kernel stack
    struct trapframe *tf;      // the trap frame at the top of that stack
    struct context *context;   // where swtch() left its kernel registers
    void *chan;                // if SLEEPING: what it waits for
    void (*kfn)(void);         // for a kernel thread: its body
    int killed;                // enum kill_reason
    uint32_t fault_addr;       // CR2 of the page fault that killed it
    int exit_status;
    // Accounting, shown by the shell's `ps` and checked by the self-test.
    uint32_t nrun;             // times the scheduler chose it
    uint32_t preemptions;      // times the timer took the CPU from it in ring 3
    uint32_t ticks;            // timer ticks that found it running
    uint32_t nsyscalls;
};
