/**
 * The reader side of split-based sources. A source's split enumerator runs in the coordinating
 * thread (runtime/job/source-coordinators.ts) and assigns splits to readers wherever they run; the
 * readers of one thread are reached through LocalReaders, and a thread's source tasks reach their
 * enumerators through a SplitGateway: directly within one thread, over a MessagePort from a worker.
 * Deliveries are asynchronous (a microtask or a message) so a reader is never re-entered while
 * it is inside pollNext.
 */
import type { SourceSplit } from "../../connectors/api/source.ts";

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

/** The enumerators' side, as readers reach it: a reader starts, a reader asks for a split. */
export interface EnumeratorRequests {
  addReader(sourceNodeId: number, subtask: number): void;
  handleSplitRequest(sourceNodeId: number, subtask: number): void;
}

/** The source readers of one thread, by (source, subtask): where their splits are delivered. */
export class LocalReaders implements ReaderDelivery {
  private readonly endpoints = new Map<string, ReaderEndpoint>();

  register(sourceNodeId: number, subtask: number, endpoint: ReaderEndpoint): void {
    this.endpoints.set(`${sourceNodeId}:${subtask}`, endpoint);
  }

  addSplits(sourceNodeId: number, subtask: number, splits: readonly SourceSplit[]): void {
    const reader = this.endpoints.get(`${sourceNodeId}:${subtask}`);
    queueMicrotask(() => reader?.addSplits(splits));
  }

  noMoreSplits(sourceNodeId: number, subtask: number): void {
    const reader = this.endpoints.get(`${sourceNodeId}:${subtask}`);
    queueMicrotask(() => reader?.noMoreSplits());
  }
}

/** The gateway of one thread's source tasks: a reader is registered here and announced to its enumerator. */
export function splitGateway(readers: LocalReaders, enumerators: EnumeratorRequests): SplitGateway {
  return {
    registerReader(sourceNodeId, subtask, endpoint) {
      readers.register(sourceNodeId, subtask, endpoint);
      enumerators.addReader(sourceNodeId, subtask);
    },
    requestSplit: (sourceNodeId, subtask) => enumerators.handleSplitRequest(sourceNodeId, subtask),
  };
}
