// sysnum.h: system call numbers, shared by the kernel and user programs.
//
// The calling convention is the same for both ways into the kernel
// (`int $0x80` and `sysenter`): the number in EAX, arguments in EBX, ESI
// and EDI, the result comes back in EAX.  ECX and EDX carry no arguments
// because sysenter needs them: the user stub puts its stack pointer in ECX
// and its return address in EDX, for the kernel's sysexit to use.
#pragma once

#define SYS_exit    1   // exit(status): never returns
#define SYS_write   2   // write(fd, buf, n) -> n, or -1 (fd 1 and 2: the serial console)
#define SYS_getpid  3   // getpid() -> pid
#define SYS_yield   4   // yield() -> 0: let another process run
#define SYS_sleep   5   // sleep(ticks) -> 0
#define SYS_uptime  6   // uptime() -> timer ticks since boot
#define NSYSCALLS   7
