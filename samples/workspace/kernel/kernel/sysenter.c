// sysenter.c: programming the SYSENTER model-specific registers.
// (The entry code itself, and how SYSENTER/SYSEXIT work, is in sysenter.S.)
#include "defs.h"
#include "mmu.h"
#include "x86.h"

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define CPUID_SEP        (1u << 11)   // CPUID leaf 1, EDX: SYSENTER/SYSEXIT supported

void sysenter_entry(void);

static int have_sysenter;

void sysenter_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    have_sysenter = (d & CPUID_SEP) != 0;
    if (!have_sysenter) {
        kprintf("sysenter: not supported by this CPU; only int $0x80 will work\n");
        return;
    }
    wrmsr(MSR_SYSENTER_CS, KCODE_SEL);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
}

// SYSENTER does not consult the TSS: it takes ESP straight from this MSR,
// so the scheduler must point it at each process's kernel stack, just as
// it sets TSS.esp0 for interrupts.
void sysenter_set_stack(uint32_t esp)
{
    if (have_sysenter)
        wrmsr(MSR_SYSENTER_ESP, esp);
}
