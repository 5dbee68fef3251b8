// serial.c: the COM1 serial port, our only console.
//
// A PC's COM1 is a National Semiconductor 16550 UART at I/O ports
// 0x3F8-0x3FF.  Output is *polled*: we wait until the transmitter is empty
// and write the next byte.  That is slow in real life but simple, and it
// works with interrupts off, so panic() can always print.
//
// Input is *interrupt-driven*: when a byte arrives the UART raises IRQ 4,
// serial_interrupt() moves it into a ring buffer and wakes the shell, which
// sleeps in serial_getc() meanwhile instead of spinning.
#include "defs.h"
#include "x86.h"
#ifdef PARAVIRT
#include "ringside.h"
#endif

#define COM1 0x3F8
// Register offsets from COM1.  With DLAB (bit 7 of LCR) set, offsets 0
// and 1 are instead the baud-rate divisor, low and high byte.
#define UART_DATA 0   // read: received byte; write: byte to send
#define UART_IER  1   // interrupt enable
#define UART_FCR  2   // FIFO control
#define UART_LCR  3   // line control: word size, parity, DLAB
#define UART_MCR  4   // modem control
#define UART_LSR  5   // line status

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

#define IRQ_COM1 4

static int present;

void serial_init(void)
{
#ifdef PARAVIRT
    // The console is the first device the kernel needs: find out here
    // whether Ringside's paravirtual interface is there (pv.c).
    pv_init();
#endif
    outb(COM1 + UART_IER, 0x00);      // no interrupts while we configure
    outb(COM1 + UART_LCR, 0x80);      // DLAB on: next two writes set the divisor
    outb(COM1 + UART_DATA, 1);        // 115200 / 1 = 115200 baud
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, 0x03);      // DLAB off; 8 data bits, no parity, 1 stop bit
    outb(COM1 + UART_FCR, 0xC7);      // enable and clear FIFOs
    // OUT2 is, on a PC, the wire that connects the UART's interrupt line
    // to the PIC: without it IRQ 4 never fires.  DTR and RTS say "ready".
    outb(COM1 + UART_MCR, 0x0B);

    // A missing UART reads back as 0xFF (an undriven bus).
    present = inb(COM1 + UART_LSR) != 0xFF;
    if (!present)
        return;
    inb(COM1 + UART_DATA);            // drop anything stale
    outb(COM1 + UART_IER, 0x01);      // interrupt when a byte is received
    pic_unmask(IRQ_COM1);
}

static void put_raw(char c)
{
    if (!present)
        return;
    // Bounded wait: a broken UART must not hang the kernel forever.
    for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); i++)
        pause();
    outb(COM1 + UART_DATA, (uint8_t)c);
}

#ifdef PARAVIRT
// The paravirtual console takes a whole line per request: collect bytes
// here and send them at a newline, when the buffer is full, or before the
// shell waits for input (so a prompt without a newline shows).
static char line[120];
static uint32_t line_len;

static void serial_flush(void)
{
    if (line_len)
        pv_console_write(line, line_len);
    line_len = 0;
}
#endif

void serial_putc(char c)
{
#ifdef PARAVIRT
    if (pv.present) {
        if (c == '\n')
            line[line_len++] = '\r';
        line[line_len++] = c;
        if (c == '\n' || line_len >= sizeof line - 1)
            serial_flush();
        return;
    }
#endif
    // Terminals want "\r\n": carriage return, then line feed.
    if (c == '\n')
        put_raw('\r');
    put_raw(c);
}

// ---- Input ----------------------------------------------------------
// A ring buffer filled by the interrupt handler and drained by the
// shell.  There is one CPU and the kernel runs with interrupts off, so
// the reader and the writer never run at the same time: no lock needed.
#define INBUF 128
static char inbuf[INBUF];
static uint32_t in_r, in_w;   // read and write positions, only ever increase

void serial_interrupt(void)
{
    while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
        char c = (char)inb(COM1 + UART_DATA);
        if (c == 0x03) {           // Ctrl-C: stop the user programs the shell started
            proc_kill_user();
            continue;
        }
        if (in_w - in_r < INBUF)   // when full, drop input rather than overwrite
            inbuf[in_w++ % INBUF] = c;
    }
    wakeup(&in_r);
}

int serial_getc(void)
{
#ifdef PARAVIRT
    serial_flush();
#endif
    while (in_r == in_w)
        sleep_on(&in_r);
    return inbuf[in_r++ % INBUF];
}
