import { REGISTERS, type RegisterDef } from './registers';

/**
 * The target description gdb reads with qXfer:features:read:target.xml. gdb's i386 architecture accepts it
 * when org.gnu.gdb.i386.core names its 32 registers in its order (i386_validate_tdesc_p); without an
 * org.gnu.gdb.i386.sse feature gdb treats the CPU as x87-only, which is what Ringside's CPU is. The EFLAGS
 * bit names make `info registers eflags` print `[ IF ZF ]`.
 */
const EFLAGS_BITS: [string, number][] = [
  ['CF', 0], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['TF', 8], ['IF', 9], ['DF', 10], ['OF', 11],
  ['NT', 14], ['RF', 16], ['VM', 17], ['AC', 18], ['VIF', 19], ['VIP', 20], ['ID', 21],
];

function reg(def: RegisterDef, regnum: number): string {
  const group = def.group ? ` group="${def.group}"` : '';
  return `    <reg name="${def.name}" bitsize="${def.bits}" type="${def.type}" regnum="${regnum}"${group}/>`;
}

export function targetXml(): string {
  const flags = EFLAGS_BITS.map(([n, b]) => `      <field name="${n}" start="${b}" end="${b}"/>`);
  const core = REGISTERS.map((r, i) => [r, i] as const).filter(([r]) => r.feature === 'core');
  const system = REGISTERS.map((r, i) => [r, i] as const).filter(([r]) => r.feature === 'system');
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>i386</architecture>',
    '  <feature name="org.gnu.gdb.i386.core">',
    '    <flags id="i386_eflags" size="4">',
    ...flags,
    '    </flags>',
    ...core.map(([r, i]) => reg(r, i)),
    '  </feature>',
    '  <feature name="org.ringside.i386.system">',
    ...system.map(([r, i]) => reg(r, i)),
    '  </feature>',
    '</target>',
    '',
  ].join('\n');
}
