// kalloc.c: the physical page allocator.
//
// Free 4 KiB pages are kept on a linked list threaded through the free
// pages themselves: the first word of each free page points to the next
// one.  It costs no memory and allocation is one pointer move.  Since all
// of RAM is identity-mapped (memlayout.h), a page's physical address is
// also a pointer the kernel can use.
#include "defs.h"
#include "memlayout.h"

struct free_page {
    struct free_page *next;
};

static struct free_page *free_list;
static uint32_t nfree;

void kalloc_init(physaddr_t start, physaddr_t end)
{
    for (physaddr_t pa = ROUNDUP(start, PAGE_SIZE); pa + PAGE_SIZE <= end; pa += PAGE_SIZE)
        kfree((void *)pa);
}

// Return a zeroed page, or NULL when memory is exhausted.  Zeroing costs a
// little, but a page that still holds another process's data is a leak.
void *kalloc(void)
{
    struct free_page *p = free_list;
    if (!p)
        return NULL;
    free_list = p->next;
    nfree--;
    memset(p, 0, PAGE_SIZE);
    return p;
}

void kfree(void *page)
{
    if ((uint32_t)page % PAGE_SIZE)
        panic("kfree: %p is not page-aligned", page);
    struct free_page *p = page;
    p->next = free_list;
    free_list = p;
    nfree++;
}

uint32_t kalloc_free_pages(void)
{
    return nfree;
}
