# entry.S: multiboot header, stack, and the interrupt stubs.

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003   /* page-align modules; give us memory info */

.section .multiboot, "a"
.balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

.text
.globl _start
_start:
    # Zero .bss (the stack is in it), keeping EAX and EBX for demo_main.
    cld
    movl %eax, %esi
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    movl %esi, %eax
    movl $stack_top, %esp
    xorl %ebp, %ebp
    pushl %ebx                # demo_main(magic, multiboot_info)
    pushl %eax
    call demo_main
1:  cli
    hlt
    jmp 1b

# IRQ 0 (vector 32): count the tick.
.globl timer_stub
timer_stub:
    pushal
    call timer_tick
    popal
    iret

# Vector 13, general protection: in ring 1 that is the monitor's trap.
# The CPU pushed an error code; gp_trap() may change the saved EIP and EFLAGS.
.globl gp_stub
gp_stub:
    pushal
    pushl %esp
    call gp_trap
    addl $4, %esp
    popal
    addl $4, %esp             # drop the error code
    iret

# Any other vector: say which class it was and stop.
.globl other_stub
other_stub:
    pushal
    call unexpected_interrupt
    popal
    iret

.section .bss
.balign 16
    .space 8192
stack_top:
