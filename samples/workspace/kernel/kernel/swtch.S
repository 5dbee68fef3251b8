# swtch.S: switch from one kernel thread to another.
#
#   void swtch(struct context **save, struct context *load);
#
# Every process has its own kernel stack.  To switch, push the registers
# the C calling convention says a function must preserve, remember the
# stack pointer in *save, load ESP from `load`, pop the other thread's
# registers and `ret`: we return into whatever that thread was doing when
# *it* called swtch().  The instruction pointer needs no special handling:
# it is the return address on each stack.  (struct context in proc.h is
# the layout of what we push.)
.globl swtch
swtch:
    movl 4(%esp), %eax    # save
    movl 8(%esp), %edx    # load

    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi

    movl %esp, (%eax)     # *save = our stack pointer
    movl %edx, %esp       # now on the other thread's stack

    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
