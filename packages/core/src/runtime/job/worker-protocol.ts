/**
 * Messages between the coordinator (main thread) and the worker threads of a parallel run.
 * Plain data only: they are structured-cloned.
 */
import type { MessagePort } from "node:worker_threads";
import type { DeadLetter } from "../../api/output-tag.ts";
import type { TaskAcknowledgement } from "../../checkpoint/snapshot.ts";
import type { SourceSplit } from "../../connectors/api/source.ts";
import type { MetricsSample } from "./job-metrics.ts";

export interface WorkerData {
  readonly moduleUrl: string;
  readonly config: Record<string, unknown>;
  readonly parallelism: number | undefined;
  readonly slot: number;
  readonly fingerprint: string;
  /** Channel ends this worker owns, by `${exchange}:${from}:${to}`. */
  readonly ports: Record<string, MessagePort>;
  readonly progressIntervalMs: number | undefined;
  /**
   * Checkpointing: where the store is, and the checkpoint to restore (0 = none) or the savepoint
   * directory to restore (a savepoint is not in the store, and its id may be one of the store's).
   */
  readonly checkpoints: { dir: string; restoreId: number; savepoint?: string } | undefined;
  /** Modules the worker imports before the job module: those that registered state backends here. */
  readonly preload?: readonly string[];
}

export type ToWorker =
  | { type: "splits"; node: number; subtask: number; splits: SourceSplit[] }
  | { type: "no-more-splits"; node: number; subtask: number }
  | { type: "cancel" }
  | { type: "trigger"; id: number };

export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

export type FromWorker =
  | { type: "register-reader"; node: number; subtask: number }
  | { type: "split-request"; node: number; subtask: number }
  | { type: "metrics"; slot: number; sample: MetricsSample }
  | { type: "dead-letter"; letter: DeadLetter }
  | {
      type: "finished";
      slot: number;
      collected: [string, unknown[]][];
      sample: MetricsSample;
      stopped: boolean;
      /** Sink pre-commits taken at the end of input (checkpointing only). */
      finalCommittables: Record<string, unknown[]>[];
    }
  | { type: "failed"; slot: number; error: SerializedError }
  | { type: "ready"; slot: number }
  | { type: "ack"; ack: TaskAcknowledgement }
  | { type: "decline"; id: number; reason: string; committables?: Record<string, unknown[]> };

export function channelId(exchange: number, from: number, to: number): string {
  return `${exchange}:${from}:${to}`;
}
