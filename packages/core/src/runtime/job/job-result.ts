/**
 * What a run produced, whichever deployment ran it: the plan, the records of collect sinks, final
 * metrics, dead letters, checkpoints, and whether the job was stopped rather than finishing.
 */
import type { CollectHandle } from "../../api/data-stream.ts";
import type { CompletedCheckpoint } from "../../checkpoint/checkpoint-coordinator.ts";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import { emptyProgress, type OperatorProgress } from "./job-metrics.ts";

export interface ChannelStats {
  /** `${exchange}:${from}:${to}` */
  readonly id: string;
  readonly capacity: number;
  /** The most batches the channel ever held at once; never above capacity. */
  readonly peakQueuedBatches: number;
}

/** What a run produced: the plan, the collected records, final metrics and checkpoints. */
export interface JobResultParts {
  readonly plan: PhysicalPlan;
  readonly collected: ReadonlyMap<string, unknown[]>;
  readonly operators: readonly OperatorProgress[];
  /** Dead letters no stream consumed (logged and counted). */
  readonly deadLetters: number;
  readonly durationMs: number;
  /** True when the job was stopped (signal) rather than finishing its input. */
  readonly stopped: boolean;
  /** Occupancy of the in-thread channels (runJob only). */
  readonly channels?: readonly ChannelStats[];
  /** Checkpoints completed in this run, with their statistics. */
  readonly checkpoints?: readonly CompletedCheckpoint[];
  /** The checkpoint this run resumed from, if any. */
  readonly restoredFrom?: number;
}

export class JobResult {
  readonly plan: PhysicalPlan;
  readonly operators: readonly OperatorProgress[];
  readonly deadLetters: number;
  readonly durationMs: number;
  readonly stopped: boolean;
  readonly channels: readonly ChannelStats[];
  readonly checkpoints: readonly CompletedCheckpoint[];
  readonly restoredFrom: number | undefined;
  private readonly collectedByUid: ReadonlyMap<string, unknown[]>;

  constructor(parts: JobResultParts) {
    this.plan = parts.plan;
    this.collectedByUid = parts.collected;
    this.operators = parts.operators;
    this.deadLetters = parts.deadLetters;
    this.durationMs = parts.durationMs;
    this.stopped = parts.stopped;
    this.channels = parts.channels ?? [];
    this.checkpoints = parts.checkpoints ?? [];
    this.restoredFrom = parts.restoredFrom;
  }

  /** The result of a run that found its job already finished in its latest checkpoint: nothing ran. */
  static alreadyFinished(plan: PhysicalPlan, checkpointId: number): JobResult {
    return new JobResult({
      plan,
      collected: new Map(),
      operators: emptyProgress(plan),
      deadLetters: 0,
      durationMs: 0,
      stopped: false,
      restoredFrom: checkpointId,
    });
  }

  /** The records of a collect sink, by handle or uid. */
  collected<T>(sink: CollectHandle<T> | string): T[] {
    const uid = typeof sink === "string" ? sink : sink.uid;
    const records = this.collectedByUid.get(uid);
    if (records !== undefined) return records as T[];
    if (this.plan.nodes.some((n) => n.uid === uid && n.spec.kind === "sink")) return [];
    throw new Error(`no collect sink with uid '${uid}' in job '${this.plan.jobName}'`);
  }
}
