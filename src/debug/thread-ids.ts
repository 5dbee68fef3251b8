/** DAP thread ids for vCPUs: one thread per vCPU of each VM, stable for the session. */
const CPUS_PER_VM = 256;

export function threadId(vm: number, cpu: number): number {
  return vm * CPUS_PER_VM + cpu + 1;
}

export function fromThreadId(id: number): { vm: number; cpu: number } {
  return { vm: Math.floor((id - 1) / CPUS_PER_VM), cpu: (id - 1) % CPUS_PER_VM };
}
