/*
 * oracle64: the host CPU (silicon) as a differential oracle, from a 64-bit process.
 *
 * Why: the shared 32-bit native oracle needs IA-32 emulation, which these hosts' kernels lack. The subset of
 * 32-bit user-mode streams that means the same in 64-bit mode (translate.ts does the translation and lists
 * what it excludes) runs here instead, with the 32-bit layout: data region at 0x20000000 (16 pages), the
 * original 32-bit code bytes readable (not executable) at 0x10000000, everything else below 4 GiB unmapped.
 * The translated code runs at 0x100000000, above any address a 0x67 (32-bit) address can reach.
 *
 * Protocol: one request per line, tokens separated by single spaces, all hex:
 *   CODE64 CODE32 EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS FPU NMEM {ADDR BYTES}* NRO {ADDR}* NUN {ADDR}*
 *   FPU is "-" (FNINIT state) or CW,SW,TW,ST0,...,ST7 (ST(i) as 10 bytes little-endian, 20 hex digits).
 * Response, one line each:
 *   STATUS TRAPNO ERR CR2 RIP EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS CW SW TW ST0..ST7 NCHG {ADDR BYTES}*
 *   STATUS: ok (fell into the exit stub), exc (a CPU exception: TRAPNO/ERR/CR2 from the signal's ucontext),
 *   timeout. RIP is the 64-bit RIP (translate.ts maps it back to a 32-bit EIP). The line "info" instead
 *   answers "info" followed by this process's mappings below 4 GiB as FIRST-LAST pairs.
 * Faults: the SA_SIGINFO handler (on an alternate stack: the guest's RSP is data) records the state and
 * rewrites the ucontext to resume at guest_recover on the harness stack; rt_sigreturn restores the guest's x87
 * state first, so guest_recover's FNSAVE sees it exactly as at the fault (as the 32-bit oracle does).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE32_BASE 0x10000000UL
#define CODE32_SIZE 0x2000UL
#define DATA_BASE 0x20000000UL
#define DATA_SIZE 0x10000UL
#define PAGE 0x1000UL
#define GUEST_BASE 0x100000000UL
#define GUEST_SIZE 0x10000UL

/* Shared with the assembly below (fixed offsets). */
struct gstate {
  uint32_t regs[8]; /* 0: eax ecx edx ebx esp ebp esi edi */
  uint64_t eflags;  /* 32 */
  uint64_t host_rsp; /* 40 */
  uint64_t entry;   /* 48 */
  uint8_t fpu_in[108];  /* 56 */
  uint8_t fpu_out[108]; /* 164 */
};
struct gstate G __attribute__((aligned(64)));

extern int run_guest(void);
extern char guest_exit[], guest_recover[];

__asm__(
    ".text\n"
    ".globl run_guest\n"
    "run_guest:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, G+40(%rip)\n"
    "  frstor G+56(%rip)\n"
    "  xor %r8d, %r8d; xor %r9d, %r9d; xor %r10d, %r10d; xor %r11d, %r11d\n"
    "  xor %r12d, %r12d; xor %r13d, %r13d; xor %r14d, %r14d; xor %r15d, %r15d\n"
    /* POPFQ after the XORs (they write the flags); MOVs below leave them alone. */
    "  pushq G+32(%rip); popfq\n"
    /* DS=ES=0x2b (__USER_DS) as in the 32-bit oracle (64-bit processes start with 0): MOV r/m, Sreg reads them. */
    "  mov $0x2b, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  mov G+0(%rip), %eax; mov G+4(%rip), %ecx; mov G+8(%rip), %edx; mov G+12(%rip), %ebx\n"
    "  mov G+20(%rip), %ebp; mov G+24(%rip), %esi; mov G+28(%rip), %edi; mov G+16(%rip), %esp\n"
    "  jmp *G+48(%rip)\n"
    ".globl guest_exit\n"
    "guest_exit:\n"
    "  mov %eax, G+0(%rip); mov %ecx, G+4(%rip); mov %edx, G+8(%rip); mov %ebx, G+12(%rip)\n"
    "  mov %esp, G+16(%rip); mov %ebp, G+20(%rip); mov %esi, G+24(%rip); mov %edi, G+28(%rip)\n"
    "  mov G+40(%rip), %rsp\n"
    "  pushfq; popq G+32(%rip)\n"
    "  fnsave G+164(%rip)\n"
    "  pushq $0x202; popfq\n"
    "  xor %eax, %eax\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n"
    ".globl guest_recover\n"
    "guest_recover:\n"
    "  fnsave G+164(%rip)\n"
    "  pushq $0x202; popfq\n"
    "  mov $1, %eax\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n");

static volatile int in_guest, ticks, timed_out;
static volatile long f_trapno, f_err, f_cr2, f_rip;

static int in_guest_code(uint64_t rip) {
  return (rip >= GUEST_BASE && rip < GUEST_BASE + GUEST_SIZE) || rip < 0x100000000UL;
}

static void redirect(ucontext_t *uc) {
  greg_t *g = uc->uc_mcontext.gregs;
  G.regs[0] = (uint32_t)g[REG_RAX]; G.regs[1] = (uint32_t)g[REG_RCX];
  G.regs[2] = (uint32_t)g[REG_RDX]; G.regs[3] = (uint32_t)g[REG_RBX];
  G.regs[4] = (uint32_t)g[REG_RSP]; G.regs[5] = (uint32_t)g[REG_RBP];
  G.regs[6] = (uint32_t)g[REG_RSI]; G.regs[7] = (uint32_t)g[REG_RDI];
  G.eflags = (uint64_t)g[REG_EFL];
  f_rip = g[REG_RIP];
  g[REG_RIP] = (greg_t)(uintptr_t)guest_recover;
  g[REG_RSP] = (greg_t)G.host_rsp;
  g[REG_EFL] = 0x202;
  in_guest = 0;
}

static void on_fault(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  greg_t *g = uc->uc_mcontext.gregs;
  (void)si;
  (void)sig;
  if (!in_guest || !in_guest_code((uint64_t)g[REG_RIP])) {
    /* Not the guest's: a harness bug. Die loudly instead of answering wrongly. */
    static const char m[] = "oracle64: fault outside the guest\n";
    write(2, m, sizeof m - 1);
    _exit(3);
  }
  f_trapno = g[REG_TRAPNO];
  f_err = g[REG_ERR];
  f_cr2 = f_trapno == 14 ? g[REG_CR2] : 0; /* CR2 is stale for other vectors */
  redirect(uc);
}

static void on_tick(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  (void)sig; (void)si;
  if (!in_guest || !in_guest_code((uint64_t)uc->uc_mcontext.gregs[REG_RIP])) return;
  if (++ticks < 2) return;
  timed_out = 1;
  redirect(uc);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses hex bytes up to a separator; returns the count or -1. */
static long hexbytes(char **pp, uint8_t *out, size_t max) {
  char *p = *pp;
  size_t n = 0;
  while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
    if (n >= max) return -1;
    out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    p += 2;
  }
  if (*p == ' ' || *p == ',') p++;
  *pp = p;
  return (long)n;
}

static unsigned long hexnum(char **pp) {
  char *e;
  unsigned long v = strtoul(*pp, &e, 16);
  if (*e == ' ' || *e == ',') e++;
  *pp = e;
  return v;
}

static char obuf[1 << 20];
static size_t olen;
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(obuf + olen, sizeof obuf - olen, fmt, ap);
  va_end(ap);
  if (n > 0) olen += (size_t)n;
}
static void outhex(const uint8_t *b, size_t n) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n && olen + 2 < sizeof obuf; i++) {
    obuf[olen++] = d[b[i] >> 4];
    obuf[olen++] = d[b[i] & 15];
  }
}
static void flush_line(void) {
  obuf[olen++] = '\n';
  size_t off = 0;
  while (off < olen) {
    ssize_t w = write(1, obuf + off, olen - off);
    if (w <= 0) _exit(4);
    off += (size_t)w;
  }
  olen = 0;
}

static uint8_t *code32, *data, *guest;
static uint8_t init_image[DATA_SIZE];

static void info(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char l[512];
  out("info");
  while (f && fgets(l, sizeof l, f)) {
    unsigned long lo, hi;
    if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && lo < 0x100000000UL) out(" %lx-%lx", lo, hi - 1);
  }
  if (f) fclose(f);
  flush_line();
}

static void fail(const char *why) {
  out("error %s", why);
  flush_line();
}

static void run_case(char *p) {
  static uint8_t code64[GUEST_SIZE - 64];
  long n64 = hexbytes(&p, code64, sizeof code64);
  if (n64 < 0) return fail("code64");
  memset(code32, 0xf4, CODE32_SIZE);
  long n32 = hexbytes(&p, code32, CODE32_SIZE);
  if (n32 < 0) return fail("code32");
  for (int r = 0; r < 8; r++) G.regs[r] = (uint32_t)hexnum(&p);
  /* As the 32-bit oracle: only CF PF AF ZF SF DF OF AC come from the request; IF=1. */
  G.eflags = (hexnum(&p) & 0x40cd5) | 0x202;
  uint8_t *img = G.fpu_in;
  memset(img, 0, sizeof G.fpu_in);
  if (*p == '-') {
    p += 2;
    img[0] = 0x7f; img[1] = 0x03; img[8] = 0xff; img[9] = 0xff;
  } else {
    unsigned cw = (unsigned)hexnum(&p), sw = (unsigned)hexnum(&p), tw = (unsigned)hexnum(&p);
    img[0] = (uint8_t)cw; img[1] = (uint8_t)(cw >> 8);
    img[4] = (uint8_t)sw; img[5] = (uint8_t)(sw >> 8);
    img[8] = (uint8_t)tw; img[9] = (uint8_t)(tw >> 8);
    for (int i = 0; i < 8; i++)
      if (hexbytes(&p, img + 28 + 10 * i, 10) != 10) return fail("st");
  }
  mprotect(data, DATA_SIZE, PROT_READ | PROT_WRITE);
  memset(init_image, 0, DATA_SIZE);
  unsigned long nmem = hexnum(&p);
  for (unsigned long k = 0; k < nmem; k++) {
    unsigned long a = hexnum(&p);
    if (a < DATA_BASE || a >= DATA_BASE + DATA_SIZE) return fail("mem addr");
    if (hexbytes(&p, init_image + (a - DATA_BASE), DATA_BASE + DATA_SIZE - a) < 0) return fail("mem bytes");
  }
  memcpy(data, init_image, DATA_SIZE);
  for (int kind = 0; kind < 2; kind++) {
    unsigned long np = hexnum(&p);
    for (unsigned long k = 0; k < np; k++) {
      unsigned long a = hexnum(&p) & ~(PAGE - 1);
      if (a < DATA_BASE || a >= DATA_BASE + DATA_SIZE) return fail("page");
      mprotect((void *)a, PAGE, kind == 0 ? PROT_READ : PROT_NONE);
    }
  }
  /* Translated code, then the exit stub: jmp *slot(%rip), the slot 8-aligned (the guest may run with AC=1). */
  memcpy(guest, code64, (size_t)n64);
  size_t slot = ((size_t)n64 + 6 + 7) & ~(size_t)7;
  int32_t disp = (int32_t)(slot - ((size_t)n64 + 6));
  uint8_t stub[6] = {0xff, 0x25};
  memcpy(stub + 2, &disp, 4);
  memcpy(guest + n64, stub, sizeof stub);
  uint64_t ex = (uint64_t)(uintptr_t)guest_exit;
  memcpy(guest + slot, &ex, 8);
  G.entry = GUEST_BASE;

  ticks = 0;
  timed_out = 0;
  f_trapno = f_err = f_cr2 = f_rip = 0;
  in_guest = 1;
  int st = run_guest();
  in_guest = 0;
  mprotect(data, DATA_SIZE, PROT_READ | PROT_WRITE);

  const char *status = st == 0 ? "ok" : timed_out ? "timeout" : "exc";
  uint64_t rip = st == 0 ? GUEST_BASE + (uint64_t)n64 : (uint64_t)f_rip;
  out("%s %lx %lx %lx %lx", status, (unsigned long)f_trapno, (unsigned long)f_err, (unsigned long)f_cr2,
      (unsigned long)rip);
  for (int r = 0; r < 8; r++) out(" %x", G.regs[r]);
  out(" %x", (unsigned)G.eflags);
  const uint8_t *o = G.fpu_out;
  out(" %x %x %x", o[0] | o[1] << 8, o[4] | o[5] << 8, o[8] | o[9] << 8);
  for (int i = 0; i < 8; i++) {
    out(" ");
    outhex(o + 28 + 10 * i, 10);
  }
  /* Changed runs of the data region. */
  size_t nchg = 0, mark = olen;
  char cnt[24];
  out(" %-12s", "");
  for (size_t i = 0; i < DATA_SIZE;) {
    if (data[i] == init_image[i]) { i++; continue; }
    size_t j = i;
    while (j < DATA_SIZE && data[j] != init_image[j]) j++;
    out(" %lx ", DATA_BASE + i);
    outhex(data + i, j - i);
    nchg++;
    i = j;
  }
  snprintf(cnt, sizeof cnt, " %-12zx", nchg);
  memcpy(obuf + mark, cnt, 13);
  flush_line();
}

int main(int argc, char **argv) {
  long timeout_ms = 50;
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--timeout-ms")) timeout_ms = atol(argv[i + 1]);
  code32 = mmap((void *)CODE32_BASE, CODE32_SIZE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  data = mmap((void *)DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  guest = mmap((void *)GUEST_BASE, GUEST_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (code32 != (void *)CODE32_BASE || data != (void *)DATA_BASE || guest != (void *)GUEST_BASE) {
    fprintf(stderr, "oracle64: cannot map the fixed regions\n");
    return 2;
  }
  /* The 32-bit code region is readable, not executable (translated code runs elsewhere); never written by guests. */
  static uint8_t altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
  for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
  sa.sa_sigaction = on_tick;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigaction(SIGVTALRM, &sa, NULL);
  struct itimerval it = {{0, timeout_ms * 1000}, {0, timeout_ms * 1000}};
  setitimer(ITIMER_VIRTUAL, &it, NULL);

  static char line[1 << 19];
  while (fgets(line, sizeof line, stdin)) {
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
    if (!l) continue;
    if (!strcmp(line, "info")) info();
    else run_case(line);
  }
  return 0;
}
