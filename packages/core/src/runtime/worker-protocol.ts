/**
 * Messages between the coordinator (main thread) and the worker threads of a parallel run.
 * Plain data only: they are structured-cloned.
 */
import type { MessagePort } from "node:worker_threads";
import type { DeadLetter } from "../api/output-tag.ts";
import type { SourceSplit } from "../connectors/source.ts";
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
}

export type ToWorker =
  | { type: "splits"; node: number; subtask: number; splits: SourceSplit[] }
  | { type: "no-more-splits"; node: number; subtask: number }
  | { type: "cancel" };

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
    }
  | { type: "failed"; slot: number; error: SerializedError };

export function channelId(exchange: number, from: number, to: number): string {
  return `${exchange}:${from}:${to}`;
}
