/**
 * The coordinator side of split-based sources: one split enumerator per source operator, running
 * in the coordinating thread, assigning splits to the readers wherever the deployment runs them.
 * While a checkpoint is being taken at the sources, assignments are held back and delivered
 * after (so a split is never both in an enumerator's snapshot and in a reader's).
 */
import type { Recovery } from "../../checkpoint/recovery.ts";
import type { SourceSplit } from "../../connectors/api/source.ts";
import type { SplitEnumerator } from "../../connectors/api/split-enumerator.ts";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import type { EnumeratorRequests, ReaderDelivery } from "../task/split-coordination.ts";

export class SourceCoordinators implements EnumeratorRequests {
  private readonly enumerators = new Map<number, SplitEnumerator<SourceSplit>>();
  /** Deliveries held back while a checkpoint is being taken at the sources. */
  private held: (() => void)[] | undefined;

  constructor(
    private readonly plan: PhysicalPlan,
    recovery: Recovery | undefined,
    readers: ReaderDelivery,
  ) {
    for (const node of plan.nodes)
      if (node.spec.kind === "source")
        this.enumerators.set(
          node.id,
          node.spec.source.createEnumerator(
            {
              parallelism: plan.parallelism[node.id],
              assignSplits: (subtask, splits) =>
                this.deliver(() => readers.addSplits(node.id, subtask, splits)),
              signalNoMoreSplits: (subtask) => this.deliver(() => readers.noMoreSplits(node.id, subtask)),
            },
            recovery?.restore?.splitsOf(node.uid),
          ),
        );
  }

  async start(): Promise<void> {
    for (const enumerator of this.enumerators.values()) await enumerator.start();
  }

  async close(): Promise<void> {
    for (const enumerator of this.enumerators.values()) await enumerator.close();
  }

  addReader(sourceNodeId: number, subtask: number): void {
    this.enumerators.get(sourceNodeId)?.addReader(subtask);
  }

  handleSplitRequest(sourceNodeId: number, subtask: number): void {
    this.enumerators.get(sourceNodeId)?.handleSplitRequest(subtask);
  }

  /** Holds split assignments back (a checkpoint is being taken at the sources), or releases them. */
  pause(paused: boolean): void {
    if (paused) this.held ??= [];
    else {
      const held = this.held ?? [];
      this.held = undefined;
      for (const deliver of held) deliver();
    }
  }

  /** Unassigned splits of every source, by source uid. */
  snapshot(checkpointId: number): Record<string, SourceSplit[]> {
    const result: Record<string, SourceSplit[]> = {};
    for (const [nodeId, enumerator] of this.enumerators)
      result[this.plan.nodes[nodeId].uid] = enumerator.snapshotState(checkpointId);
    return result;
  }

  private deliver(action: () => void): void {
    if (this.held !== undefined) this.held.push(action);
    else action();
  }
}
