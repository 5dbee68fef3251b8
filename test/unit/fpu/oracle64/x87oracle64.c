/*
 * x87oracle64: a minimal x87-only differential oracle that runs as a 64-bit process.
 *
 * Why it exists: the shared native-oracle is a 32-bit program and some hosts (this project's
 * Firecracker VMs) run kernels without IA-32 emulation, so it cannot execute there. x87
 * instructions behave identically in 64-bit mode as long as the memory operand is a plain
 * register base ([rax], ModRM rm=000 with mod=00), which is all the differential test emits.
 *
 * Protocol: one request per line, hex fields separated by single spaces:
 *   EFLAGS(8 hex) FRSTOR-image(216 hex = 108 bytes, 32-bit protected layout) DATA(256 hex) CODE(hex)
 * Response, one line each:  STATUS EFLAGS IMAGE(FNSAVE, 216 hex) DATA(256 hex)
 * STATUS is "ok" or "sigN". RAX points at DATA while CODE runs.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define DATA_LEN 128
#define IMG_LEN 108

static sigjmp_buf recover;
static volatile int last_sig;

static void on_signal(int sig) {
  last_sig = sig;
  siglongjmp(recover, 1);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static const char *parse_hex(const char *p, uint8_t *out, size_t max, size_t *len) {
  size_t n = 0;
  while (*p == ' ') p++;
  while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && n < max) {
    out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    p += 2;
  }
  *len = n;
  return p;
}

static void put_hex(const uint8_t *b, size_t n) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    putchar(d[b[i] >> 4]);
    putchar(d[b[i] & 15]);
  }
}

int main(void) {
  /* Prologue/epilogue around the guest bytes; SysV args: rdi=data, rsi=image in, rdx=eflags, rcx=out. */
  static const uint8_t pro[] = {0x53, 0x51, 0x48, 0x89, 0xf8, 0xdd, 0x26, 0x52, 0x9d};
  static const uint8_t epi[] = {0x9c, 0x5a, 0x59, 0x48, 0x89, 0x11, 0xdd, 0x71, 0x08, 0x5b, 0xc3};
  uint8_t *page = mmap(NULL, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  static char line[1 << 17];
  static uint8_t img[IMG_LEN], data[DATA_LEN], code[32768];
  static struct { uint64_t flags; uint8_t image[IMG_LEN]; } out;
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (fgets(line, sizeof line, stdin)) {
    char *p = line;
    unsigned long fl = strtoul(p, &p, 16);
    size_t n;
    p = (char *)parse_hex(p, img, IMG_LEN, &n);
    p = (char *)parse_hex(p, data, DATA_LEN, &n);
    size_t clen;
    parse_hex(p, code, sizeof code, &clen);
    size_t at = 0;
    memcpy(page + at, pro, sizeof pro); at += sizeof pro;
    memcpy(page + at, code, clen); at += clen;
    memcpy(page + at, epi, sizeof epi); at += sizeof epi;
    __builtin___clear_cache((char *)page, (char *)page + at);
    memset(&out, 0, sizeof out);
    last_sig = 0;
    void (*fn)(void *, void *, uint64_t, void *) = (void (*)(void *, void *, uint64_t, void *))page;
    if (sigsetjmp(recover, 1) == 0) {
      fn(data, img, (uint64_t)(fl & 0x8d5) | 0x202, &out);
      printf("ok %08lx ", (unsigned long)(out.flags & 0xffffffffu));
      put_hex(out.image, IMG_LEN);
    } else {
      __asm__ volatile("fninit");
      printf("sig%d 00000000 ", last_sig);
      memset(out.image, 0, IMG_LEN);
      put_hex(out.image, IMG_LEN);
    }
    putchar(' ');
    put_hex(data, DATA_LEN);
    putchar('\n');
    fflush(stdout);
  }
  return 0;
}
