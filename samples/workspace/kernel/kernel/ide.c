// ide.c: the primary IDE (ATA) disk, by programmed I/O.
//
// An ATA disk is driven through eight I/O ports (the "command block",
// 0x1F0-0x1F7 for the primary channel) plus a control port (0x3F6).  To
// read a sector: say which sector (LBA28: a 28-bit sector number spread
// over four registers), write the READ command, wait until the drive is
// no longer busy and has data ready (DRQ), then read 256 16-bit words from
// the data port.  "PIO" = programmed I/O: the CPU moves every word itself,
// no DMA.  We poll rather than take IRQ 14, which keeps the driver short.
//
// Only the primary master is used.  A machine may well have no disk
// there (QEMU's default has only a CD-ROM on the secondary channel):
// ide_init() finds out and the rest of the kernel asks ide_present().
#include "defs.h"
#include "x86.h"
#ifdef PARAVIRT
#include "ringside.h"
#endif

#define ATA_DATA     0x1F0
#define ATA_ERROR    0x1F1
#define ATA_COUNT    0x1F2   // number of sectors
#define ATA_LBA0     0x1F3   // LBA bits 0-7
#define ATA_LBA1     0x1F4   // 8-15 (and, after IDENTIFY, part of the device signature)
#define ATA_LBA2     0x1F5   // 16-23
#define ATA_DRIVE    0x1F6   // 0xE0 | LBA bits 24-27: LBA mode, master
#define ATA_STATUS   0x1F7   // read: status
#define ATA_COMMAND  0x1F7   // write: command
#define ATA_CONTROL  0x3F6   // write: device control; read: alternate status

#define ST_ERR  0x01
#define ST_DRQ  0x08   // the drive wants to transfer data
#define ST_DF   0x20   // drive fault
#define ST_BSY  0x80

#define CMD_READ     0x20
#define CMD_WRITE    0x30
#define CMD_FLUSH    0xE7
#define CMD_IDENTIFY 0xEC

#define CTRL_NIEN 0x02   // "no interrupts": we poll

static int present;
static uint32_t nsectors;
static char model[41];

// Reading the alternate status port takes about 100 ns; the ATA spec asks
// for 400 ns after selecting a drive before its status means anything.
static void delay400ns(void)
{
    for (int i = 0; i < 4; i++)
        inb(ATA_CONTROL);
}

// Wait until not busy and (if want_drq) ready to transfer.  Gives up
// after a while instead of hanging the kernel on a dead drive.
static int wait_ready(int want_drq)
{
    for (int i = 0; i < 1000000; i++) {
        uint8_t st = inb(ATA_STATUS);
        if (st & ST_BSY)
            continue;
        if (st & (ST_ERR | ST_DF))
            return -1;
        if (!want_drq || (st & ST_DRQ))
            return 0;
    }
    return -1;
}

int ide_init(void)
{
    outb(ATA_CONTROL, CTRL_NIEN);
    outb(ATA_DRIVE, 0xA0);   // select the master
    delay400ns();

    // No controller at all reads 0xFF (nothing drives the bus); a
    // controller without this drive reads 0.
    uint8_t st = inb(ATA_STATUS);
    if (st == 0xFF || st == 0)
        return 0;

    outb(ATA_COUNT, 0);
    outb(ATA_LBA0, 0);
    outb(ATA_LBA1, 0);
    outb(ATA_LBA2, 0);
    outb(ATA_COMMAND, CMD_IDENTIFY);
    delay400ns();
    if (inb(ATA_STATUS) == 0)
        return 0;
    for (int i = 0; i < 1000000 && (inb(ATA_STATUS) & ST_BSY); i++)
        ;
    // An ATAPI device (a CD-ROM) aborts IDENTIFY and leaves its signature
    // in the LBA registers; it is not a disk we can read sectors from.
    if (inb(ATA_LBA1) != 0 || inb(ATA_LBA2) != 0)
        return 0;
    if (wait_ready(1) < 0)
        return 0;

    uint16_t id[256];
    insw(ATA_DATA, id, 256);
    nsectors = id[60] | ((uint32_t)id[61] << 16);   // words 60-61: LBA28 sector count
    // The model name, words 27-46, stores each pair of characters swapped.
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(id[27 + i] >> 8);
        model[2 * i + 1] = (char)(id[27 + i] & 0xFF);
    }
    for (int i = 39; i >= 0 && model[i] == ' '; i--)
        model[i] = 0;
    present = nsectors > 0;
    return present;
}

int ide_present(void) { return present; }
uint32_t ide_sectors(void) { return nsectors; }
const char *ide_model(void) { return model; }

static int issue(uint32_t lba, uint8_t cmd)
{
    if (!present || lba >= nsectors || lba >= (1u << 28))
        return -1;
    if (wait_ready(0) < 0)
        return -1;
    outb(ATA_DRIVE, 0xE0 | ((lba >> 24) & 0x0F));
    outb(ATA_COUNT, 1);
    outb(ATA_LBA0, lba & 0xFF);
    outb(ATA_LBA1, (lba >> 8) & 0xFF);
    outb(ATA_LBA2, (lba >> 16) & 0xFF);
    outb(ATA_COMMAND, cmd);
    return wait_ready(1);
}

// Read one 512-byte sector.  Returns 0 on success, -1 on error or no disk.
int ide_read(uint32_t lba, void *buf)
{
#ifdef PARAVIRT
    // Under Ringside the sector moves in one request to the paravirtual
    // block device (the disk was found by IDENTIFY above, as on hardware).
    if (pv.present)
        return present && lba < nsectors && pv_block(0, lba, 1, buf) == 0 ? 0 : -1;
#endif
    if (issue(lba, CMD_READ) < 0)
        return -1;
    insw(ATA_DATA, buf, 256);
    return 0;
}

// Write one 512-byte sector, and flush the drive's cache so that it is
// really on the disk when we return.
int ide_write(uint32_t lba, const void *buf)
{
#ifdef PARAVIRT
    if (pv.present)
        return present && lba < nsectors && pv_block(1, lba, 1, (void *)buf) == 0 ? 0 : -1;
#endif
    if (issue(lba, CMD_WRITE) < 0)
        return -1;
    outsw(ATA_DATA, buf, 256);
    if (wait_ready(0) < 0)
        return -1;
    outb(ATA_COMMAND, CMD_FLUSH);
    return wait_ready(0);
}
