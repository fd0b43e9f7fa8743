/**
 * The coordinator side of split-based sources: one enumerator per source operator, running in the
 * coordinator (the main thread), assigning splits to readers wherever they run. Readers reach it
 * through a SplitGateway: directly within one thread, over a MessagePort from a worker.
 * Deliveries are asynchronous (a microtask or a message) so a reader is never re-entered while
 * it is inside pollNext.
 */
import type { Source, SourceSplit } from "../../connectors/api/source.ts";
import type { SplitEnumerator } from "../../connectors/api/split-enumerator.ts";

export interface ReaderEndpoint {
  addSplits(splits: readonly SourceSplit[]): void;
  noMoreSplits(): void;
}

/** What a source task uses to talk to its enumerator. */
export interface SplitGateway {
  registerReader(sourceNodeId: number, subtask: number, endpoint: ReaderEndpoint): void;
  requestSplit(sourceNodeId: number, subtask: number): void;
}

/** Where the coordinator delivers an enumerator's decisions. */
export interface ReaderDelivery {
  addSplits(sourceNodeId: number, subtask: number, splits: readonly SourceSplit[]): void;
  noMoreSplits(sourceNodeId: number, subtask: number): void;
}

export class SourceCoordinator {
  readonly enumerator: SplitEnumerator<SourceSplit>;
  constructor(
    readonly sourceNodeId: number,
    source: Source<unknown, SourceSplit>,
    parallelism: number,
    delivery: ReaderDelivery,
    /** Splits from a checkpoint (readers' positions and unassigned ones); fresh start when undefined. */
    restoredSplits?: readonly SourceSplit[],
  ) {
    this.enumerator = source.createEnumerator(
      {
        parallelism,
        assignSplits: (subtask, splits) => delivery.addSplits(sourceNodeId, subtask, splits),
        signalNoMoreSplits: (subtask) => delivery.noMoreSplits(sourceNodeId, subtask),
      },
      restoredSplits,
    );
  }
}

/** Enumerators and readers in one thread. */
export class LocalSplitGateway implements SplitGateway, ReaderDelivery {
  private readonly coordinators = new Map<number, SourceCoordinator>();
  private readonly readers = new Map<string, ReaderEndpoint>();
  /** Deliveries held back while a checkpoint is being taken at the sources. */
  private held: (() => void)[] | undefined;

  pause(paused: boolean): void {
    if (paused) this.held ??= [];
    else {
      const held = this.held ?? [];
      this.held = undefined;
      for (const deliver of held) deliver();
    }
  }

  /** Unassigned splits of every source, by source uid. */
  snapshotEnumerators(
    checkpointId: number,
    plan: { nodes: readonly { id: number; uid: string }[] },
  ): Record<string, SourceSplit[]> {
    const result: Record<string, SourceSplit[]> = {};
    for (const [nodeId, c] of this.coordinators)
      result[plan.nodes[nodeId].uid] = c.enumerator.snapshotState(checkpointId);
    return result;
  }

  private deliver(action: () => void): void {
    if (this.held !== undefined) this.held.push(action);
    else queueMicrotask(action);
  }

  addCoordinator(coordinator: SourceCoordinator): void {
    this.coordinators.set(coordinator.sourceNodeId, coordinator);
  }

  async startAll(): Promise<void> {
    for (const c of this.coordinators.values()) await c.enumerator.start();
  }

  async close(): Promise<void> {
    for (const c of this.coordinators.values()) await c.enumerator.close();
  }

  registerReader(sourceNodeId: number, subtask: number, endpoint: ReaderEndpoint): void {
    this.readers.set(`${sourceNodeId}:${subtask}`, endpoint);
    queueMicrotask(() => this.coordinators.get(sourceNodeId)!.enumerator.addReader(subtask));
  }

  requestSplit(sourceNodeId: number, subtask: number): void {
    queueMicrotask(() => this.coordinators.get(sourceNodeId)!.enumerator.handleSplitRequest(subtask));
  }

  addSplits(sourceNodeId: number, subtask: number, splits: readonly SourceSplit[]): void {
    const reader = this.readers.get(`${sourceNodeId}:${subtask}`);
    this.deliver(() => reader?.addSplits(splits));
  }

  noMoreSplits(sourceNodeId: number, subtask: number): void {
    const reader = this.readers.get(`${sourceNodeId}:${subtask}`);
    this.deliver(() => reader?.noMoreSplits());
  }
}
