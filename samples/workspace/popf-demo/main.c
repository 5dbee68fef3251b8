// main.c: the POPF demo's entry point.
//
// Boots by multiboot (entry.S), sets up a minimal machine, and runs the
// two cases in cases.c: directly (with whatever privilege the machine
// gives us: ring 0 on hardware or QEMU), or, with "ring1" on the command
// line, deprivileged under the miniature monitor in monitor.c.
#include "hw.h"

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

static int has_word(const char *s, const char *w)
{
    for (; *s; s++) {
        int i = 0;
        while (w[i] && s[i] == w[i])
            i++;
        if (!w[i] && (s[i] == 0 || s[i] == ' '))
            return 1;
    }
    return 0;
}

// QEMU's isa-debug-exit device turns a write of v to port 0xF4 into exit
// status (v << 1) | 1: 1 when POPF behaved as expected, 3 when it did not.
void demo_exit(int as_expected)
{
    outb(0xF4, as_expected ? 0 : 1);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void demo_main(uint32_t magic, struct multiboot_info *mbi)
{
    const char *cmdline = "";
    if (magic == 0x2BADB002 && (mbi->flags & (1 << 2)))
        cmdline = (const char *)mbi->cmdline;

    console_init();
    machine_init();
    print("\nPOPF demo: does POPF change the interrupt flag (IF)?\n");
    if (has_word(cmdline, "ring1"))
        run_deprivileged();
    demo_exit(run_cases());
}
