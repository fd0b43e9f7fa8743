/**
 * The two ways to run a job in this process, over one job driver. `runJob(job)` runs every
 * subtask in the calling thread (any parallelism: the subtasks take turns); `runJobModule(url)`
 * runs a job module on worker threads, one per slot, each importing the module. Both restart a
 * failed run as the restart strategy says (from the latest checkpoint when checkpointing is on),
 * and return the same result: collected outputs, final metrics and the count of dead letters.
 */
import type { Job } from "../../api/job.ts";
import { planJob } from "../../plan/physical-plan.ts";
import { systemClock } from "../../time/time.ts";
import { InThreadDeployment } from "./in-thread-deployment.ts";
import { driveJob } from "./job-driver.ts";
import { type JobContext, loadJobModule, planFingerprint, toModuleUrl } from "./job-module.ts";
import type { JobResult } from "./job-result.ts";
import { runWithRestarts } from "./restart-strategy.ts";
import { defaultWarn, type ModuleRunOptions, type RunOptions } from "./run-options.ts";
import { WorkerDeployment } from "./worker-deployment.ts";

/** Runs the job in this thread until its input ends or `signal` aborts. */
export function runJob(job: Job, options: RunOptions = {}): Promise<JobResult> {
  const clock = options.clock ?? systemClock;
  return runWithRestarts(
    () => {
      const plan = planJob(job, options);
      return driveJob(plan, (recovery) => new InThreadDeployment(plan, recovery, clock), options);
    },
    options.restartStrategy,
    options.onWarning ?? defaultWarn,
    options.timers,
  );
}

/** Runs a job module on worker threads until its input ends or `signal` aborts. */
export function runJobModule(pathOrUrl: string, options: ModuleRunOptions = {}): Promise<JobResult> {
  return runWithRestarts(
    () => runJobModuleOnce(pathOrUrl, options),
    options.restartStrategy,
    options.onWarning ?? defaultWarn,
    options.timers,
  );
}

async function runJobModuleOnce(pathOrUrl: string, options: ModuleRunOptions): Promise<JobResult> {
  const moduleUrl = toModuleUrl(pathOrUrl);
  const context: JobContext = { config: options.config ?? {}, parallelism: options.parallelism };
  const job = await loadJobModule(moduleUrl, context);
  const plan = planJob(job, { parallelism: options.parallelism });
  const module = {
    moduleUrl,
    config: { ...context.config },
    parallelism: options.parallelism,
    fingerprint: planFingerprint(job),
  };
  const progressIntervalMs =
    options.onProgress === undefined ? undefined : (options.progressIntervalMs ?? 500);
  return driveJob(
    plan,
    (recovery) => new WorkerDeployment(plan, recovery, module, progressIntervalMs),
    options,
  );
}
