import * as assert from 'node:assert';
import { CliError, CPU_MODELS, parseQemuArgs, USAGE } from '../../../src/cli/qemu-options';
import { parseChardev, parseMemoryMB, splitKeyValues } from '../../../src/cli/option-values';

const K = ['-kernel', 'k.elf'];
const parse = (...args: string[]) => parseQemuArgs([...K, ...args]);
const refused = (args: string[], message: RegExp) => assert.throws(() => parseQemuArgs(args), (e: Error) => e instanceof CliError && message.test(e.message));

describe('cli: qemu-system-i386 options', () => {
  it('defaults as QEMU: 128 MiB, one CPU, COM1 on stdio, no debug-exit device', () => {
    const o = parseQemuArgs(K);
    assert.strictEqual(o.kernel, 'k.elf');
    assert.strictEqual(o.memoryMB, 128);
    assert.strictEqual(o.cpus, 1);
    assert.deepStrictEqual(o.serial, ['stdio']);
    assert.strictEqual(o.debugcon, 'none');
    assert.strictEqual(o.debugExitPort, undefined);
    assert.strictEqual(o.gdbPort, undefined);
    assert.strictEqual(o.engine, 'interpret');
  });

  it('-kernel -initrd -append -bios', () => {
    const o = parse('-initrd', 'i.cpio', '-append', 'test quiet', '-bios', 'bios.bin');
    assert.strictEqual(o.initrd, 'i.cpio');
    assert.strictEqual(o.append, 'test quiet');
    assert.strictEqual(o.bios, 'bios.bin');
  });

  it('-m in QEMU units: bare MiB, k/M/G suffixes, size=', () => {
    assert.strictEqual(parse('-m', '64').memoryMB, 64);
    assert.strictEqual(parse('-m', '64M').memoryMB, 64);
    assert.strictEqual(parse('-m', '1G').memoryMB, 1024);
    assert.strictEqual(parse('-m', '65536k').memoryMB, 64);
    assert.strictEqual(parse('-m', 'size=32M').memoryMB, 32);
    assert.strictEqual(parseMemoryMB('-m', '3G'), 3072);
    refused([...K, '-m', '64Q'], /-m 64Q: expected a size/);
    refused([...K, '-m', '1'], /2 MiB to 3 GiB/);
    refused([...K, '-m', '4G'], /2 MiB to 3 GiB/);
    refused([...K, '-m', '1000k'], /whole MiB/);
  });

  it('-smp N and -smp cpus=N / topology', () => {
    assert.strictEqual(parse('-smp', '2').cpus, 2);
    assert.strictEqual(parse('-smp', 'cpus=4').cpus, 4);
    assert.strictEqual(parse('-smp', 'sockets=1,cores=2,threads=2').cpus, 4);
    refused([...K, '-smp', '9'], /1 to 8 vCPUs/);
    refused([...K, '-smp', 'two'], /non-negative integer/);
    refused([...K, '-smp', '2,dies=2'], /unknown key "dies"/);
  });

  it('-drive file=...,format=raw,index=N,media=disk, and -hda..-hdd (passed through to the IDE channels)', () => {
    const o = parse('-drive', 'file=disk.img,format=raw,index=0,media=disk', '-drive', 'file=b.img,format=raw,index=1,media=disk,readonly=on');
    assert.deepStrictEqual(o.disks, [
      { path: 'disk.img', index: 0, writable: true },
      { path: 'b.img', index: 1, writable: false },
    ]);
    assert.deepStrictEqual(parse('-drive', 'file=a.img,snapshot=on').disks, [{ path: 'a.img', index: 0, writable: false }]);
    assert.deepStrictEqual(parse('-hda', 'a.img', '-hdb', 'b.img', '-hdd', 'd.img').disks.map((d) => d.index), [0, 1, 3]);
    assert.deepStrictEqual(parseQemuArgs(['-hda', 'boot.img']).disks, [{ path: 'boot.img', index: 0, writable: true }]);
    refused([...K, '-drive', 'format=raw'], /needs file=PATH/);
    refused([...K, '-drive', 'file=a.qcow2,format=qcow2'], /raw images only/);
    refused([...K, '-drive', 'file=a.iso,media=cdrom'], /only disks/);
    refused([...K, '-drive', 'file=a.img,if=virtio'], /IDE disks only/);
    refused([...K, '-drive', 'file=a.img,index=4'], /four positions/);
    refused([...K, '-drive', 'file=a.img,aio=native'], /does not support the "aio" key/);
  });

  it('-serial stdio / mon:stdio / file:F / none, twice for COM2; -debugcon stdio', () => {
    assert.deepStrictEqual(parse('-serial', 'file:out.txt').serial, [{ file: 'out.txt' }]);
    assert.deepStrictEqual(parse('-serial', 'mon:stdio').serial, ['stdio']);
    assert.deepStrictEqual(parse('-serial', 'null', '-serial', 'stdio').serial, ['none', 'stdio']);
    assert.strictEqual(parse('-debugcon', 'stdio').debugcon, 'stdio');
    assert.deepStrictEqual(parse('-debugcon', 'file:debug.log').debugcon, { file: 'debug.log' });
    refused([...K, '-serial', 'pty'], /'pty' is not a character device/);
    refused([...K, '-serial', 'stdio', '-serial', 'none', '-serial', 'none'], /two serial ports/);
    assert.deepStrictEqual(parseChardev('-serial', 'none'), 'none');
  });

  it('-device isa-debug-exit,iobase=0xf4,iosize=0x4 (QEMU default iobase 0x501)', () => {
    assert.strictEqual(parse('-device', 'isa-debug-exit,iobase=0xf4,iosize=0x4').debugExitPort, 0xf4);
    assert.strictEqual(parse('-device', 'isa-debug-exit').debugExitPort, 0x501);
    refused([...K, '-device', 'e1000'], /only isa-debug-exit/);
    refused([...K, '-device', 'isa-debug-exit,irq=3'], /no "irq" property/);
  });

  it('-device isa-debugcon,iobase=0x402 (SeaBIOS\'s log) adds a debug-console port; -bios alone is something to boot', () => {
    assert.strictEqual(parse('-device', 'isa-debugcon,iobase=0x402').debugconPort, 0x402);
    assert.strictEqual(parse('-device', 'isa-debugcon').debugconPort, 0xe9);
    refused([...K, '-device', 'isa-debugcon,iobase=0x402,chardev=log'], /no -chardev.*-debugcon/);
    refused([...K, '-device', 'isa-debugcon,irq=3'], /isa-debugcon has no "irq" property/);
    assert.strictEqual(parseQemuArgs(['-bios', '/usr/share/seabios/bios.bin']).bios, '/usr/share/seabios/bios.bin');
  });

  it('-nographic, -display none, -no-reboot, -accel tcg', () => {
    const o = parse('-nographic', '-display', 'none', '-no-reboot', '-accel', 'tcg');
    assert.strictEqual(o.noReboot, true);
    refused([...K, '-display', 'gtk'], /no graphical display/);
    refused([...K, '-accel', 'kvm'], /only -accel tcg/);
  });

  it('-s, -gdb tcp::PORT, -S', () => {
    assert.strictEqual(parse('-s').gdbPort, 1234);
    const o = parse('-gdb', 'tcp::4444', '-S');
    assert.strictEqual(o.gdbPort, 4444);
    assert.strictEqual(o.waitForGdb, true);
    assert.strictEqual(parse('-gdb', 'tcp:localhost:5555').gdbPort, 5555);
    refused([...K, '-gdb', 'unix:/tmp/s'], /use tcp::PORT/);
    refused([...K, '-gdb', 'tcp::70000'], /out of range/);
    refused([...K, '-S'], /wait forever/);
  });

  it('-cpu pentiumpro | pentium3 | max (and the other names it implements)', () => {
    for (const m of ['pentiumpro', 'pentium3', 'max', ...CPU_MODELS]) assert.strictEqual(parse('-cpu', m).cpuModel, m);
    refused([...K, '-cpu', 'core2duo'], /unable to find CPU model 'core2duo'/);
    refused([...K, '-cpu', 'max,+avx'], /feature flags/);
  });

  it("Ringside's own: --engine, --vms, --stats, --timeout (one or two dashes, as QEMU allows)", () => {
    const o = parse('--engine', 'direct', '--vms', '4', '--stats', '--timeout', '30');
    assert.strictEqual(o.engine, 'direct');
    assert.strictEqual(o.vms, 4);
    assert.strictEqual(o.stats, true);
    assert.strictEqual(o.timeoutSec, 30);
    assert.strictEqual(parse('-engine', 'interpret').engine, 'interpret');
    refused([...K, '--engine', 'jit'], /interpret and direct/);
    refused([...K, '--vms', '0'], /1 to 16 VMs/);
    refused([...K, '--timeout', '-1'], /positive number/);
    refused([...K, '--vms', '2', '-s'], /debug one VM/);
    assert.strictEqual(parse('--trace-exits', 'run.rstrace').traceExits, 'run.rstrace');
    assert.strictEqual(parse().traceExits, undefined);
    refused([...K, '--trace-exits'], /requires an argument/);
  });

  it('refuses unknown options, missing values, bare images and nothing to boot', () => {
    refused([...K, '-enable-kvm'], /^-enable-kvm: invalid option/);
    refused([...K, '-monitor', 'stdio'], /^-monitor: invalid option/);
    refused(['-kernel'], /-kernel: requires an argument/);
    refused(['disk.img'], /use -hda disk.img/);
    refused(['-m', '64'], /nothing to boot/);
  });

  it('key=value lists as QEMU splits them', () => {
    assert.deepStrictEqual([...splitKeyValues('isa-debug-exit,iobase=0xf4,readonly')], [
      ['_', 'isa-debug-exit'],
      ['iobase', '0xf4'],
      ['readonly', ''],
    ]);
  });

  it('the usage text names every supported option', () => {
    for (const o of ['-kernel', '-initrd', '-append', '-m', '-smp', '-hda', '-drive', '-bios', '-serial', '-debugcon', '-device', '-nographic', '-display', '-no-reboot', '-s', '-gdb', '-S', '-accel', '-cpu', '--engine', '--vms', '--stats', '--timeout']) {
      assert.ok(USAGE.split(/[\s()|[\]]+/).includes(o), o);
    }
  });
});
