import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../unit/cli/run-cli';
import { buildDiskGuest } from './disk-guest-image';

/** Debian's SeaBIOS build for QEMU (package seabios, installed by scripts/setup.sh). */
const SEABIOS = '/usr/share/seabios/bios.bin';

/**
 * `ringside -bios`: Debian's SeaBIOS, unmodified, runs from the reset vector, shadows itself through the
 * i440FX PAM registers, reads RAM size and CPU count from CMOS and fw_cfg, finds the PIIX3 IDE disk with its own
 * ATA driver, and boots our disk guest's boot sector, which then loads its second stage over IDE, starts CPU 1
 * and counts interrupts. SeaBIOS's log comes out of port 0x402 (-device isa-debugcon,iobase=0x402).
 */
describe('integration: SeaBIOS (-bios) boots our disk guest', function () {
  this.timeout(300_000);
  let disk: string;
  before(function () {
    if (!fs.existsSync(SEABIOS)) throw new Error(`${SEABIOS} is missing: scripts/setup.sh installs the seabios package`);
    disk = buildDiskGuest();
  });
  after(() => fs.rmSync(path.dirname(disk), { recursive: true, force: true }));

  it('SeaBIOS logs to 0x402, boots from the hard disk, and the guest runs on 2 CPUs to its isa-debug-exit', async () => {
    const before = fs.readFileSync(disk);
    const log = path.join(path.dirname(disk), 'seabios.log');
    const r = await runCli(
      ['-bios', SEABIOS, '-hda', disk, '-smp', '2', '-m', '32', '-device', 'isa-debugcon,iobase=0x402', '-debugcon', `file:${log}`,
        '-device', 'isa-debug-exit,iobase=0xf4', '-nographic', '--timeout', '240'],
      { timeoutMs: 280_000 },
    );
    const bios = fs.readFileSync(log, 'latin1');
    const ctx = `status ${r.status}\nstderr: ${r.stderr}\nserial: ${r.stdout}\nSeaBIOS log tail:\n${bios.split('\n').slice(-15).join('\n')}`;
    assert.match(bios, /^SeaBIOS \(version 1\.\d+/m, ctx);
    assert.match(bios, /Found 2 cpu\(s\)/, ctx);
    assert.match(bios, /ata0-0: RINGSIDE HARDDISK/, ctx);
    assert.match(bios, /Booting from Hard Disk/, ctx);
    assert.match(r.stdout, /cpu1 up/, ctx);
    assert.match(r.stdout, /RINGSIDE-SMP-DISK-OK timers\/ioapic per CPU: [0-9A-F]{8} [0-9A-F]{8} [0-9A-F]{8} [0-9A-F]{8}/, ctx);
    assert.strictEqual(r.status, 33, ctx);
    assert.ok(fs.readFileSync(disk).equals(before), 'the disk image is unchanged');
  });
});
