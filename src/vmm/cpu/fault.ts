import type { Cpu } from './cpu';

/**
 * Exceptions unwind the interpreter with a throw of this one preallocated object: no Error (a stack trace
 * costs microseconds) and no allocation, so a guest taking thousands of page faults stays cheap. The vector
 * and error code travel on the Cpu.
 */
export const FAULT = { cpuFault: true } as const;

/** Vectors that push an error code when delivered as exceptions. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

export function raise(c: Cpu, vector: number, code = 0): never {
  c.excVector = vector;
  c.excCode = code;
  throw FAULT;
}

export function gp(c: Cpu, code = 0): never {
  return raise(c, 13, code);
}

export function ud(c: Cpu): never {
  return raise(c, 6, 0);
}
