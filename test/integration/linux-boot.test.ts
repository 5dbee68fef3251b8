import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { bootLinux, linuxGuest, missingLines, type LinuxGuest } from './linux-guest';

/**
 * The acceptance test of issue 6: Debian's own i686 kernel boots on Ringside's PC to its busybox /init, which
 * prints uname and /proc/cpuinfo, counts the online CPUs, checks an md5 over 3.3 MB and powers off through
 * ACPI, and shows in its log that it scanned PCI through the DSDT's root bridge. One boot per vCPU count; the
 * console of each run is kept in .cache/linux-guest/logs/.
 *
 * The two boots take the two boot paths. On 1 vCPU the monitor loads the kernel itself (the 32-bit boot
 * protocol). On 2 vCPUs it boots as `qemu -kernel` does: Debian's SeaBIOS runs from the reset vector, finds
 * the kernel, initrd and command line in fw_cfg, runs QEMU's linuxboot_dma.bin option ROM (Debian's
 * qemu-system-data), which fetches them by fw_cfg DMA and enters the kernel's 16-bit setup code in real mode;
 * the ACPI tables reach the kernel through SeaBIOS's table loader.
 */
const SEABIOS = '/usr/share/seabios/bios.bin';
const BOOT_TIMEOUT_MS = Number(process.env.RINGSIDE_LINUX_TIMEOUT_S ?? 1200) * 1000;
const CMDLINE = 'console=ttyS0 ringside.auto=1 panic=-1';

describe('integration: Debian Linux boots to its init script and powers off', function () {
  this.timeout(BOOT_TIMEOUT_MS + 15 * 60_000);
  let guest: LinuxGuest;

  before(function () {
    guest = linuxGuest();
  });

  for (const { cpus, bios } of [{ cpus: 1, bios: undefined }, { cpus: 2, bios: SEABIOS }]) {
    const how = bios ? 'booted by SeaBIOS through fw_cfg' : 'loaded directly';
    it(`on ${cpus} vCPU${cpus > 1 ? 's' : ''}, ${how}: every expected.txt line, the md5, RINGSIDE-AUTO-DONE and an ACPI power-off`, async function () {
      if (bios && !fs.existsSync(bios)) throw new Error(`${bios} is missing: scripts/setup.sh installs the seabios package`);
      // RINGSIDE_LINUX_ECHO=1 shows the guest's console while it boots.
      const echo = process.env.RINGSIDE_LINUX_ECHO ? (t: string) => process.stdout.write(t) : undefined;
      const r = await bootLinux(guest, cpus, CMDLINE, BOOT_TIMEOUT_MS, echo, { bios });
      const logs = path.join(guest.dir, 'logs');
      fs.mkdirSync(logs, { recursive: true });
      fs.writeFileSync(path.join(logs, `ringside-smp${cpus}.log`), r.console);
      const mips = r.instructions / 1e6 / r.seconds;
      process.stdout.write(
        `      ${cpus} vCPU: end marker after ${r.doneSeconds?.toFixed(1) ?? '-'} s, stopped after ${r.seconds.toFixed(1)} s, ` +
          `${(r.instructions / 1e9).toFixed(2)} G instructions, ${mips.toFixed(1)} MIPS\n` +
          `      shadow: ${JSON.stringify(r.shadow)}\n`,
      );
      const tail = r.console.replace(/\r/g, '').split('\n').slice(-15).join('\n');
      assert.strictEqual(r.stop, undefined, `the VM stopped without powering off (${r.stop}); console tail:\n${tail}`);
      assert.deepStrictEqual(missingLines(guest.expected, r.console, cpus), [], `console tail:\n${tail}`);
      assert.ok(guest.expected.some((l) => /md5=[0-9a-f]{32}/.test(l)), 'expected.txt checks the md5 of seq 1 500000');
      assert.ok(r.console.includes(`smp: Brought up 1 node, ${cpus} CPU`), 'the kernel brought up every CPU');
      // In ACPI mode Linux scans PCI only below the DSDT's PNP0A03 root bridge; the PIIX3 IDE function is on it.
      assert.match(r.console, /ACPI: PCI Root Bridge \[PCI0\] \(domain 0000 \[bus 00-ff\]\)/, 'the DSDT root bridge was found');
      assert.match(r.console, /pci 0000:00:01\.1: \[8086:7010\] type 00 class 0x010180/, 'PCI was scanned: the IDE controller');
      assert.deepStrictEqual(r.exit, { code: 0, reason: 'ACPI power-off (S5)' });
      // Issue 8: under shadow paging with the audit on (test/support/shadow-audit.ts), never a mismatch.
      assert.ok(r.shadow.audits > 0, 'the shadow audit ran');
      assert.strictEqual(r.shadow.auditErrors, 0);
      assert.match(r.console, new RegExp(`Kernel command line: ${CMDLINE}`), 'the command line arrived');
      // The check that catches the direct engine's PUSHF (linux-direct.test.ts) passes under the interpreter.
      assert.ok(!r.console.includes('Interrupts were enabled early'), 'IF is virtualized exactly: PUSHF shows the guest its own IF');
      if (bios) {
        const fwTail = r.firmwareLog.split('\n').slice(-12).join('\n');
        assert.match(r.firmwareLog, /Searching bootorder for: \/rom@genroms\/linuxboot_dma\.bin/, fwTail);
        assert.match(r.firmwareLog, /Booting from ROM/, fwTail);
        assert.match(r.firmwareLog, new RegExp(`Found ${cpus} cpu\\(s\\)`), fwTail);
        // The firmware's own e820 (its ROM reserved at the top of 4 GiB), its SMBIOS, and our ACPI tables relocated
        // by its table loader: the RSDP in the F segment, the RSDT near the top of RAM.
        assert.match(r.console, /BIOS-e820: \[mem 0x00000000fffc0000-0x00000000ffffffff\] reserved/);
        assert.match(r.console, /SMBIOS 2\.\d present/);
        assert.match(r.console, /ACPI: RSDP 0x00000000000F[0-9A-F]{4} 000014 \(v00 RINGSD\)/);
        assert.match(r.console, /ACPI: RSDT 0x000000000F[0-9A-F]{6} /);
        assert.match(r.console, /RAMDISK: \[mem 0x0f[0-9a-f]{6}-0x0f[0-9a-f]{6}\]/, 'the option ROM placed the initrd high');
      }
    });
  }
});
