# trap.S: how every interrupt, exception and `int $0x80` enters the kernel.
#
# When vector n fires, the CPU (having switched to the kernel stack from
# the TSS if it was in ring 3) pushes SS, ESP (ring-3 case only), EFLAGS,
# CS and EIP, for some exceptions an error code, and jumps to the address
# in IDT entry n.  Those entries point at the small stubs below.  Each stub
# makes the stack look the same, whatever the vector: it pushes a 0 where
# the CPU pushed no error code, then the vector number, and jumps to
# alltraps, which saves the rest and calls trap() in trap.c with a
# pointer to the whole `struct trapframe` (trap.h).

#include "mmu.h"

# A vector for which the CPU pushes no error code: push a fake one.
.macro VECTOR_NOERR n
.globl vector\n
vector\n:
    pushl $0
    pushl $\n
    jmp alltraps
.endm

# Vectors 8, 10-14 and 17: the CPU has already pushed an error code.
.macro VECTOR_ERR n
.globl vector\n
vector\n:
    pushl $\n
    jmp alltraps
.endm

.text
VECTOR_NOERR 0
VECTOR_NOERR 1
VECTOR_NOERR 2
VECTOR_NOERR 3
VECTOR_NOERR 4
VECTOR_NOERR 5
VECTOR_NOERR 6
VECTOR_NOERR 7
VECTOR_ERR   8
VECTOR_NOERR 9
VECTOR_ERR   10
VECTOR_ERR   11
VECTOR_ERR   12
VECTOR_ERR   13
VECTOR_ERR   14
VECTOR_NOERR 15
VECTOR_NOERR 16
VECTOR_ERR   17
VECTOR_NOERR 18
VECTOR_NOERR 19
VECTOR_NOERR 20
VECTOR_NOERR 21
VECTOR_NOERR 22
VECTOR_NOERR 23
VECTOR_NOERR 24
VECTOR_NOERR 25
VECTOR_NOERR 26
VECTOR_NOERR 27
VECTOR_NOERR 28
VECTOR_NOERR 29
VECTOR_NOERR 30
VECTOR_NOERR 31
VECTOR_NOERR 32
VECTOR_NOERR 33
VECTOR_NOERR 34
VECTOR_NOERR 35
VECTOR_NOERR 36
VECTOR_NOERR 37
VECTOR_NOERR 38
VECTOR_NOERR 39
VECTOR_NOERR 40
VECTOR_NOERR 41
VECTOR_NOERR 42
VECTOR_NOERR 43
VECTOR_NOERR 44
VECTOR_NOERR 45
VECTOR_NOERR 46
VECTOR_NOERR 47
VECTOR_NOERR 128

.globl alltraps
alltraps:
    # Save the segment registers and all general registers: the
    # interrupted code must find them untouched when we return.
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal

    # The CPU loaded CS (from the gate) and SS (from the TSS) for us, but
    # DS and ES still hold whatever the interrupted code had: in ring 3,
    # the user data segment.  Use the kernel's.
    movw $KDATA_SEL, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs

    pushl %esp            # trap(struct trapframe *tf): tf is where ESP points now
    call trap
    addl $4, %esp

    # Fall through.  A new process also starts here (see proc.c): its
    # kernel stack is prepared so that its first return lands on trapret.
.globl trapret
trapret:
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp         # drop trapno and err
    # iret pops EIP, CS and EFLAGS, and if the new CS is ring 3 also ESP
    # and SS: this one instruction is how the kernel enters user mode.
    iret

# The IDT's contents, read by idt.c: (vector, stub address) pairs.
.section .rodata
.balign 4
.globl trap_vectors
trap_vectors:
    .long 0, vector0
    .long 1, vector1
    .long 2, vector2
    .long 3, vector3
    .long 4, vector4
    .long 5, vector5
    .long 6, vector6
    .long 7, vector7
    .long 8, vector8
    .long 9, vector9
    .long 10, vector10
    .long 11, vector11
    .long 12, vector12
    .long 13, vector13
    .long 14, vector14
    .long 15, vector15
    .long 16, vector16
    .long 17, vector17
    .long 18, vector18
    .long 19, vector19
    .long 20, vector20
    .long 21, vector21
    .long 22, vector22
    .long 23, vector23
    .long 24, vector24
    .long 25, vector25
    .long 26, vector26
    .long 27, vector27
    .long 28, vector28
    .long 29, vector29
    .long 30, vector30
    .long 31, vector31
    .long 32, vector32
    .long 33, vector33
    .long 34, vector34
    .long 35, vector35
    .long 36, vector36
    .long 37, vector37
    .long 38, vector38
    .long 39, vector39
    .long 40, vector40
    .long 41, vector41
    .long 42, vector42
    .long 43, vector43
    .long 44, vector44
    .long 45, vector45
    .long 46, vector46
    .long 47, vector47
    .long 128, vector128
.globl trap_vectors_end
trap_vectors_end:
