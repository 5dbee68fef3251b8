// elf.h: just enough of the ELF format to load a statically linked program.
#pragma once
#include "types.h"

#define ELF_MAGIC 0x464C457F   // "\x7fELF" read as a little-endian word

struct elf_header {
    uint32_t magic;
    uint8_t ident[12];
    uint16_t type;
    uint16_t machine;      // 3 = EM_386
    uint32_t version;
    uint32_t entry;        // where execution starts
    uint32_t phoff;        // file offset of the program headers
    uint32_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};

// A program header describes a segment; PT_LOAD ones are to be loaded.
struct elf_phdr {
    uint32_t type;
    uint32_t offset;   // where the bytes are in the file
    uint32_t vaddr;    // where they go in memory
    uint32_t paddr;
    uint32_t filesz;   // bytes to copy from the file
    uint32_t memsz;    // bytes in memory; the rest (memsz - filesz) is zero: .bss
    uint32_t flags;
    uint32_t align;
};

#define PT_LOAD 1
#define PF_X 1   // elf_phdr.flags: executable
#define PF_W 2   //   writable
#define PF_R 4   //   readable
#define EM_386  3
