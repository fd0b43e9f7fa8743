/**
 * Where a job runs once the CLI has loaded it. This is the one place that chooses the runtime:
 * a job that needs one slot runs in this thread (`runJob`); a parallel job runs on worker
 * threads, one per slot, each importing the job module itself with the same context
 * (`runJobModule`), so its subtasks use more than one core.
 */
import { type JobResult, planJob, type RunOptions, runJob, runJobModule } from "@eddy/core";
import type { OpenedJobFile } from "./job-file.ts";

export type ExecuteOptions = Pick<
  RunOptions,
  "parallelism" | "signal" | "onProgress" | "progressIntervalMs" | "checkpointing" | "control"
>;

export function execute(opened: OpenedJobFile, options: ExecuteOptions): Promise<JobResult> {
  const config = { ...opened.context.config };
  if (planJob(opened.job, options).slots > 1) return runJobModule(opened.moduleUrl, { ...options, config });
  return runJob(opened.job, { ...options, config });
}
