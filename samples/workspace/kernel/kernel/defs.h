// defs.h: every function one kernel file offers another, grouped by file.
//
// Reading this header is a quick tour of the kernel.
#pragma once
#include "types.h"

struct trapframe;
struct proc;
struct multiboot_info;

// string.c: the parts of libc the kernel needs
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy_z(char *dst, const char *src, size_t n);

// serial.c: COM1
void serial_init(void);
void serial_putc(char c);
int serial_getc(void);               // blocks (sleeps) until a byte arrives
void serial_interrupt(void);

// kprintf.c
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// gdt.c
void gdt_init(void);
void tss_set_kernel_stack(uint32_t esp0);

// idt.c
void idt_init(void);

// pic.c
void pic_init(void);
void pic_unmask(int irq);
void pic_eoi(int irq);

// pit.c
void pit_init(uint32_t hz);

// timer.c
extern volatile uint32_t ticks;
#define TIMER_HZ 100
void timer_interrupt(struct trapframe *tf);

// trap.c
void trap(struct trapframe *tf);

// kalloc.c: physical page allocator
void kalloc_init(physaddr_t start, physaddr_t end);
void *kalloc(void);
void kfree(void *page);
uint32_t kalloc_free_pages(void);

// paging.c
void paging_init(physaddr_t ram_end);
uint32_t *pgdir_create(void);
void pgdir_free(uint32_t *pgdir);
int map_user_pages(uint32_t *pgdir, uint32_t va, uint32_t size, int writable);
int copy_to_user(uint32_t *pgdir, uint32_t va, const void *src, uint32_t n);
int user_range_ok(uint32_t *pgdir, uint32_t va, uint32_t n, int write);
physaddr_t user_va_to_pa(uint32_t *pgdir, uint32_t va);
void switch_to_kernel_pgdir(void);
extern uint32_t *kernel_pgdir;

// sysenter.c and syscall.c
void sysenter_init(void);
void sysenter_set_stack(uint32_t esp);
void syscall(struct trapframe *tf);
extern uint32_t syscall_count_int80, syscall_count_sysenter;

// proc.c
void proc_init(void);
struct proc *proc_spawn(const char *prog, uint32_t arg);
struct proc *kthread_spawn(const char *name, void (*fn)(void));
struct exit_info {
    int status;               // the argument to exit(), or -1 if killed
    int killed;               // enum kill_reason (proc.h); 0 if it exited by itself
    uint32_t fault_addr;      // if it died of a page fault: the address (CR2)
};
int proc_wait(struct proc *p, struct exit_info *info);
void proc_exit(int status) __attribute__((noreturn));
void proc_kill(struct proc *p, int reason);
void proc_kill_user(void);
void proc_dump(void);
void scheduler(void) __attribute__((noreturn));
void sched_yield(void);
void sleep_on(void *chan);
void wakeup(void *chan);
void sleep_ticks(uint32_t n);
struct proc *curproc(void);

// loader.c: embedded user programs and the ELF loader
struct program {
    const char *name;
    const uint8_t *start, *end;   // the program's ELF file, inside the kernel image
    const char *about;
};
extern const struct program programs[];
extern const int nprograms;
const struct program *program_find(const char *name);
int elf_load(uint32_t *pgdir, const uint8_t *elf, uint32_t size, uint32_t *entry);

// ide.c
int ide_init(void);
int ide_present(void);
uint32_t ide_sectors(void);
const char *ide_model(void);
int ide_read(uint32_t lba, void *buf);
int ide_write(uint32_t lba, const void *buf);

// shell.c, selftest.c
void shell_main(void);
void selftest_main(void);

// main.c
extern char cmdline[];
void qemu_exit(uint8_t code) __attribute__((noreturn));
