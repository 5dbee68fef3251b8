// spin.c: a CPU-bound loop that never makes a system call.  It gives the
// CPU up only because the timer interrupt takes it (kernel/timer.c).
#include "user.h"

volatile unsigned counter;

int main(int arg)
{
    if (arg == 1)       // quiet (the self-test): spin until killed
        for (;;)
            counter++;

    // From the shell: print a mark now and then; run two at once
    // ("run spin spin") and watch their marks interleave.
    int pid = getpid();
    for (int round = 0; round < 5; round++) {
        for (unsigned i = 0; i < 5000000; i++)
            counter++;
        printf("[spin %d: round %d]\n", pid, round);
    }
    return 0;
}
