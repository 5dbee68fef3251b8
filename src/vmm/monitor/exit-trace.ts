import { ExitReason } from '../cpu/cpu-host';
import type { ExitRecord, ExitRing } from './exit-ring';
import { EXIT_NAMES } from './exit-names';

/**
 * The exit-trace format (`.rstrace`, grammar in syntaxes/, described in syntaxes/README.md): one exit per
 * line, no wall-clock times, so two runs of the same guest give the same file and can be diffed.
 */
export const TRACE_HEADER = '# ringside exit trace v1';

const hex = (v: number, digits = 0) => '0x' + (v >>> 0).toString(16).padStart(digits, '0');
const TABLES = ['GDT', '?', 'IDT', '?', 'LDT', 'TR'];
/** Exception mnemonics as the grammar knows them (vectors 0-19; 9 and 15 have none). */
const VECTORS = ['#DE', '#DB', '#NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', '', '#TS', '#NP', '#SS', '#GP', '#PF', '', '#MF', '#AC', '#MC', '#XM'];

/** The reason-specific `key=value` fields of an exit. */
function fields(r: ExitRecord): string {
  const d = r.detail;
  switch (r.reason) {
    case ExitReason.IoIn:
    case ExitReason.IoOut:
      return `port=${hex(d & 0xffff)}`;
    case ExitReason.CrWrite:
    case ExitReason.CrRead:
      return `cr=${d}`;
    case ExitReason.DrWrite:
    case ExitReason.DrRead:
      return `dr=${d}`;
    case ExitReason.DescriptorTableLoad:
      return `table=${TABLES[d] ?? d}`;
    case ExitReason.Invlpg:
      return `address=${hex(d, 8)}`;
    case ExitReason.Msr:
      return `msr=${hex(d)}`;
    case ExitReason.InterruptFlag:
      return `if=${d}`;
    case ExitReason.Exception:
      return d === 0x100 ? 'vector=#DF' : VECTORS[d] ? `vector=${VECTORS[d]}` : `vector=${d}`;
    case ExitReason.ExternalInterrupt:
    case ExitReason.SoftwareInterrupt:
      return `vector=${hex(d)}`;
    case ExitReason.Cpuid:
      return `leaf=${hex(d)}`;
    case ExitReason.TaskSwitch:
      return `selector=${hex(d & 0xffff)}`;
    case ExitReason.ModeSwitch:
      return `value=${hex(d)}`;
    case ExitReason.RingTransition:
      return `cpl=${d}`;
    case ExitReason.Lmsw:
      return `value=${hex(d & 0xffff)}`;
    case ExitReason.CacheFlush:
      return `op=${d === 8 ? 'invd' : 'wbinvd'}`;
    default:
      return d ? `detail=${hex(d)}` : '';
  }
}

/** One trace line for exit `r` of the VM called `vm`. */
export function formatExit(vm: string, r: ExitRecord): string {
  const name = r.reason === ExitReason.Exception && r.detail === 0x100 ? 'TripleFault' : EXIT_NAMES[r.reason] ?? `Exit${r.reason}`;
  const f = fields(r);
  return `[${vm.replace(/[^\w.-]/g, '_')} cpu${r.cpu} @${r.icount}] ${name}${f ? ' ' + f : ''} eip=${hex(r.eip, 8)} cs=${hex(r.cs, 4)}`;
}

/**
 * Reads a VM's ring in order, each exit once: the CLI's `--trace-exits` drains it between run slices. With
 * `complete`, the ring calls `write` with the lines before it overwrites any unread exit, so nothing is lost
 * whatever the exit rate; without, exits that fell out before being read are reported as a comment line.
 */
export class ExitTraceReader {
  private next = 0;

  constructor(private readonly vm: string, private readonly ring: ExitRing, write?: (lines: string[]) => void) {
    if (write) ring.onFull = () => write(this.drain());
  }

  drain(): string[] {
    const out: string[] = [];
    const first = this.ring.first;
    if (this.next < first) {
      out.push(`# ${first - this.next} exits lost (the ring holds ${this.ring.size}; trace more often)`);
      this.next = first;
    }
    for (; this.next < this.ring.total; this.next++) out.push(formatExit(this.vm, this.ring.at(this.next)));
    this.ring.readUpTo = this.next;
    return out;
  }
}
