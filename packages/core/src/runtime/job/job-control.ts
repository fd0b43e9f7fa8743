/**
 * A handle on a running job, for what happens from outside while it runs: take a savepoint,
 * or stop with one (what SIGTERM does under `eddy run`). Pass it in the run options; the runner
 * connects it when the job starts.
 */
import { join } from "node:path";
import { writeSavepoint } from "../../checkpoint/savepoint.ts";
import { EddyError } from "../../errors.ts";

interface RunningJob {
  readonly jobName: string;
  /** The checkpoint store's directory, or undefined when checkpointing is off. */
  readonly checkpointDir: string | undefined;
  checkpointNow(options?: { last?: boolean }): Promise<number>;
  stop(): void;
}

export function defaultSavepointDir(jobName: string): string {
  return join(".eddy", "savepoints", jobName.replace(/[^\w.-]+/g, "_"));
}

/**
 * The key of the method the job driver attaches a running job with. Exported only through
 * `@eddy/core/internal`, so a user's JobControl cannot be attached to anything by hand.
 */
export const attachRunningJob: unique symbol = Symbol("eddy.JobControl.attach");

export class JobControl {
  private running: RunningJob | undefined;
  private readonly waiters: (() => void)[] = [];

  /** Called by the job driver when the job has started, and with undefined when it ends. */
  [attachRunningJob](job: RunningJob | undefined): void {
    this.running = job;
    if (job !== undefined) for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves when the job has started (tasks deployed). */
  started(): Promise<void> {
    return this.running !== undefined
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push(resolve));
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The running job's name (undefined before it starts). */
  get jobName(): string | undefined {
    return this.running?.jobName;
  }

  /** Takes a savepoint into `targetDir` (default `.eddy/savepoints/<job>`); resolves with its path. */
  savepoint(targetDir?: string): Promise<string> {
    return this.takeSavepoint(targetDir, false);
  }

  /**
   * Takes a savepoint, then stops the job; resolves with the savepoint's path. No checkpoint
   * follows the savepoint, so resuming from it neither loses nor repeats committed output.
   */
  async stopWithSavepoint(targetDir?: string): Promise<string> {
    const path = await this.takeSavepoint(targetDir, true);
    this.running?.stop();
    return path;
  }

  private async takeSavepoint(targetDir: string | undefined, last: boolean): Promise<string> {
    const job = this.running;
    if (job === undefined)
      throw new EddyError("EDDY_NOT_RUNNING", "the job is not running: no savepoint can be taken");
    if (job.checkpointDir === undefined)
      throw new EddyError(
        "EDDY_SAVEPOINT",
        "savepoints need checkpointing: run the job with checkpointing (eddy run --checkpoint-interval <ms>)",
      );
    const id = await job.checkpointNow({ last });
    return writeSavepoint(job.checkpointDir, id, targetDir ?? defaultSavepointDir(job.jobName));
  }
}
