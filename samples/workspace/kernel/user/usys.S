# usys.S: the user side of system calls.
#
#   int int80_syscall(int num, int a1, int a2, int a3);
#   int sysenter_syscall(int num, int a1, int a2, int a3);
#
# Both load the number into EAX and the arguments into EBX, ESI, EDI (the
# convention in kernel/sysnum.h), enter the kernel, and return EAX.  EBX,
# ESI, EDI and EBP belong to our caller (C calling convention), so save them.

.text
.globl int80_syscall
int80_syscall:
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 16(%esp), %eax   # num (3 saved registers + return address above it)
    movl 20(%esp), %ebx   # a1
    movl 24(%esp), %esi   # a2
    movl 28(%esp), %edi   # a3
    int $0x80             # through IDT gate 0x80 to trap.S; back by iret
    popl %edi
    popl %esi
    popl %ebx
    ret

.globl sysenter_syscall
sysenter_syscall:
    pushl %ebx
    pushl %esi
    pushl %edi
    pushl %ebp
    movl 20(%esp), %eax   # num (4 saved registers + return address above it)
    movl 24(%esp), %ebx
    movl 28(%esp), %esi
    movl 32(%esp), %edi
    # sysenter saves nothing: tell the kernel where to come back to.
    movl %esp, %ecx       # our stack pointer, for sysexit's new ESP
    movl $1f, %edx        # the instruction after sysenter, for sysexit's EIP
    sysenter              # to kernel/sysenter.S ...
1:  popl %ebp             # ... and sysexit lands here
    popl %edi
    popl %esi
    popl %ebx
    ret
