/**
 * Where a job runs once the CLI has loaded it. This is the one place that chooses the runtime:
 * today every parallelism runs in this thread through `runJob` (its subtasks take turns on one
 * cooperative executor); worker threads come with `runJobModule`.
 */
import { type JobResult, type RunOptions, runJob } from "@eddy/core";
import type { OpenedJobFile } from "./job-file.ts";

export type ExecuteOptions = Pick<RunOptions, "parallelism" | "signal" | "onProgress" | "progressIntervalMs">;

export function execute(opened: OpenedJobFile, options: ExecuteOptions): Promise<JobResult> {
  // SWITCH TO WORKER THREADS HERE. When @eddy/core exports runJobModule(moduleUrl, options), run
  // jobs with more than one slot on workers, which import `opened.moduleUrl` themselves with the
  // same context:
  //   if (planJob(opened.job, options).slots > 1)
  //     return runJobModule(opened.moduleUrl, { ...options, config: { ...opened.context.config } });
  return runJob(opened.job, options);
}
