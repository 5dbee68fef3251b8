import { Decoder, DecoderOptions, Mnemonic } from 'iced-x86';
import { fromHex } from './convert';
import { OracleClient, OracleRequest, OracleResponse } from './oracle-client';

/** IOPL and VM: 0 for every Linux process (POPF at CPL 3 changes neither; SDM POPF Operation). */
const IOPL_VM = 0x3000 | 0x20000;

/**
 * EFLAGS bits a user-mode x86 process can never see set: the reserved bits 3, 5 and 15 and 22-31 (SDM Vol. 1
 * 3.4.3: reserved, always 0), VIF and VIP (only the OS with CR4.VME/PVI changes them; POPF at CPL 3 leaves them
 * as they were, and Linux runs user code with both clear), and IOPL and VM below.
 *
 * QEMU 7.2 user mode can leave such bits in its EFLAGS (seen after CMPXCHG8B: its lazy-flags source then holds
 * a value that is not an EFLAGS image, and a fault folds it into the saved EFLAGS). Nothing later clears them
 * (POPF and sigreturn update only the architectural bits), so every later answer of that QEMU process carries
 * them: the process is poisoned, not the case.
 */
export const QEMU_JUNK_FLAGS = 0x28 | 0x8000 | 0x180000 | 0xffc00000 | IOPL_VM;

/**
 * A QEMU-run oracle that answers every case as an unpoisoned process would. Once an answer carries junk flags,
 * the process is replaced before the next batch. The answers already given by the poisoned process differ from
 * a clean one's only in those junk bits of EFLAGS (QEMU computes every flag and condition from its lazy-flags
 * state, never from them), which are cleared here, except where the guest could have copied EFLAGS into memory
 * (PUSHF/PUSHFD, found by iced-x86): those cases are asked again on the fresh
 * process. The poisoning case's own junk bits are cleared the same way (the SDM says they are 0); whatever
 * else it got wrong is left to known-divergences.ts.
 *
 * Batches run one after the other (each waits for the previous), so a replacement never strands requests already
 * queued in a poisoned process; the CPU still overlaps with the oracle.
 */
export class RestartingOracle {
  private client: OracleClient;
  private chain: Promise<unknown> = Promise.resolve();
  /** Processes replaced so far, answers whose junk bits were cleared, cases asked again (for the summary). */
  restarts = 0;
  cleared = 0;
  reasked = 0;
  /** Answers `timeout` asked again (a watchdog tick met the case, see runClean). */
  retried = 0;
  /** QEMU processes that died mid-batch (see runSurvivingCrashes). */
  crashes = 0;
  private closed = false;

  constructor(private readonly make: () => OracleClient) {
    this.client = make();
  }

  runBatch(reqs: readonly OracleRequest[]): Promise<OracleResponse[]> {
    const run = this.chain.then(() => this.runClean(reqs));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async runClean(reqs: readonly OracleRequest[]): Promise<OracleResponse[]> {
    const out = await this.runUnpoisoned(reqs);
    // The QEMU build ends a case as a timeout at any watchdog tick in guest code (scripts/build-oracle.sh: QEMU
    // loses the x87 state when that signal returns to the guest), so a case that merely met a tick is asked
    // again; one that loops forever times out every time.
    for (let round = 0; round < 3; round++) {
      const again: number[] = [];
      for (let i = 0; i < out.length; i++) if (out[i].status === 'timeout') again.push(i);
      if (!again.length) break;
      const rs = await this.runUnpoisoned(again.map((i) => reqs[i]));
      for (let k = 0; k < again.length; k++) out[again[k]] = rs[k];
      this.retried += again.length;
    }
    return out;
  }

  /**
   * The batch's answers, across QEMU crashes: a poisoned process can abort on a later case (QEMU 7.2's
   * translator asserts that its IOPL matches EFLAGS: "assertion failed: (IOPL(dc) == iopl)"). The cases from the
   * one it died on are asked again on a fresh process; a case that kills two fresh processes at once gets an
   * `error` answer, which fails the test unless known-divergences.ts accepts it (QEMU_ABORTS_ON_JUNK_IOPL).
   */
  private async runSurvivingCrashes(reqs: readonly OracleRequest[]): Promise<OracleResponse[]> {
    const out: OracleResponse[] = new Array(reqs.length);
    let from = 0;
    let fresh = false;
    /** Fresh processes the case at `from` killed at once: twice makes it the case's doing (once may be a stall). */
    let killedFresh = 0;
    while (from < reqs.length) {
      const rs = await this.client.runBatchSettled(reqs.slice(from));
      let died = -1;
      for (let k = 0; k < rs.length && died < 0; k++) {
        const r = rs[k];
        if (r instanceof Error) died = from + k;
        else out[from + k] = r;
      }
      if (died < 0) break;
      const why = (rs[died - from] as Error).message;
      killedFresh = fresh && died === from ? killedFresh + 1 : 0;
      if (killedFresh >= 2) {
        out[died] = { id: reqs[died].id, status: 'error', error: `QEMU dies on this case in a fresh process: ${why}` } as OracleResponse;
        from = died + 1;
        killedFresh = 0;
      } else {
        from = died;
      }
      await this.replace(false);
      this.crashes++;
      fresh = true;
    }
    return out;
  }

  private async runUnpoisoned(reqs: readonly OracleRequest[]): Promise<OracleResponse[]> {
    const out = await this.runSurvivingCrashes(reqs);
    let first = -1;
    for (let i = 0; i < out.length && first < 0; i++) if (hasJunk(out[i])) first = i;
    if (first < 0) return out;
    await this.replace();
    const again: number[] = [];
    for (let i = first + 1; i < out.length; i++) if (hasPushf(reqs[i].code)) again.push(i);
    if (again.length) {
      const rs = await this.runSurvivingCrashes(again.map((i) => reqs[i]));
      for (let k = 0; k < again.length; k++) out[again[k]] = rs[k];
      this.reasked += again.length;
    }
    // The re-asked cases may have poisoned the fresh process in turn.
    const poisonedAgain = again.some((i) => hasJunk(out[i]));
    for (let i = first; i < out.length; i++) {
      if (!hasJunk(out[i])) continue;
      out[i] = { ...out[i], eflags: out[i].eflags & ~QEMU_JUNK_FLAGS };
      this.cleared++;
    }
    if (poisonedAgain) await this.replace();
    return out;
  }

  private async replace(poisoned = true): Promise<void> {
    // After close() (the test ended, maybe on a failure with batches still queued), start nothing new: a fresh
    // process would keep mocha alive.
    if (this.closed) throw new Error('oracle closed');
    const old = this.client;
    this.client = this.make();
    if (poisoned) this.restarts++;
    await old.close();
  }

  info(): ReturnType<OracleClient['info']> {
    return this.client.info();
  }

  close(): Promise<void> {
    this.closed = true;
    return this.client.close();
  }
}

export function hasJunk(r: OracleResponse): boolean {
  return r.status !== 'error' && ((r.eflags ?? 0) & QEMU_JUNK_FLAGS) !== 0;
}

function hasPushf(code: string): boolean {
  if (!/9c/i.test(code)) return false;
  const dec = new Decoder(32, fromHex(code), DecoderOptions.None);
  try {
    while (dec.canDecode) {
      const ins = dec.decode();
      const m = ins.mnemonic;
      ins.free();
      if (m === Mnemonic.Pushf || m === Mnemonic.Pushfd) return true;
    }
    return false;
  } finally {
    dec.free();
  }
}
