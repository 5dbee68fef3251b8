// fault.c: a program with a bug.  The kernel kills it with a page fault
// report, and carries on.
#include "user.h"

int main(int arg)
{
    if (arg == 1) {
        // Read kernel memory.  The page is mapped (the kernel is in every
        // address space) but not user-accessible: a *protection* fault.
        printf("fault: reading kernel memory at 0x100000\n");
        volatile int *kernel = (volatile int *)0x00100000;
        return *kernel;
    }
    // Write through a NULL pointer.  Page 0 is never mapped: a
    // *not-present* fault, CR2 = 0.
    printf("fault: writing through a NULL pointer\n");
    volatile int *p = NULL;
    *p = 42;
    printf("fault: still alive?! this line should never print\n");
    return 1;
}
