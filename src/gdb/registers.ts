/**
 * The register file as gdb's i386 target numbers it: the org.gnu.gdb.i386.core feature (general registers,
 * EIP, EFLAGS, segment selectors, then the x87 stack and its control registers), and a Ringside feature with
 * the control registers a kernel developer wants (`p/x $cr3`). The `g` packet is these registers in this
 * order, each little-endian.
 */
export interface RegisterDef {
  name: string;
  bits: 32 | 80;
  type: string;
  group?: 'general' | 'float' | 'system';
  feature: 'core' | 'system';
}

const GPRS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEGS = ['cs', 'ss', 'ds', 'es', 'fs', 'gs'];
const X87_CONTROL = ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'];

export const REGISTERS: RegisterDef[] = [
  ...GPRS.map((name): RegisterDef => ({ name, bits: 32, type: name === 'esp' || name === 'ebp' ? 'data_ptr' : 'int32', feature: 'core' })),
  { name: 'eip', bits: 32, type: 'code_ptr', feature: 'core' },
  { name: 'eflags', bits: 32, type: 'i386_eflags', feature: 'core' },
  ...SEGS.map((name): RegisterDef => ({ name, bits: 32, type: 'int32', feature: 'core' })),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): RegisterDef => ({ name: `st${i}`, bits: 80, type: 'i387_ext', feature: 'core' })),
  ...X87_CONTROL.map((name): RegisterDef => ({ name, bits: 32, type: 'int', group: 'float', feature: 'core' })),
  ...['cr0', 'cr2', 'cr3', 'cr4'].map((name): RegisterDef => ({ name, bits: 32, type: 'int32', group: 'system', feature: 'system' })),
];

export const REG = Object.fromEntries(REGISTERS.map((r, i) => [r.name, i])) as Record<string, number>;

/** Byte offset of each register in the `g` packet, and the total. */
export const REG_OFFSETS: number[] = [];
export const REGISTER_BYTES = REGISTERS.reduce((off, r) => {
  REG_OFFSETS.push(off);
  return off + r.bits / 8;
}, 0);

/** What a target supplies: 32-bit values by register number, and the x87 stack as 10-byte images. */
export interface RegisterValues {
  /** Indexed by register number; unused for the st registers. */
  values: number[];
  /** ST(0)..ST(7), 10 bytes each, significand first; absent if the vCPU has no FPU. */
  st?: Uint8Array[];
}

export function encodeRegisters(r: RegisterValues): Buffer {
  const out = Buffer.alloc(REGISTER_BYTES);
  REGISTERS.forEach((def, i) => {
    if (def.bits === 80) {
      const img = r.st?.[i - REG.st0];
      if (img) out.set(img.subarray(0, 10), REG_OFFSETS[i]);
    } else {
      out.writeUInt32LE((r.values[i] ?? 0) >>> 0, REG_OFFSETS[i]);
    }
  });
  return out;
}

/** One register's bytes out of a `g` image (the `p` reply). */
export function registerBytes(image: Buffer, regno: number): Buffer {
  const def = REGISTERS[regno];
  return image.subarray(REG_OFFSETS[regno], REG_OFFSETS[regno] + def.bits / 8);
}
