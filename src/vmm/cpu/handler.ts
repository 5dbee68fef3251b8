import type { Cpu } from './cpu';

/** An instruction's semantics: everything after the opcode byte (and ModRM, already in c.modrm). */
export type Handler = (c: Cpu) => void;
