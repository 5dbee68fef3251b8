// hw.h: the few machine instructions the demo needs, and shared declarations.
#pragma once
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

// PUSHF/POPF, the pair this demo is about.  Each is one instruction
// (plus the push/pop that moves the value to or from a register).
static inline uint32_t pushf(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f) : : "memory");
    return f;
}

static inline void popf(uint32_t f)
{
    __asm__ volatile("pushl %0; popfl" : : "r"(f) : "memory", "cc");
}

static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }

#define EFLAGS_IF (1u << 9)
#define EFLAGS_IOPL(f) (((f) >> 12) & 3)

// Selectors (machine.c builds the GDT).
#define KCODE_SEL 0x08          // ring 0
#define KDATA_SEL 0x10
#define R1CODE_SEL (0x18 | 1)   // ring 1: where the monitor puts the "guest"
#define R1DATA_SEL (0x20 | 1)
#define TSS_SEL 0x28

// console.c
void console_init(void);
void print(const char *s);
void print_hex(uint32_t v, int digits);
void print_dec(uint32_t v);

// machine.c
extern volatile uint32_t ticks;
void machine_init(void);
void tss_set_ring0_stack(uint32_t esp0);
int timer_pending(void);

// cases.c: the "guest kernel" code under test
int run_cases(void);   // 1 if POPF behaved as the code expected

// monitor.c
void run_deprivileged(void) __attribute__((noreturn));

// main.c
void demo_exit(int as_expected) __attribute__((noreturn));
