/**
 * The job driver: what every run does, wherever its tasks run. It plans nothing itself (it is
 * given the physical plan) but does the rest once: clears LMDB scratch and finds the checkpoint
 * to resume from, runs the sources' split enumerators, runs the checkpoint coordinator, reports
 * progress, stops on the abort signal, connects the JobControl, cleans up whatever happens, and
 * builds the JobResult. The tasks run on a Deployment: in this thread or on worker threads.
 */
import type { DeadLetter } from "../../api/output-tag.ts";
import { CheckpointCoordinator, type CheckpointOptions } from "../../checkpoint/checkpoint-coordinator.ts";
import {
  type EndOfInputCommit,
  prepareCommitWithoutCheckpoints,
} from "../../checkpoint/commit-without-checkpoints.ts";
import { checkRunDirectories } from "../../checkpoint/directory-check.ts";
import { defaultCheckpointDir, prepareRecovery, type Recovery } from "../../checkpoint/recovery.ts";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import { resolveStateBackend } from "../../state/state-backend-factory.ts";
import type { TimerService } from "../../time/timer-service.ts";
import type { Deployment, DeploymentEvents, DeploymentFactory, DeploymentOutcome } from "./deployment.ts";
import { attachRunningJob, defaultSavepointDir, type JobControl } from "./job-control.ts";
import { aggregateSamples, expectedRecords, type JobProgress } from "./job-metrics.ts";
import { JobResult } from "./job-result.ts";
import { defaultDeadLetterLog, defaultWarn, type RunOptions } from "./run-options.ts";
import { SourceCoordinators } from "./source-coordinators.ts";

export type DriverOptions = Omit<RunOptions, "clock" | "restartStrategy" | "parallelism">;

/** Runs `plan` once on the deployment `deploy` makes, until its input ends, it is stopped, or it fails. */
export async function driveJob(
  plan: PhysicalPlan,
  deploy: DeploymentFactory,
  options: DriverOptions,
): Promise<JobResult> {
  const warn = options.onWarning ?? defaultWarn;
  const { recovery, endOfInputCommit } = await prepareRun(plan, options, warn);
  try {
    if (recovery?.alreadyFinished) return JobResult.alreadyFinished(plan, recovery.lastCheckpointId);
    return await runPrepared(plan, deploy, options, warn, recovery, endOfInputCommit);
  } finally {
    // The checkpoint directory's lock, whatever happened since it was taken.
    await recovery?.release();
  }
}

async function runPrepared(
  plan: PhysicalPlan,
  deploy: DeploymentFactory,
  options: DriverOptions,
  warn: (message: string) => void,
  recovery: Recovery | undefined,
  endOfInputCommit: EndOfInputCommit | undefined,
): Promise<JobResult> {
  const started = performance.now();
  const deployment = deploy(recovery);
  const sources = new SourceCoordinators(plan, recovery, deployment.readers);
  const checkpoints =
    recovery === undefined
      ? undefined
      : coordinateCheckpoints(
          plan,
          recovery,
          sources,
          deployment,
          warn,
          options.checkpointing!,
          options.timers,
        );
  const deadLetters = new DeadLetterCount(options.onDeadLetter ?? defaultDeadLetterLog());
  const progress = (): JobProgress => ({
    jobName: plan.jobName,
    elapsedMs: performance.now() - started,
    operators: aggregateSamples(plan, deployment.samples()),
    expectedSourceRecords: expectedRecords(plan),
    deadLetters: deadLetters.count,
  });
  const events: DeploymentEvents = {
    enumerators: sources,
    acknowledge: (ack) => checkpoints?.acknowledge(ack),
    decline: (id, reason, committables) => checkpoints?.decline(id, reason, committables),
    deadLetter: (letter) => deadLetters.add(letter),
  };
  const watch = watchRun(deployment, progress, options);
  let outcome: DeploymentOutcome;
  try {
    await sources.start();
    await deployment.start(events);
    checkpoints?.start();
    options.control?.[attachRunningJob](runningJob(plan, recovery, checkpoints, deployment));
    outcome = await deployment.run();
    if (checkpoints !== undefined) await finishCheckpoints(checkpoints, outcome);
    else if (!outcome.stopped) await endOfInputCommit?.commit([...outcome.finalCommittables]);
  } finally {
    options.control?.[attachRunningJob](undefined);
    checkpoints?.stop();
    watch.stop();
    await sources.close();
  }
  await deployment.close();
  const final = progress();
  options.onProgress?.(final);
  return new JobResult({
    plan,
    collected: outcome.collected,
    operators: final.operators,
    deadLetters: deadLetters.count,
    durationMs: final.elapsedMs,
    // A stop with a savepoint that completed ends the run there, even if the input ended meanwhile.
    stopped: outcome.stopped || checkpoints?.stoppedAt !== undefined,
    channels: deployment.channelStats(),
    checkpoints: checkpoints?.completed,
    restoredFrom: recovery?.restore?.checkpointId,
  });
}

/**
 * Before deploying: check the directories the run will write (before any input is read), let the
 * state backend clear scratch left by killed processes (LMDB's), and find the checkpoint or
 * savepoint to resume from (re-committing its sinks), holding the checkpoint directory's lock
 * until `recovery.release()`. Without checkpointing, transactional sinks commit at the end of
 * input (`endOfInputCommit`).
 */
async function prepareRun(
  plan: PhysicalPlan,
  options: Pick<DriverOptions, "checkpointing" | "config">,
  warn: (message: string) => void,
): Promise<{ recovery?: Recovery; endOfInputCommit?: EndOfInputCommit }> {
  const checkpointing = options.checkpointing;
  // Resolving the backend here fails a job whose named backend no package registered, before it runs.
  const backend = resolveStateBackend(plan.options.stateBackend);
  await checkRunDirectories({
    stateDir: backend.prepareRun === undefined ? undefined : plan.options.stateDir,
    checkpointDir: checkpointing && (checkpointing.dir ?? defaultCheckpointDir(plan.jobName)),
    savepointDir: checkpointing && defaultSavepointDir(plan.jobName),
    fromSavepoint: checkpointing?.fromSavepoint,
  });
  await backend.prepareRun?.(plan.options.stateDir, plan.jobName);
  if (checkpointing === undefined)
    return { endOfInputCommit: await prepareCommitWithoutCheckpoints(plan, warn) };
  return { recovery: await prepareRecovery(plan, checkpointing, warn, options.config) };
}

/** The checkpoint coordinator, triggering the deployment's sources and pausing split assignment. */
function coordinateCheckpoints(
  plan: PhysicalPlan,
  recovery: Recovery,
  sources: SourceCoordinators,
  deployment: Deployment,
  warn: (message: string) => void,
  options: CheckpointOptions,
  timers: TimerService | undefined,
): CheckpointCoordinator {
  const all: string[] = [];
  const sourceTasks: string[] = [];
  for (const vertex of plan.vertices)
    for (let i = 0; i < vertex.parallelism; i++) {
      all.push(`${vertex.id}:${i}`);
      if (plan.nodes[vertex.nodes[0]].spec.kind === "source") sourceTasks.push(`${vertex.id}:${i}`);
    }
  return new CheckpointCoordinator(
    recovery.store,
    { name: plan.jobName, maxParallelism: plan.options.maxParallelism, fingerprint: recovery.fingerprint },
    { all, sources: sourceTasks },
    recovery.committers,
    {
      triggerSources: (id) => {
        deployment.triggerCheckpoint(id);
        return true;
      },
      snapshotEnumerators: (id) => sources.snapshot(id),
      pauseSplitAssignment: (paused) => sources.pause(paused),
      warn,
      fail: (error) => deployment.fail(error),
    },
    options,
    recovery.lastCheckpointId,
    timers,
  );
}

/** What a JobControl reaches while the job runs: savepoints through the coordinator, and stop. */
function runningJob(
  plan: PhysicalPlan,
  recovery: Recovery | undefined,
  checkpoints: CheckpointCoordinator | undefined,
  deployment: Deployment,
): Parameters<JobControl[typeof attachRunningJob]>[0] {
  return {
    jobName: plan.jobName,
    checkpointDir: recovery?.store.location,
    checkpointNow: (request) =>
      checkpoints === undefined
        ? Promise.reject(new Error("checkpointing is off for this job: it takes no checkpoints"))
        : checkpoints.checkpointNow(request),
    stop: () => deployment.cancel(),
  };
}

/** A stopped run abandons the checkpoint in flight; a finished one commits its sinks' last output. */
async function finishCheckpoints(
  checkpoints: CheckpointCoordinator,
  outcome: DeploymentOutcome,
): Promise<void> {
  if (outcome.stopped) await checkpoints.abortPending();
  else await checkpoints.finish([...outcome.finalCommittables]);
  if (checkpoints.error !== undefined) throw checkpoints.error;
}

/** Stops the deployment when the signal aborts, and reports progress every interval. */
function watchRun(
  deployment: Deployment,
  progress: () => JobProgress,
  options: Pick<RunOptions, "signal" | "onProgress" | "progressIntervalMs">,
): { stop(): void } {
  const onAbort = () => deployment.cancel();
  options.signal?.addEventListener("abort", onAbort);
  // An abort that came while the job was starting fires no event now: it stops the job all the same.
  if (options.signal?.aborted) onAbort();
  const onProgress = options.onProgress;
  const timer =
    onProgress === undefined
      ? undefined
      : setInterval(() => onProgress(progress()), options.progressIntervalMs ?? 500);
  return {
    stop() {
      if (timer !== undefined) clearInterval(timer);
      options.signal?.removeEventListener("abort", onAbort);
    },
  };
}

/** Dead letters no stream consumed: each logged, all counted. */
class DeadLetterCount {
  count = 0;
  constructor(private readonly log: (letter: DeadLetter) => void) {}
  add(letter: DeadLetter): void {
    this.count++;
    this.log(letter);
  }
}
