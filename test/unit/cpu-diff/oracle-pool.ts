import { OracleInfo, OracleRequest, OracleResponse } from './oracle-client';

/** What the differential test needs of an oracle process (OracleClient, or RestartingOracle around QEMU). */
export interface BatchOracle {
  runBatch(reqs: readonly OracleRequest[]): Promise<OracleResponse[]>;
  info(): Promise<OracleInfo>;
  close(): Promise<void>;
}

/**
 * Several oracle processes answering one batch together: the batch is cut into contiguous shards, one per
 * process, and the answers come back in the batch's order. Under QEMU (about 0.25 ms of CPU per case) two
 * processes use both cores of a 2-core machine while the interpreter's side waits; every case is independent
 * (the oracle resets all state per case), so which process answers a case does not change its answer.
 */
export class OraclePool<T extends BatchOracle> implements BatchOracle {
  constructor(readonly members: readonly T[]) {
    if (!members.length) throw new Error('OraclePool needs at least one oracle');
  }

  async runBatch(reqs: readonly OracleRequest[]): Promise<OracleResponse[]> {
    const n = this.members.length;
    const per = Math.ceil(reqs.length / n);
    const parts = await Promise.all(this.members.map((m, i) => {
      const shard = reqs.slice(i * per, (i + 1) * per);
      return shard.length ? m.runBatch(shard) : Promise.resolve([]);
    }));
    return parts.flat();
  }

  info(): Promise<OracleInfo> {
    return this.members[0].info();
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
