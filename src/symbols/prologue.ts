/**
 * Recognises the i386 frame setup gcc emits (push %ebp; mov %esp,%ebp; [sub $n,%esp]; [push reg]...),
 * as gdb's i386 prologue analyzer does, so "break function" lands where gdb puts it.
 * Returns the address after the frame setup, or `start` if the function does not set up %ebp.
 */
export function analyzeFrameSetup(read: (addr: number, n: number) => Uint8Array | undefined, start: number): number {
  const b = read(start, 16);
  if (!b || b.length < 3 || b[0] !== 0x55) return start;
  const movEspEbp = (b[1] === 0x89 && b[2] === 0xe5) || (b[1] === 0x8b && b[2] === 0xec);
  if (!movEspEbp) return start;
  let i = 3;
  // sub $imm8,%esp / sub $imm32,%esp
  if (b[i] === 0x83 && b[i + 1] === 0xec) i += 3;
  else if (b[i] === 0x81 && b[i + 1] === 0xec) i += 6;
  // Callee-saved register pushes (push %ebx/%esi/%edi...).
  for (let n = 0; n < 8 && i < b.length && b[i] >= 0x50 && b[i] <= 0x57 && b[i] !== 0x55; n++) i++;
  return start + Math.min(i, b.length);
}
