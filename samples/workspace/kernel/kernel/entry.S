# entry.S: the first instructions of the kernel.
#
# The multiboot loader has put us in 32-bit protected mode with flat
# segments and paging off, but it promises nothing about the stack (ESP
# is undefined) or about the GDT (it may have been freed).  C code needs a
# stack before anything else, so that is all we do here; the GDT is
# replaced in gdt.c.

#include "multiboot.h"

# ---- The multiboot header ----------------------------------------------
# The loader scans the first 8 KiB of the file for it, on a 4-byte
# boundary.  kernel.ld puts section .multiboot first in .text, and .text
# starts at file offset 0x1000, well inside the window.
#define MB_FLAGS 0x00000003     /* bit 0: page-align modules; bit 1: give us memory info */

.section .multiboot, "a"
.balign 4
multiboot_header:
    .long MULTIBOOT_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)   # checksum: the three sum to 0

.text
.globl _start
_start:
    # Clear the .bss (our stack is in it), taking care to keep EAX (the
    # loader's magic) and EBX (the multiboot_info pointer) intact.
    # A correct loader already zeroes .bss; doing it again is cheap
    # insurance against one that does not.
    cld
    movl %eax, %esi
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    movl $boot_stack_top, %esp
    xorl %ebp, %ebp             # a zero frame pointer ends a debugger's backtrace here

    pushl %ebx                  # kmain(magic, mbi): cdecl pushes arguments right to left
    pushl %esi
    call kmain

    # kmain never returns; if it does, stop here rather than run off into data.
halt_forever:
    cli
    hlt
    jmp halt_forever

# The boot stack.  After boot it belongs to the scheduler loop (proc.c);
# every process gets its own kernel stack.
.section .bss
.balign 16
boot_stack:
    .space 16384
boot_stack_top:
