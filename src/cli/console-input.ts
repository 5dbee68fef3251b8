/**
 * Keyboard input for the guest's serial port. On a terminal stdin is raw, so every key (Ctrl-C included) reaches
 * the guest, and QEMU's -nographic escape applies: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A.
 */
const CTRL_A = 0x01;

export function attachConsoleInput(send: (data: string) => void, quit: () => void): void {
  const tty = process.stdin.isTTY;
  if (tty) process.stdin.setRawMode?.(true);
  let escape = false;
  process.stdin.on('data', (d: Buffer) => {
    if (!tty) {
      send(d.toString('latin1'));
      return;
    }
    const out: number[] = [];
    for (const b of d) {
      if (escape) {
        escape = false;
        if (b === 0x78 /* x */) {
          process.stderr.write('\r\nringside: terminated by Ctrl-A x\r\n');
          quit();
          return;
        }
        if (b === CTRL_A) out.push(CTRL_A);
        continue;
      }
      if (b === CTRL_A) escape = true;
      else out.push(b);
    }
    if (out.length) send(Buffer.from(out).toString('latin1'));
  });
  process.stdin.on('error', () => undefined);
}
