// loader.c: the table of built-in programs, and the ELF loader.
#include "defs.h"
#include "elf.h"
#include "memlayout.h"

// Labels around each .incbin in programs.S.
#define EMBEDDED(name) extern const uint8_t program_##name##_start[], program_##name##_end[]
EMBEDDED(hello);
EMBEDDED(systest);
EMBEDDED(fault);
EMBEDDED(spin);

const struct program programs[] = {
    { "hello", program_hello_start, program_hello_end,
      "greets you through int $0x80 and through sysenter" },
    { "systest", program_systest_start, program_systest_end,
      "checks every system call through both gates (used by the self-test)" },
    { "fault", program_fault_start, program_fault_end,
      "writes through a NULL pointer and dies of a page fault" },
    { "spin", program_spin_start, program_spin_end,
      "burns CPU; run two to watch the timer preempt them" },
};
const int nprograms = ARRAY_SIZE(programs);

const struct program *program_find(const char *name)
{
    for (int i = 0; i < nprograms; i++)
        if (strcmp(programs[i].name, name) == 0)
            return &programs[i];
    return NULL;
}

// Load an ELF executable into the address space `pgdir`: for each PT_LOAD
// segment, map fresh pages (writable only if the segment is) and copy its
// bytes; what is left of memsz stays zero (kalloc zeroes pages).  The copy
// goes through the kernel's identity map, so read-only pages can be filled.
// Returns 0 and the entry point, or -1.
int elf_load(uint32_t *pgdir, const uint8_t *elf, uint32_t size, uint32_t *entry)
{
    const struct elf_header *eh = (const struct elf_header *)elf;
    if (size < sizeof *eh || eh->magic != ELF_MAGIC || eh->machine != EM_386)
        return -1;
    if (eh->phoff + (uint32_t)eh->phnum * sizeof(struct elf_phdr) > size)
        return -1;

    const struct elf_phdr *ph = (const struct elf_phdr *)(elf + eh->phoff);
    for (int i = 0; i < eh->phnum; i++, ph++) {
        if (ph->type != PT_LOAD)
            continue;
        // Refuse segments outside user space: a program must not be able
        // to overwrite the kernel by being linked at a kernel address.
        if (ph->vaddr < USER_BASE || ph->vaddr >= USER_TOP || ph->memsz > USER_TOP - ph->vaddr)
            return -1;
        if (ph->filesz > ph->memsz || ph->offset + ph->filesz > size)
            return -1;
        if (map_user_pages(pgdir, ph->vaddr, ph->memsz, (ph->flags & PF_W) != 0) < 0)
            return -1;
        if (copy_to_user(pgdir, ph->vaddr, elf + ph->offset, ph->filesz) < 0)
            return -1;
    }
    *entry = eh->entry;
    return 0;
}
