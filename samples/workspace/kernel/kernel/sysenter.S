# sysenter.S: the fast way into the kernel, and back out.
#
# `int $0x80` costs an IDT lookup, privilege checks on a gate, and a
# five-word push by the CPU; `iret` checks and pops them again.  SYSENTER
# (Pentium II and later) is a stripped-down jump into ring 0: it loads
#     CS  = IA32_SYSENTER_CS       (MSR 0x174; SS is that + 8)
#     ESP = IA32_SYSENTER_ESP      (MSR 0x175)
#     EIP = IA32_SYSENTER_EIP      (MSR 0x176)
# clears IF, and saves *nothing*: not the user's EIP, not its ESP.  So by
# our convention (sysnum.h) the user stub passes its ESP in ECX and the
# address to resume at in EDX.  SYSEXIT is the way back: it loads
#     CS = IA32_SYSENTER_CS + 16 (| 3),  SS = IA32_SYSENTER_CS + 24 (| 3),
#     EIP = EDX, ESP = ECX
# which is why gdt.c orders the segments kernel code, kernel data, user
# code, user data.
#
# To reuse everything else (trap(), syscall(), the scheduler, a debugger's
# view of a trap frame) we build on the kernel stack exactly the frame an
# `int $0x80` would have left there, except for the trap number.

#include "mmu.h"
#include "trap.h"

#define EFLAGS_IF 0x200

.text
.globl sysenter_entry
sysenter_entry:
    # Now: ring 0, ESP = top of this process's kernel stack (proc.c
    # updates MSR 0x175 on every switch), interrupts off.
    pushl $UDATA_SEL         # ss        } what the CPU would have
    pushl %ecx               # esp       } pushed for `int $0x80`
    pushfl                   # eflags: the user's flags, except that
    orl $EFLAGS_IF, (%esp)   #   sysenter cleared IF; the user had it set
    pushl $UCODE_SEL         # cs
    pushl %edx               # eip
    pushl $0                 # err
    pushl $T_SYSENTER        # trapno: tells syscall() how we came in

    # From here on, the same as alltraps in trap.S.
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal
    movw $KDATA_SEL, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    pushl %esp
    call trap
    addl $4, %esp

.globl sysexit_return
sysexit_return:
    popal                    # EAX now holds the system call's result
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp            # drop trapno and err
    movl 0(%esp), %edx       # user EIP: sysexit jumps to EDX
    movl 12(%esp), %ecx      # user ESP: sysexit loads ESP from ECX
    addl $8, %esp            # skip eip and cs; ESP -> saved eflags
    andl $~EFLAGS_IF, (%esp) # restore the user's flags, but keep IF off
    popfl                    #   while we are still in ring 0...
    sti                      # ...and turn it on now: STI takes effect after
    sysexit                  # the next instruction, so the first instruction
                             # with interrupts on is the user's.
