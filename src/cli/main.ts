/**
 * `ringside`: boots a guest headless with qemu-system-i386's options, so `make qemu QEMU=ringside` works. Runs
 * the same monitor as the debugger, in this process; the exit status is QEMU's (isa-debug-exit's value).
 */
import { CliError, parseQemuArgs, USAGE } from './qemu-options';
import { runSession } from './session';

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  if (argv.length === 0) {
    process.stderr.write(USAGE + '\n');
    process.exit(1);
  }
  try {
    runSession(parseQemuArgs(argv));
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    // QEMU's form: "qemu-system-i386: -foo: invalid option", status 1.
    process.stderr.write(`ringside: ${e.message}\n`);
    process.exit(1);
  }
}

main(process.argv.slice(2));
