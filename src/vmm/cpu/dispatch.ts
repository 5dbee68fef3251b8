import type { Handler } from './handler';
import { ud } from './fault';
import { TableBuilder, formNeedsModrm, type OpcodeEntry } from './opcode-table';
import { addOneByte } from './opcodes-onebyte';
import { addTwoByte } from './opcodes-0f';

/**
 * The interpreter's dispatch arrays, derived from the opcode table at load time:
 *   HANDLERS[(osz << 9) | op]                 non-group opcodes
 *   GROUPS[(osz << 12) | (op << 3) | reg]      ModRM-reg groups
 *   OPINFO[op]                                 1 = has ModRM, 2 = group, 4 = prefix
 *   LOCKABLE[(op << 3) | reg]                  LOCK allowed
 */

export const enum OpInfo {
  Modrm = 1,
  Group = 2,
  Prefix = 4,
}

const builder = new TableBuilder();
addOneByte(builder);
addTwoByte(builder);

export const OPCODE_TABLE: readonly OpcodeEntry[] = builder.entries;

const undefinedOpcode: Handler = (c) => ud(c);

export const HANDLERS: Handler[] = new Array<Handler>(1024).fill(undefinedOpcode);
export const GROUPS: Handler[] = new Array<Handler>(2 * 4096).fill(undefinedOpcode);
export const OPINFO = new Uint8Array(512);
export const LOCKABLE = new Uint8Array(4096);

/** Table lookup for the decoder: entry for op (and reg for groups), or undefined. */
export const BY_OP: (OpcodeEntry | undefined)[] = new Array(512).fill(undefined);
export const BY_GROUP: (OpcodeEntry | undefined)[] = new Array(4096).fill(undefined);
/** Whole-ModRM entries (TableBuilder.exact), keyed (op << 8) | modrm. */
export const BY_MODRM = new Map<number, OpcodeEntry>();

for (const e of OPCODE_TABLE) {
  if (e.modrm >= 0) {
    OPINFO[e.op] = OpInfo.Modrm | OpInfo.Group;
    BY_MODRM.set((e.op << 8) | e.modrm, e);
  } else if (e.reg >= 0) {
    OPINFO[e.op] = OpInfo.Modrm | OpInfo.Group;
    const k = (e.op << 3) | e.reg;
    GROUPS[k] = e.exec16;
    GROUPS[4096 | k] = e.exec32;
    BY_GROUP[k] = e;
    if (e.lock) LOCKABLE[k] = 1;
  } else {
    if (formNeedsModrm(e.operands)) OPINFO[e.op] = OpInfo.Modrm;
    if (e.prefix) OPINFO[e.op] = OpInfo.Prefix;
    HANDLERS[e.op] = e.exec16;
    HANDLERS[512 | e.op] = e.exec32;
    BY_OP[e.op] = e;
    if (e.lock) for (let r = 0; r < 8; r++) LOCKABLE[(e.op << 3) | r] = 1;
  }
}

/**
 * A group slot that also holds whole-ModRM entries gets a handler that picks by the ModRM byte: these are rare
 * system instructions (VMCALL), so the one extra branch sits only on their group's slot, never on the hot path.
 */
const exactBySlot = new Map<number, Map<number, OpcodeEntry>>();
for (const e of BY_MODRM.values()) {
  const k = (e.op << 3) | e.reg;
  let m = exactBySlot.get(k);
  if (!m) exactBySlot.set(k, (m = new Map()));
  m.set(e.modrm, e);
}
for (const [k, byModrm] of exactBySlot) {
  for (const osz of [0, 1]) {
    const other = GROUPS[(osz << 12) | k];
    const exact: Handler[] = new Array<Handler>(64).fill(other);
    for (const [m, e] of byModrm) exact[m - 0xc0] = osz ? e.exec32 : e.exec16;
    GROUPS[(osz << 12) | k] = (c) => (c.modrm >= 0xc0 ? exact[c.modrm - 0xc0](c) : other(c));
  }
}
