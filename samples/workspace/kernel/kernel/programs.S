# programs.S: the user programs, carried inside the kernel image.
#
# We have no file system, so the kernel brings its programs along.  Each
# user program is linked by the Makefile into its own ELF file
# (user/NAME.elf, with its own symbols, at its own address); `.incbin`
# pastes those files' bytes into the kernel's read-only data, between a
# start and an end label.  loader.c reads them as ELF, exactly as if they
# came from a disk.

.macro PROGRAM name
.section .rodata
.balign 4
.globl program_\name\()_start
.globl program_\name\()_end
program_\name\()_start:
    .incbin "user/\name\().elf"
program_\name\()_end:
.endm

PROGRAM hello
PROGRAM systest
PROGRAM fault
PROGRAM spin
