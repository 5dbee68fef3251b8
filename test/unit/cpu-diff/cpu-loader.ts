import type { FlatUserCase, FlatUserResult, DecodedInstruction } from '../../../src/vmm/cpu/testing/contracts';

/**
 * The CPU side of the contracts (src/vmm/cpu/testing/contracts.ts). Loaded by path at run time so this suite
 * compiles before the CPU engineer's modules exist; `undefined` means "not implemented yet".
 */
export type RunFlatUserCase = (c: FlatUserCase) => FlatUserResult;
export type DescribeInstruction = (bytes: Uint8Array, offset: number, bits: 16 | 32, eip: number) => DecodedInstruction;

function load<T>(rel: string, name: string): T | undefined {
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(rel) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(rel.split('/').pop()!)) {
      return undefined;
    }
    throw e;
  }
  return typeof mod[name] === 'function' ? (mod[name] as T) : undefined;
}

export function loadRunFlatUserCase(): RunFlatUserCase | undefined {
  return load<RunFlatUserCase>('../../../src/vmm/cpu/testing/flat-user', 'runFlatUserCase');
}

export function loadDescribeInstruction(): DescribeInstruction | undefined {
  return load<DescribeInstruction>('../../../src/vmm/cpu/testing/decode-info', 'describeInstruction');
}
