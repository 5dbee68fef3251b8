// shell.c: a command line on the serial console.
//
// The shell is a kernel thread (ring 0, kernel page directory).  It sleeps
// in serial_getc() until the UART interrupt brings a keystroke, so an idle
// shell costs no CPU: the scheduler halts the processor instead.
#include "defs.h"
#include "proc.h"

#define LINE_MAX 80
#define MAX_ARGS 8

static void readline(char *buf, int max)
{
    static int last_was_cr;
    int n = 0;
    for (;;) {
        int c = serial_getc();
        if (c == '\n' && last_was_cr) {   // "\r\n": the \r already ended the line
            last_was_cr = 0;
            continue;
        }
        last_was_cr = (c == '\r');
        if (c == '\r' || c == '\n') {
            serial_putc('\n');
            buf[n] = 0;
            return;
        }
        if (c == 0x7F || c == '\b') {     // backspace (terminals send DEL)
            if (n > 0) {
                n--;
                kprintf("\b \b");
            }
            continue;
        }
        if (c >= ' ' && n < max - 1) {
            buf[n++] = (char)c;
            serial_putc((char)c);         // echo: the terminal does not
        }
    }
}

// Split a line into words, in place.
static int split(char *line, char **argv)
{
    int argc = 0;
    while (*line && argc < MAX_ARGS) {
        while (*line == ' ')
            *line++ = 0;
        if (!*line)
            break;
        argv[argc++] = line;
        while (*line && *line != ' ')
            line++;
    }
    return argc;
}

static void cmd_help(int argc, char **argv);

static void cmd_ps(int argc, char **argv)
{
    (void)argc, (void)argv;
    proc_dump();
    kprintf("free memory: %u pages\n", kalloc_free_pages());
}

static void cmd_ticks(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t t = ticks;
    kprintf("%u ticks (%u.%02u s at %u Hz)\n", t, t / TIMER_HZ, t % TIMER_HZ, TIMER_HZ);
}

static void hexdump(const uint8_t *p, int n)
{
    for (int off = 0; off < n; off += 16) {
        kprintf("%03x: ", off);
        for (int i = 0; i < 16; i++)
            kprintf("%02x ", p[off + i]);
        kprintf(" ");
        for (int i = 0; i < 16; i++)
            serial_putc(p[off + i] >= ' ' && p[off + i] < 0x7F ? (char)p[off + i] : '.');
        kprintf("\n");
    }
}

// disk [lba]: show the first bytes of a sector (default 0).
static void cmd_disk(int argc, char **argv)
{
    if (!ide_present()) {
        kprintf("no disk\n");
        return;
    }
    uint32_t lba = 0;
    if (argc > 1)
        for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++)
            lba = lba * 10 + (uint32_t)(*s - '0');
    kprintf("disk: \"%s\", %u sectors (%u KiB)\n", ide_model(), ide_sectors(), ide_sectors() / 2);
    static uint8_t sector[512];
    if (ide_read(lba, sector) < 0) {
        kprintf("disk: cannot read sector %u\n", lba);
        return;
    }
    kprintf("sector %u, first 128 bytes:\n", lba);
    hexdump(sector, 128);
}

// run prog [prog...]: start the programs together, wait for all of them.
static void cmd_run(int argc, char **argv)
{
    struct proc *started[MAX_ARGS];
    int n = 0;
    if (argc < 2) {
        kprintf("usage: run <program> [<program>...]   (see help)\n");
        return;
    }
    for (int i = 1; i < argc; i++) {
        struct proc *p = proc_spawn(argv[i], 0);
        if (!p)
            kprintf("run: cannot start '%s'\n", argv[i]);
        else
            started[n++] = p;
    }
    for (int i = 0; i < n; i++) {
        struct exit_info info;
        int pid = started[i]->pid;
        proc_wait(started[i], &info);
        if (info.killed)
            kprintf("[pid %d killed]\n", pid);
        else
            kprintf("[pid %d exited with status %d]\n", pid, info.status);
    }
}

static void cmd_halt(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("halting\n");
    qemu_exit(0);
}

static const struct command {
    const char *name;
    void (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    { "help", cmd_help, "this list" },
    { "ps", cmd_ps, "list processes" },
    { "ticks", cmd_ticks, "timer ticks since boot" },
    { "disk", cmd_disk, "disk [lba]: show a sector of the primary IDE disk" },
    { "run", cmd_run, "run <program>...: start programs in ring 3 and wait (Ctrl-C stops them)" },
    { "halt", cmd_halt, "stop the machine" },
};

static void cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        kprintf("  %-6s %s\n", commands[i].name, commands[i].help);
    kprintf("programs:\n");
    for (int i = 0; i < nprograms; i++)
        kprintf("  %-8s %s\n", programs[i].name, programs[i].about);
}

void shell_main(void)
{
    char line[LINE_MAX];
    char *argv[MAX_ARGS];
    kprintf("type 'help' for commands\n");
    for (;;) {
        kprintf("$ ");
        readline(line, sizeof line);
        int argc = split(line, argv);
        if (argc == 0)
            continue;
        size_t i;
        for (i = 0; i < ARRAY_SIZE(commands); i++)
            if (strcmp(argv[0], commands[i].name) == 0) {
                commands[i].fn(argc, argv);
                break;
            }
        if (i == ARRAY_SIZE(commands))
            kprintf("%s: unknown command (try 'help')\n", argv[0]);
    }
}
