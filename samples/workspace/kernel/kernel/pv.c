// pv.c: the paravirtual drivers (built only with -DPARAVIRT).
//
// pv_init() asks CPUID whether we run under Ringside.  If not (QEMU, a real
// PC) nothing here is used and the kernel drives the emulated hardware as
// before, so the PV kernel boots anywhere.  If so, the console, the disk
// and the page-table code go through the monitor: see ringside.h.
#include "defs.h"
#include "ringside.h"
#include "x86.h"

struct pv_info pv;

extern char cmdline[];   // main.c

// Is `word` on the command line (a whole word)?
static int cmdline_word(const char *word)
{
    size_t n = strlen(word);
    for (const char *s = cmdline; *s; s++)
        if ((s == cmdline || s[-1] == ' ') && strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == 0))
            return 1;
    return 0;
}

void pv_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(c & (1u << 31)))          // no hypervisor at all
        return;
    cpuid(0x40000000, &a, &b, &c, &d);
    // "RingsideRing", four characters per register, little-endian.
    if (a < 0x40000001 || b != 0x676e6952 || c != 0x65646973 || d != 0x676e6952)
        return;
    cpuid(0x40000001, &a, &b, &c, &d);
    if (a < 1)
        return;
    pv.version = a;
    pv.console_port = (uint16_t)b;
    pv.block_port = (uint16_t)c;
    pv.features = d;
    pv.use_hypercalls = cmdline_word("hypercalls");
    pv.present = 1;
}

// ---- Console ---------------------------------------------------------
// One request per line (serial.c buffers): a single OUT, or one VMCALL.
static struct pvcon_req con;

int pv_console_write(const char *s, uint32_t n)
{
    if (pv.use_hypercalls)
        return hypercall2(HC_CONSOLE_WRITE, (uint32_t)s, n);
    if (n > sizeof con.data)
        n = sizeof con.data;
    con.length = n;
    memcpy(con.data, s, n);
    outl(pv.console_port, (uint32_t)&con);   // physical = virtual: identity map
    return con.status;
}

// ---- Disk ------------------------------------------------------------
// The primary master (disk 0), `count` sectors in one request.
static struct pvblk_req blk;

int pv_block(int write, uint32_t lba, uint32_t count, void *buf)
{
    if (pv.use_hypercalls)
        return hypercall4(HC_BLOCK_IO, write ? HC_BLOCK_WRITE : 0, lba, count, (uint32_t)buf);
    blk.op = write ? PVBLK_WRITE : PVBLK_READ;
    blk.disk = 0;
    blk.lba = lba;
    blk.count = count;
    blk.buffer = (uint32_t)buf;
    blk.status = 1;
    outl(pv.block_port, (uint32_t)&blk);
    return blk.status;
}

// ---- Page tables -----------------------------------------------------
// Entries are queued and written by the monitor in batches, one exit per
// batch: the monitor validates every address and then knows exactly which
// translations changed (a real hypervisor's shadow page tables must
// otherwise trap every store to a page-table page).
#define BATCH 256
static struct pt_update batch[BATCH];
static uint32_t queued;

void pv_pte_flush(void)
{
    if (queued == 0)
        return;
    int32_t r = hypercall2(HC_PT_UPDATE, (uint32_t)batch, queued);
    if (r != (int32_t)queued)
        panic("page-table update hypercall failed: %d", r);
    queued = 0;
}

void pv_pte_queue(uint32_t *pte, uint32_t value)
{
    if (!pv.present) {
        *pte = value;
        return;
    }
    batch[queued].pte = (uint32_t)pte;
    batch[queued].value = value;
    if (++queued == BATCH)
        pv_pte_flush();
}

// A write that must be visible at once (a directory entry about to be
// followed): the queue first, to keep the order, then this one.
void pv_pte_set(uint32_t *pte, uint32_t value)
{
    pv_pte_queue(pte, value);
    pv_pte_flush();
}
