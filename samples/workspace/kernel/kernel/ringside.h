// ringside.h: the Ringside monitor's paravirtual interface, as a guest sees it.
//
// Only the paravirtual build (make kernel-pv.elf, compiled with -DPARAVIRT)
// uses it.  A kernel that knows it runs in a virtual machine can stop
// pretending to drive hardware: instead of poking a UART twice per byte or
// an IDE controller a dozen times per sector -- each poke a trap into the
// monitor -- it hands the monitor a whole request in one exit.
//
// The contract (src/vmm/monitor/hypercalls/README.md in Ringside):
//   CPUID 0x40000000: EBX ECX EDX = "RingsideRing" (leaf 1 ECX bit 31 says
//     a hypervisor is there at all).
//   CPUID 0x40000001: EAX = version, EBX = PV console port, ECX = PV block
//     port, EDX = feature bits.
//   VMCALL (ring 0 only): EAX = number, EBX ECX EDX ESI = arguments, result
//     in EAX (negative = -errno).
//   PV devices: one 32-bit OUT of a descriptor's physical address.
#ifndef RINGSIDE_H
#define RINGSIDE_H
#include "types.h"

#define RS_FEAT_CONSOLE   (1u << 0)
#define RS_FEAT_PT_UPDATE (1u << 1)
#define RS_FEAT_BLOCK     (1u << 2)
#define RS_FEAT_YIELD     (1u << 3)
#define RS_FEAT_PVCON     (1u << 4)
#define RS_FEAT_PVBLK     (1u << 5)

// Hypercall numbers.
#define HC_VERSION       0
#define HC_FEATURES      1
#define HC_CONSOLE_WRITE 2   // (buffer, length)
#define HC_PT_UPDATE     3   // (array of struct pt_update, count)
#define HC_BLOCK_IO      4   // (disk | HC_BLOCK_WRITE, lba, count, buffer)
#define HC_YIELD         5
#define HC_BLOCK_WRITE   0x80000000u

// One entry of a batched page-table update: store `value` at physical
// address `pte`.
struct pt_update {
    uint32_t pte;
    uint32_t value;
};

// The PV console's request: the status comes back in place.
struct pvcon_req {
    uint32_t length;
    int32_t status;
    char data[120];
};

// The PV block device's request.
#define PVBLK_READ  0
#define PVBLK_WRITE 1
struct pvblk_req {
    uint32_t op, disk, lba, count, buffer;
    int32_t status;
};

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

// "vmcall" is 0F 01 C1.  Four arguments in EBX, ECX, EDX, ESI; the monitor
// changes only EAX.
static inline int32_t hypercall4(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
    int32_t ret;
    __asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
    return ret;
}

static inline int32_t hypercall2(uint32_t nr, uint32_t a0, uint32_t a1)
{
    return hypercall4(nr, a0, a1, 0, 0);
}

// pv.c
struct pv_info {
    int present;           // running under Ringside with the interface
    int use_hypercalls;    // "hypercalls" on the command line: console and disk through VMCALL, not the PV devices
    uint32_t version, features;
    uint16_t console_port, block_port;
};
extern struct pv_info pv;
void pv_init(void);
int pv_console_write(const char *s, uint32_t n);
int pv_block(int write, uint32_t lba, uint32_t count, void *buf);
void pv_pte_set(uint32_t *pte, uint32_t value);
void pv_pte_queue(uint32_t *pte, uint32_t value);
void pv_pte_flush(void);

#endif
