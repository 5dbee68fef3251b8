import { vectorName } from '../vmm/monitor/stop-description';

/** The Call Stack's label for an interrupt frame: "[interrupt 32 from ring 3]", "[#PF (exception 14) from ring 0]". */
export function vectorLabel(vector: number, ring: number): string {
  if (vector < 0) return `[sysenter from ring ${ring}]`;
  if (vector < 32) return `[${vectorName(vector)} (exception ${vector}) from ring ${ring}]`;
  return `[interrupt ${vector} from ring ${ring}]`;
}
