// user.h: the whole "C library" of a user program.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "../kernel/sysnum.h"

// The two gates into the kernel (usys.S): same number, same arguments,
// same result; only the instruction differs.
int int80_syscall(int num, int a1, int a2, int a3);
int sysenter_syscall(int num, int a1, int a2, int a3);

// Which gate the wrappers below use.  Starts as GATE_INT80.
enum gate { GATE_INT80, GATE_SYSENTER };
void use_gate(enum gate g);
const char *gate_name(void);

// System calls (ulib.c), through the current gate.
void exit(int status) __attribute__((noreturn));
int write(int fd, const void *buf, int n);
int getpid(void);
int yield(void);
int sleep(int ticks);
int uptime(void);

// Conveniences
size_t strlen(const char *s);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
