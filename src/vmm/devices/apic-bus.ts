/**
 * The interrupt messages that travel between I/O APICs and local APICs (the system bus on P6 and later), and
 * the routing of a message to its destination local APICs.
 */

export enum DeliveryMode {
  Fixed = 0,
  LowestPriority = 1,
  Smi = 2,
  Nmi = 4,
  Init = 5,
  StartUp = 6,
  ExtInt = 7,
}

export interface ApicMessage {
  vector: number;
  mode: DeliveryMode;
  /** false: physical destination (APIC ID); true: logical (matched against LDR/DFR). */
  logical: boolean;
  dest: number;
  /** Level-triggered: the target sets its TMR bit and reports the EOI back. */
  level: boolean;
  /** For INIT: false is the "INIT level de-assert" that real software sends and that does nothing. */
  assert: boolean;
}

/** What the bus needs from a local APIC. */
export interface ApicTarget {
  readonly id: number;
  /** Whether `dest` in logical mode selects this APIC (flat or cluster model per its DFR). */
  matchesLogical(dest: number): boolean;
  /** Task priority, for lowest-priority arbitration. */
  readonly tpr: number;
  accept(msg: ApicMessage): void;
}

export class ApicBus {
  readonly apics: ApicTarget[] = [];
  /** Messages that found no destination, for statistics. */
  lost = 0;

  add(apic: ApicTarget): void {
    this.apics.push(apic);
  }

  /** The APICs a destination selects (shorthands are resolved by the sender). */
  targets(logical: boolean, dest: number): ApicTarget[] {
    if (!logical) return dest === 0xff ? this.apics.slice() : this.apics.filter((a) => a.id === dest);
    return this.apics.filter((a) => a.matchesLogical(dest));
  }

  deliver(msg: ApicMessage, targets = this.targets(msg.logical, msg.dest)): void {
    if (targets.length === 0) {
      this.lost++;
      return;
    }
    if (msg.mode === DeliveryMode.LowestPriority) {
      // Deterministic arbitration: lowest TPR, ties to the lowest APIC ID.
      let best = targets[0];
      for (const t of targets) if (t.tpr < best.tpr || (t.tpr === best.tpr && t.id < best.id)) best = t;
      best.accept({ ...msg, mode: DeliveryMode.Fixed });
      return;
    }
    for (const t of targets) t.accept(msg);
  }
}
