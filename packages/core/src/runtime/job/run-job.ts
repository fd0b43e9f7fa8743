/**
 * Runs a job in this process. `runJob(job)` runs every subtask in the calling thread (any
 * parallelism: the subtasks take turns); `runJobModule(url)` runs a job module on worker threads,
 * one thread per slot, each importing the module (see worker-runner.ts). Both return the same
 * result: collected outputs, final metrics and the count of dead letters.
 */
import type { CollectHandle } from "../../api/data-stream.ts";
import type { Job } from "../../api/job.ts";
import type { OperatorSpec } from "../../api/logical-plan.ts";
import type { DeadLetter } from "../../api/output-tag.ts";
import {
  CheckpointCoordinator,
  type CheckpointOptions,
  type CompletedCheckpoint,
} from "../../checkpoint/checkpoint-coordinator.ts";
import { prepareRecovery, type Recovery } from "../../checkpoint/recovery.ts";
import type { Source } from "../../connectors/api/source.ts";
import { describeRecord } from "../../errors.ts";
import { type PhysicalPlan, type PlanOverrides, planJob } from "../../plan/physical-plan.ts";
import { removeStaleStateDirs } from "../../state/lmdb-keyed-state-backend.ts";
import { type Clock, systemClock } from "../../time/time.ts";
import { deployTasks } from "../task/deploy.ts";
import { LocalSplitGateway, SourceCoordinator } from "../task/split-coordination.ts";
import type { Task } from "../task/task.ts";
import { TaskExecutor } from "../task/task-executor.ts";
import type { JobControl } from "./job-control.ts";
import {
  aggregateSamples,
  emptyProgress,
  type JobProgress,
  type OperatorProgress,
  sampleTasks,
} from "./job-metrics.ts";
import { LocalChannelProvider } from "./local-channels.ts";
import { type RestartStrategy, runWithRestarts } from "./restart-strategy.ts";

export interface RunOptions extends PlanOverrides {
  /** Processing time source; tests pass a ManualClock. */
  clock?: Clock;
  /** Stops an unbounded job (or a bounded one early). */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` while the job runs, and once at the end. */
  onProgress?: (progress: JobProgress) => void;
  progressIntervalMs?: number;
  /** Where unconsumed dead letters are reported; stderr by default. */
  onDeadLetter?: (letter: DeadLetter) => void;
  /** Periodic checkpoints and recovery from the latest one; off when absent. */
  checkpointing?: CheckpointOptions;
  /** Warnings (a corrupt checkpoint skipped, a checkpoint discarded); stderr by default. */
  onWarning?: (message: string) => void;
  /** What to do when the running job fails with a retriable error; no restart when absent. */
  restartStrategy?: RestartStrategy;
  /** A handle to take savepoints of the running job, or stop it with one. */
  control?: JobControl;
}

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

export function defaultDeadLetterLog(): (letter: DeadLetter) => void {
  let logged = 0;
  return (letter) => {
    logged++;
    if (logged === 21)
      process.stderr.write(
        "[eddy] further dead letters are not printed (only every 10,000th); 21 so far; " +
          "the summary gives the total (read them all with job.deadLetters())\n",
      );
    if (logged <= 20 || logged % 10_000 === 0)
      process.stderr.write(
        `[eddy] dead letter #${logged} from '${letter.operatorName}' (uid '${letter.operatorUid}')` +
          `${letter.position ? ` at ${letter.position}` : ""}: ${letter.error}; record ${describeRecord(letter.record)}\n`,
      );
  };
}

export function expectedRecords(plan: PhysicalPlan): number | undefined {
  let total = 0;
  for (const node of plan.nodes) {
    if (node.spec.kind !== "source") continue;
    const source = (node.spec as Extract<OperatorSpec, { kind: "source" }>).source as Source<unknown>;
    if (source.boundedness !== "bounded" || source.estimatedRecords === undefined) return undefined;
    total += source.estimatedRecords;
  }
  return total;
}

export function defaultWarn(message: string): void {
  process.stderr.write(`[eddy] warning: ${message}\n`);
}

/**
 * Runs the job in this thread until its input ends or `signal` aborts; with a restart strategy,
 * a failed run is restarted (from the latest checkpoint when checkpointing is on).
 */
export function runJob(job: Job, options: RunOptions = {}): Promise<JobResult> {
  return runWithRestarts(
    () => runJobOnce(job, options),
    options.restartStrategy,
    options.onWarning ?? defaultWarn,
  );
}

async function runJobOnce(job: Job, options: RunOptions): Promise<JobResult> {
  const plan = planJob(job, options);
  const { warn, recovery } = await prepareRun(plan, options);
  if (recovery?.alreadyFinished) return JobResult.alreadyFinished(plan, recovery.lastCheckpointId);
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  let deadLetters = 0;
  const log = options.onDeadLetter ?? defaultDeadLetterLog();
  const collected = new Map<string, unknown[]>();
  const gateway = new LocalSplitGateway();
  let executor!: TaskExecutor;
  const wake = () => executor?.wake();
  for (const node of plan.nodes)
    if (node.spec.kind === "source")
      gateway.addCoordinator(
        new SourceCoordinator(
          node.id,
          node.spec.source,
          plan.parallelism[node.id],
          gateway,
          recovery?.restore?.splitsOf(node.uid),
        ),
      );
  await gateway.startAll();
  const channels = new LocalChannelProvider(plan.options.channelCapacity, wake);
  let coordinator: CheckpointCoordinator | undefined;
  const tasks: Task[] = await deployTasks({
    plan,
    runs: () => true,
    channels,
    splits: gateway,
    clock,
    wake,
    collected,
    onUnconsumedDeadLetter: (letter) => {
      deadLetters++;
      log(letter);
    },
    checkpoints:
      recovery === undefined
        ? undefined
        : {
            store: recovery.store,
            acknowledge: (ack) => coordinator?.acknowledge(ack),
            decline: (id, reason) => coordinator?.decline(id, reason),
          },
    restore:
      recovery?.restore === undefined ? undefined : (uid, range) => recovery.restore!.forOperator(uid, range),
  });
  executor = new TaskExecutor(tasks, clock);
  if (recovery !== undefined) {
    const sources = tasks.filter((t) => t.input.kind === "source");
    coordinator = new CheckpointCoordinator(
      recovery.store,
      { name: plan.jobName, maxParallelism: plan.options.maxParallelism },
      { all: tasks.map(taskKey), sources: sources.map(taskKey) },
      recovery.committers,
      {
        triggerSources: (id) => {
          for (const t of tasks) t.notifyCheckpoint(id);
          return true;
        },
        snapshotEnumerators: (id) => gateway.snapshotEnumerators(id, plan),
        pauseSplitAssignment: (paused) => gateway.pause(paused),
        warn,
        fail: (error) => executor.fail(error),
      },
      options.checkpointing!,
      recovery.lastCheckpointId,
    );
  }
  const progress = (): JobProgress => ({
    jobName: plan.jobName,
    elapsedMs: performance.now() - started,
    operators: aggregateSamples(plan, [sampleTasks(tasks)]),
    expectedSourceRecords: expectedRecords(plan),
    deadLetters,
  });
  const onAbort = () => executor.cancel();
  options.signal?.addEventListener("abort", onAbort);
  const timer =
    options.onProgress === undefined
      ? undefined
      : setInterval(() => options.onProgress!(progress()), options.progressIntervalMs ?? 500);
  options.control?.attach({
    jobName: plan.jobName,
    checkpointDir: recovery?.store.location,
    checkpointNow: (options) => {
      if (coordinator === undefined)
        return Promise.reject(new Error("checkpointing is off for this job: it takes no checkpoints"));
      return coordinator.checkpointNow(options);
    },
    stop: () => executor.cancel(),
  });
  try {
    coordinator?.start();
    await executor.run();
    if (coordinator !== undefined) {
      if (executor.isCancelled) await coordinator.abortPending();
      else await coordinator.finish(await Promise.all(tasks.map((t) => t.takeFinalCommittables())));
      if (coordinator.error !== undefined) throw coordinator.error;
    }
  } finally {
    options.control?.attach(undefined);
    coordinator?.stop();
    if (timer !== undefined) clearInterval(timer);
    options.signal?.removeEventListener("abort", onAbort);
    await gateway.close();
  }
  const final = progress();
  options.onProgress?.(final);
  const channelStats = [...channels.channels].map(([id, c]) => ({
    id,
    capacity: c.capacity,
    peakQueuedBatches: c.peakQueuedBatches,
  }));
  return new JobResult({
    plan,
    collected,
    operators: final.operators,
    deadLetters,
    durationMs: final.elapsedMs,
    // A stop with a savepoint that completed ends the run there, even if the input ended meanwhile.
    stopped: executor.isCancelled || coordinator?.stoppedAt !== undefined,
    channels: channelStats,
    checkpoints: coordinator?.completed,
    restoredFrom: recovery?.restore?.checkpointId,
  });
}

/**
 * What every run does before deploying, in one thread or on workers: clear LMDB scratch left by
 * killed processes, and find the checkpoint or savepoint to resume from (re-committing its sinks).
 */
export async function prepareRun(
  plan: PhysicalPlan,
  options: Pick<RunOptions, "onWarning" | "checkpointing">,
): Promise<{ warn: (message: string) => void; recovery: Recovery | undefined }> {
  const warn = options.onWarning ?? defaultWarn;
  if (plan.options.stateBackend === "lmdb") await removeStaleStateDirs(plan.options.stateDir, plan.jobName);
  const recovery =
    options.checkpointing === undefined
      ? undefined
      : await prepareRecovery(plan, options.checkpointing, warn);
  return { warn, recovery };
}

function taskKey(task: Task): string {
  return `${task.vertexId}:${task.subtaskIndex}`;
}
