/**
 * The shared buffer of matched events (Agrawal et al., SIGMOD 2008; FlinkCEP's SharedBuffer): a
 * graph of nodes, one per event taken into a stage, with an edge per partial match that took it,
 * pointing at the node of the previous event and labelled with the Dewey version of the branch
 * that made it. Partial matches that share a prefix share its nodes; a match is read back by
 * walking the edges whose versions are compatible with the branch's version.
 *
 * The graph holds no reference counts: a node lives as long as a partial match (directly or
 * through later nodes) reaches it, so releasing a partial match is dropping it, in memory as in a
 * checkpoint (which serializes what is reachable). The nodes are plain objects, kept in keyed
 * state with the partial matches; a SharedBuffer only adds nodes and reads them back.
 */
import { isCompatible } from "./dewey-number.ts";

/** One event in the buffer. Numbered when first taken. */
export interface BufferedEvent<E = unknown> {
  readonly id: number;
  readonly ts: number;
  readonly value: E;
}

export interface BufferEdge {
  /** null = the start of the match. */
  readonly to: BufferNode | null;
  readonly version: readonly number[];
}

export interface BufferNode {
  readonly stage: string;
  readonly event: BufferedEvent;
  readonly edges: BufferEdge[];
}

/** A match as stage name -> events (in order), a key for every positive stage. */
export type RawMatch<E = unknown> = Record<string, E[]>;

export class SharedBuffer<E> {
  /** Nodes created for the event being processed, by stage: one node per (event, stage). */
  private readonly nodesOfEvent = new Map<string, BufferNode>();

  /** `stageNames`: the positive stages; a match read back has an entry for each. */
  constructor(private readonly stageNames: readonly string[]) {}

  /** The node of (event, stage), created on first use, with an edge to `previous`. */
  put(
    stage: string,
    record: BufferedEvent<E>,
    previous: BufferNode | null,
    version: readonly number[],
  ): BufferNode {
    let node = this.nodesOfEvent.get(stage);
    if (node === undefined) {
      node = { stage, event: record, edges: [] };
      this.nodesOfEvent.set(stage, node);
    }
    node.edges.push({ to: previous, version });
    return node;
  }

  /** The event is processed: its nodes are complete. */
  endEvent(): void {
    this.nodesOfEvent.clear();
  }

  /** The nodes of a computation state's match, first event first. */
  extractPath(node: BufferNode, version: readonly number[]): BufferNode[] {
    // Depth-first over edges whose versions are compatible; a computation state has one path.
    const stack: Array<{ node: BufferNode | null; version: readonly number[]; path: BufferNode[] }> = [
      { node, version, path: [] },
    ];
    while (stack.length > 0) {
      const item = stack.pop() as { node: BufferNode | null; version: readonly number[]; path: BufferNode[] };
      if (item.node === null) return item.path.reverse();
      item.path.push(item.node);
      let first = true;
      for (const edge of item.node.edges) {
        if (!isCompatible(item.version, edge.version)) continue;
        stack.push({ node: edge.to, version: edge.version, path: first ? item.path : item.path.slice() });
        first = false;
      }
    }
    return [];
  }

  /** The events of a path, stage by stage (every positive stage has an entry). */
  materialize(nodes: readonly BufferNode[]): RawMatch<E> {
    const match: RawMatch<E> = {};
    for (const name of this.stageNames) match[name] = [];
    for (const n of nodes) {
      const list = match[n.stage];
      if (list !== undefined) list.push(n.event.value as E);
    }
    return match;
  }
}
