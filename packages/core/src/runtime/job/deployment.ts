/**
 * Where a job's tasks run, as the job driver sees it. The driver (job-driver.ts) plans, recovers,
 * runs the split enumerators and the checkpoint coordinator, reports progress, and answers stops
 * and savepoints; a Deployment places the tasks and carries messages to and from them. Two
 * implementations: every task in this thread (in-thread-deployment.ts) and one worker thread per
 * slot (worker-deployment.ts).
 */
import type { DeadLetter } from "../../api/output-tag.ts";
import type { Recovery } from "../../checkpoint/recovery.ts";
import type { TaskAcknowledgement } from "../../checkpoint/snapshot.ts";
import type { EnumeratorRequests, ReaderDelivery } from "../task/split-coordination.ts";
import type { MetricsSample } from "./job-metrics.ts";
import type { ChannelStats } from "./job-result.ts";

/** What the tasks report to the driver while they run. */
export interface DeploymentEvents {
  /** Source readers starting and asking for splits. */
  readonly enumerators: EnumeratorRequests;
  /** A task's part of a checkpoint is written, or cannot be. */
  acknowledge(ack: TaskAcknowledgement): void;
  /** `committables`: what the task's sinks sealed for it anyway (committed with a later checkpoint). */
  decline(checkpointId: number, reason: string, committables?: Record<string, unknown[]>): void;
  /** A dead letter no stream consumes: counted and logged, never lost silently. */
  deadLetter(letter: DeadLetter): void;
}

/** How the tasks ended, once all of them have. */
export interface DeploymentOutcome {
  /** Cancelled (a stop) rather than finishing their input. */
  readonly stopped: boolean;
  /** Records of the collect sinks, by uid. */
  readonly collected: ReadonlyMap<string, unknown[]>;
  /** Sink pre-commits taken at the end of input, one record per task. */
  readonly finalCommittables: readonly Record<string, unknown[]>[];
}

export interface Deployment {
  /** Where the enumerators' split assignments go: to readers in this thread or in the workers. */
  readonly readers: ReaderDelivery;
  /** Deploys every task; resolves once all are ready to run (state restored, readers started). */
  start(events: DeploymentEvents): Promise<void>;
  /** Runs the tasks (or waits for them) until every one has ended; rejects with the first failure. */
  run(): Promise<DeploymentOutcome>;
  /** Asks the source tasks to start checkpoint `id` (the others take it when its barrier reaches them). */
  triggerCheckpoint(id: number): void;
  /** Stops every task: sinks flush what they have and the run ends as stopped. */
  cancel(): void;
  /** Fails the run with `error` (from outside the tasks: the checkpoint coordinator). */
  fail(error: Error): void;
  /** The latest metrics of every task, one sample per thread. */
  samples(): readonly MetricsSample[];
  /** Occupancy of the channels this deployment can see. */
  channelStats(): readonly ChannelStats[];
  /** Lets go of what is left once the run has ended (waits for worker threads to exit). */
  close(): Promise<void>;
}

/** A deployment of one plan, made once the run knows what it restores from. */
export type DeploymentFactory = (recovery: Recovery | undefined) => Deployment;
