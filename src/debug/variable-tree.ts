/**
 * The Variables view is a tree; the session hands out a reference per expandable node for the current stop and
 * forgets them all when the guest runs again (DAP's rule: references are valid only while stopped).
 */
export interface VariableNode {
  name: string;
  value: string;
  type?: string;
  evaluateName?: string;
  memoryReference?: string;
  /** Children, computed lazily when the user expands the node. */
  children?: () => VariableNode[] | Promise<VariableNode[]>;
  /** Set when the node can be written with setVariable. */
  setter?: (text: string) => Promise<string>;
  /** Where the value lives and how big it is, when it can be watched by a data breakpoint. */
  data?: { address: number; size: number };
}

export class VariableStore {
  private nodes: (() => VariableNode[] | Promise<VariableNode[]>)[] = [];
  private setters = new Map<string, (text: string) => Promise<string>>();
  private byName = new Map<string, VariableNode>();

  reset(): void {
    this.nodes = [];
    this.setters.clear();
    this.byName.clear();
  }

  add(children: () => VariableNode[] | Promise<VariableNode[]>): number {
    this.nodes.push(children);
    return this.nodes.length;
  }

  async children(ref: number): Promise<VariableNode[]> {
    const f = this.nodes[ref - 1];
    if (!f) return [];
    const list = await f();
    for (const n of list) {
      if (n.setter) this.setters.set(`${ref}/${n.name}`, n.setter);
      this.byName.set(`${ref}/${n.name}`, n);
    }
    return list;
  }

  /** A node handed out by `children` (for dataBreakpointInfo on a variable). */
  node(ref: number, name: string): VariableNode | undefined {
    return this.byName.get(`${ref}/${name}`);
  }

  setter(ref: number, name: string): ((text: string) => Promise<string>) | undefined {
    return this.setters.get(`${ref}/${name}`);
  }
}

export const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
export const hex16 = (v: number): string => '0x' + (v & 0xffff).toString(16).padStart(4, '0');
