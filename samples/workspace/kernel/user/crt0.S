# crt0.S: where every user program starts ("C runtime zero").
#
# The kernel starts a process at the ELF entry point, _start, with ESP
# pointing at one word: main's argument.  That is already the layout the C
# calling convention expects one `call` later, so we just call main and
# hand what it returns to exit().

.text
.globl _start
_start:
    xorl %ebp, %ebp       # zero frame pointer: the bottom of every backtrace
    call main
    pushl %eax
    call exit             # never returns
1:  jmp 1b
