// main.c: from the boot loader to the first process.
//
// entry.S gave us a stack and called kmain() with what the multiboot
// loader left in EAX and EBX.  We set up the machine in an order where
// each step only needs the ones before it, start one kernel thread (the
// shell, or the self-test if the command line says "test"), and become
// the scheduler.
#include "defs.h"
#include "memlayout.h"
#include "multiboot.h"
#include "proc.h"
#include "x86.h"

char cmdline[256];
extern char end[];   // first address after the kernel's .bss (kernel.ld)

// Is `word` one of the space-separated words of the command line?
static int cmdline_has(const char *word)
{
    size_t n = strlen(word);
    for (const char *s = cmdline; *s;) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if ((size_t)(s - w) == n && strncmp(w, word, n) == 0)
            return 1;
    }
    return 0;
}

void kmain(uint32_t magic, struct multiboot_info *mbi)
{
    // The loader put the command line somewhere in memory we are about to
    // hand out as free pages (QEMU puts it right after the kernel), so
    // copy it and read the memory size before anything else.
    int multiboot_ok = magic == MULTIBOOT_BOOTLOADER_MAGIC;
    physaddr_t ram_end = 0;
    if (multiboot_ok && (mbi->flags & MBI_CMDLINE))
        strncpy_z(cmdline, (const char *)mbi->cmdline, sizeof cmdline);
    if (multiboot_ok && (mbi->flags & MBI_MEMORY))
        ram_end = 0x100000 + mbi->mem_upper * 1024;

    gdt_init();      // our own segments, and the TSS
    idt_init();      // where interrupts and exceptions go
    pic_init();      // device interrupts to vectors 32-47, all masked for now
    serial_init();   // from here on kprintf works

    kprintf("\nRingside teaching kernel\n");
    if (!multiboot_ok)
        panic("not started by a multiboot loader (EAX = %x)", magic);
    if (!ram_end)
        panic("the boot loader did not say how much memory there is");

    // All memory after the kernel image is free: hand it to the allocator,
    // then build the kernel's page tables out of it and turn paging on.
    physaddr_t free_start = ROUNDUP((uint32_t)end, PAGE_SIZE);
    physaddr_t free_end = ram_end < KERNEL_MAP_MAX ? ram_end : KERNEL_MAP_MAX;
    kalloc_init(free_start, free_end);
    paging_init(free_end);
    kprintf("memory: %u MiB; kernel at %p-%p; paging on\n", (ram_end + (1 << 19)) >> 20,
            (void *)KERNEL_LOAD, (void *)end);   // MiB rounded: loaders reserve odd bits

    sysenter_init();
    if (ide_init())
        kprintf("disk: \"%s\", %u sectors\n", ide_model(), ide_sectors());
    else
        kprintf("disk: none\n");

    proc_init();
    if (cmdline_has("test")) {
        kthread_spawn("selftest", selftest_main);
    } else {
        // (Not printed under the self-test: loaders differ in whether the
        // kernel's own path is the first word, and test output must not.)
        kprintf("command line: \"%s\"\n", cmdline);
        kthread_spawn("shell", shell_main);
    }

    // Start the clock last: from the first tick on, interrupts can make
    // the scheduler switch processes, so everything must be ready.
    pit_init(TIMER_HZ);
    scheduler();
}

// QEMU's "isa-debug-exit" device (-device isa-debug-exit,iobase=0xf4,iosize=4)
// makes QEMU exit when the guest writes to port 0xF4, with exit status
// (value << 1) | 1.  So writing 0 gives status 1 (we use it for success),
// writing 1 gives status 3 (failure).  Without the device the write does
// nothing and we halt.
void qemu_exit(uint8_t code)
{
    outb(0xF4, code);
    for (;;) {
        cli();
        hlt();
    }
}
