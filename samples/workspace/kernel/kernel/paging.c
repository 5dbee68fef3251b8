// paging.c: page directories, page tables, and turning paging on.
//
// x86 paging is a two-level tree.  CR3 holds the physical address of a
// page directory: 1024 entries, each covering 4 MiB and pointing to a page
// table: 1024 entries, each mapping one 4 KiB page.  Each process has its
// own page directory, so the same user address means different memory in
// different processes.
//
// The kernel half is shared: paging_init() builds page tables that
// identity-map all of RAM once, and every new page directory points its
// low entries at those same tables.  A kernel mapping changed once is
// changed in every address space, and switching CR3 never unmaps the code
// doing the switching.
#include "defs.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#ifdef PARAVIRT
// Page-table stores go through the monitor in batches (pv.c); on a machine
// without Ringside pv_pte_queue is a plain store.
#include "ringside.h"
#define SET_PDE(p, v)   pv_pte_set((p), (v))
#define SET_PTE(p, v)   pv_pte_queue((p), (v))
#define PTES_DONE()     pv_pte_flush()
#else
#define SET_PDE(p, v)   (*(p) = (v))
#define SET_PTE(p, v)   (*(p) = (v))
#define PTES_DONE()     ((void)0)
#endif

uint32_t *kernel_pgdir;        // the page directory used when no process runs
static uint32_t kernel_pdes;   // how many directory entries the kernel mapping uses

// Find the page-table entry for `va`, creating the page table if `create`.
static pte_t *walk(uint32_t *pgdir, uint32_t va, int create)
{
    pde_t *pde = &pgdir[PDX(va)];
    if (!(*pde & PTE_P)) {
        if (!create)
            return NULL;
        void *table = kalloc();
        if (!table)
            return NULL;
        // The directory entry is permissive (user, writable); the page
        // table entries decide.  The CPU takes the stricter of the two.
        SET_PDE(pde, (uint32_t)table | PTE_P | PTE_W | PTE_U);
    }
    pte_t *table = (pte_t *)PTE_ADDR(*pde);
    return &table[PTX(va)];
}

void paging_init(physaddr_t ram_end)
{
    if (ram_end > KERNEL_MAP_MAX)
        ram_end = KERNEL_MAP_MAX;
    kernel_pgdir = kalloc();
    if (!kernel_pgdir)
        panic("paging_init: out of memory");

    // Identity-map RAM, supervisor only (no PTE_U): ring 3 can see none of
    // it.  Page 0 stays unmapped so that a NULL pointer faults even in
    // the kernel.
    for (uint32_t pa = PAGE_SIZE; pa < ram_end; pa += PAGE_SIZE) {
        pte_t *pte = walk(kernel_pgdir, pa, 1);
        if (!pte)
            panic("paging_init: out of memory");
        SET_PTE(pte, pa | PTE_P | PTE_W);
    }
    // The kernel's own directory entries must not be user-accessible, or
    // nothing would stop ring 3 from reading kernel memory.
    kernel_pdes = PDX(ram_end - 1) + 1;
    for (uint32_t i = 0; i < kernel_pdes; i++)
        SET_PTE(&kernel_pgdir[i], kernel_pgdir[i] & ~PTE_U);
    PTES_DONE();

    lcr3((physaddr_t)kernel_pgdir);
    // PG turns paging on; WP makes read-only pages read-only for the
    // kernel too (without it ring 0 ignores PTE_W).  The next instruction
    // is fetched through the page tables: it works because the mapping is
    // the identity.
    lcr0(rcr0() | CR0_PG | CR0_WP);
}

// A new address space: the kernel's mappings and nothing else.
uint32_t *pgdir_create(void)
{
    uint32_t *pgdir = kalloc();
    if (!pgdir)
        return NULL;
    for (uint32_t i = 0; i < kernel_pdes; i++)
        SET_PTE(&pgdir[i], kernel_pgdir[i]);   // share the kernel's page tables
    PTES_DONE();
    return pgdir;
}

// Free an address space: its user pages, its user page tables, the
// directory.  Never the shared kernel page tables.
void pgdir_free(uint32_t *pgdir)
{
    for (uint32_t i = PDX(USER_BASE); i < 1024; i++) {
        if (!(pgdir[i] & PTE_P))
            continue;
        pte_t *table = (pte_t *)PTE_ADDR(pgdir[i]);
        for (int j = 0; j < 1024; j++)
            if (table[j] & PTE_P)
                kfree((void *)PTE_ADDR(table[j]));
        kfree(table);
    }
    kfree(pgdir);
}

// Give [va, va+size) fresh zeroed pages, user-accessible, and writable
// if `writable`.
int map_user_pages(uint32_t *pgdir, uint32_t va, uint32_t size, int writable)
{
    for (uint32_t a = ROUNDDOWN(va, PAGE_SIZE); a < va + size; a += PAGE_SIZE) {
        if (a < USER_BASE || a >= USER_TOP)
            return -1;
        pte_t *pte = walk(pgdir, a, 1);
        if (!pte)
            return -1;
        if (*pte & PTE_P) {   // already there: two segments share this page
            if (writable)
                SET_PTE(pte, *pte | PTE_W);
            continue;
        }
        void *page = kalloc();
        if (!page) {
            PTES_DONE();
            return -1;
        }
        SET_PTE(pte, (uint32_t)page | PTE_P | PTE_U | (writable ? PTE_W : 0));
    }
    PTES_DONE();
    return 0;
}

// The physical address behind a user virtual address, or 0 if unmapped.
physaddr_t user_va_to_pa(uint32_t *pgdir, uint32_t va)
{
    pte_t *pte = walk(pgdir, va, 0);
    if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U))
        return 0;
    return PTE_ADDR(*pte) | (va & 0xFFF);
}

// Copy into another address space (not necessarily the current one):
// translate each user page by hand and write through the identity map.
int copy_to_user(uint32_t *pgdir, uint32_t va, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    while (n > 0) {
        physaddr_t pa = user_va_to_pa(pgdir, va);
        if (!pa)
            return -1;
        uint32_t chunk = PAGE_SIZE - (va & 0xFFF);
        if (chunk > n)
            chunk = n;
        memcpy((void *)pa, s, chunk);
        s += chunk, va += chunk, n -= chunk;
    }
    return 0;
}

// May the process owning `pgdir` access [va, va+n)?  A system call must
// ask before touching a pointer from user space: the kernel can read any
// memory, so without this check `write(1, kernel_address, n)` would leak
// kernel memory to ring 3.
int user_range_ok(uint32_t *pgdir, uint32_t va, uint32_t n, int write)
{
    if (va < USER_BASE || va >= USER_TOP || n > USER_TOP - va)
        return 0;
    for (uint32_t a = ROUNDDOWN(va, PAGE_SIZE); a < va + n; a += PAGE_SIZE) {
        pte_t *pte = walk(pgdir, a, 0);
        if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U) || (write && !(*pte & PTE_W)))
            return 0;
    }
    return 1;
}

void switch_to_kernel_pgdir(void)
{
    lcr3((physaddr_t)kernel_pgdir);
}
