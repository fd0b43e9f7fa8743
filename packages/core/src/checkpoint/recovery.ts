/**
 * What a run does about checkpoints before it starts: open the store and take its lock (one run
 * per checkpoint directory), find the checkpoint to resume from (setting corrupt ones aside, and
 * refusing when none is usable), check that the job is still the one it was taken of (its
 * configuration and sources: job-fingerprint.ts), re-commit the sink work that checkpoint had
 * pre-committed (commits are idempotent, and a crash may have come between the metadata and the
 * commit), and hand back the restored state. Sinks first remove what earlier runs committed after
 * the checkpoint resumed (everything, for a run from the beginning), since this run writes it again. A checkpoint that recorded the job's end means there
 * is nothing left to run: that is said, and the run ends (a finished job is not run again; --fresh
 * starts it over).
 */
import { join } from "node:path";
import type { SinkCommitter } from "../connectors/api/sink-committer.ts";
import { ConfigurationChangedError } from "../errors.ts";
import type { PhysicalPlan } from "../plan/physical-plan.ts";
import type { CheckpointOptions } from "./checkpoint-coordinator.ts";
import { CheckpointDirLock } from "./checkpoint-dir-lock.ts";
import type { CheckpointStore } from "./checkpoint-storage.ts";
import { createCommitters, discardCommittedAfter } from "./commit-without-checkpoints.ts";
import { checkRestoreCompatibility } from "./compatibility.ts";
import { FileCheckpointStore } from "./file-checkpoint-store.ts";
import { fingerprintChanges, fingerprintJob, type JobFingerprint } from "./job-fingerprint.ts";
import { findLatestCheckpoint, type RestoredCheckpoint, RestoreIndex } from "./restore.ts";
import { readSavepoint, savepointFormatProblems } from "./savepoint.ts";

export interface Recovery {
  readonly store: CheckpointStore;
  readonly committers: ReadonlyMap<string, SinkCommitter<unknown>>;
  /** State to resume from, if a checkpoint was found. */
  readonly restore: RestoreIndex | undefined;
  /** Where `restore` was read from when it is a savepoint (not a checkpoint of `store`): worker threads read it there too. */
  readonly restoredSavepoint?: string;
  /** The found checkpoint recorded the end of the job: nothing to run (the lock is already released). */
  readonly alreadyFinished: boolean;
  readonly lastCheckpointId: number;
  /** What this run's checkpoints record of the job's configuration and sources. */
  readonly fingerprint: JobFingerprint;
  /** Gives up the checkpoint directory's lock; call when the run ends. */
  release(): Promise<void>;
}

export function defaultCheckpointDir(jobName: string): string {
  return join(".eddy", "checkpoints", jobName.replace(/[^\w.-]+/g, "_"));
}

export async function prepareRecovery(
  plan: PhysicalPlan,
  options: CheckpointOptions,
  warn: (message: string) => void,
  /** The configuration the job was built from (JobContext.config), for the fingerprint. */
  config?: Readonly<Record<string, unknown>>,
): Promise<Recovery> {
  const store = new FileCheckpointStore(options.dir ?? defaultCheckpointDir(plan.jobName));
  const lock = await CheckpointDirLock.acquire(store.location, plan.jobName, warn);
  try {
    return await recover(plan, options, warn, store, fingerprintJob(plan, config), lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function recover(
  plan: PhysicalPlan,
  options: CheckpointOptions,
  warn: (message: string) => void,
  store: CheckpointStore,
  fingerprint: JobFingerprint,
  lock: CheckpointDirLock,
): Promise<Recovery> {
  const committers = createCommitters(plan);
  const existingIds = await store.listCheckpoints();
  const existing = existingIds[0] ?? 0;
  let found: RestoredCheckpoint | undefined;
  let formatProblems: string[] = [];
  if (options.fromSavepoint !== undefined) {
    formatProblems = await savepointFormatProblems(options.fromSavepoint);
    found = await readSavepoint(options.fromSavepoint);
    // State is matched by operator uid, as in Flink: a renamed job restores it.
    if (found.metadata.jobName !== plan.jobName)
      warn(
        `savepoint ${options.fromSavepoint} was taken of job '${found.metadata.jobName}' and is restored into ` +
          `'${plan.jobName}': its state is matched to this job's operators by uid`,
      );
  } else if (options.restore !== "none") found = await findLatestCheckpoint(store, warn);
  const release = () => lock.release();
  // A new run (from the beginning or from a savepoint), once it is sure to start: checkpoints of
  // an earlier run in this directory must never be resumed after it, or they would continue that
  // run's output.
  const supersede = async () => {
    const superseded = await store.listCheckpoints();
    if (superseded.length === 0) return;
    for (const id of superseded) await store.discard(id);
    warn(
      `${options.fromSavepoint === undefined ? "starting over (--fresh)" : `starting from savepoint ${options.fromSavepoint}`}: ` +
        `removed checkpoint(s) ${superseded.join(", ")} of an earlier run from ${store.location}`,
    );
  };
  if (found === undefined) {
    await supersede();
    await discardCommittedAfter(committers, 0, warn);
    return {
      store,
      committers,
      restore: undefined,
      alreadyFinished: false,
      lastCheckpointId: existing,
      fingerprint,
      release,
    };
  }
  const id = found.metadata.checkpointId;
  const restore = new RestoreIndex(found);
  // Structural problems first: no flag makes them restorable.
  if (!found.metadata.finished)
    checkRestoreCompatibility(plan, restore, options.allowNonRestoredState === true, formatProblems);
  if (options.fromSavepoint === undefined && found.metadata.fingerprint !== undefined) {
    const changes = fingerprintChanges(found.metadata.fingerprint, fingerprint);
    if (changes.length > 0 && options.allowConfigChange !== true)
      throw new ConfigurationChangedError(id, store.location, changes);
    if (changes.length > 0)
      warn(
        `resuming checkpoint ${id} although the job's configuration changed (allowed):\n` +
          changes.map((c) => `  ${c}`).join("\n"),
      );
  }
  if (options.fromSavepoint !== undefined) await supersede();
  if (!found.metadata.finished) {
    // What was committed after this checkpoint (a newer one that turned out corrupt, the run that
    // went on after a savepoint) is written again by this run.
    await discardCommittedAfter(committers, id, warn, found.metadata.committables);
  }
  for (const [uid, list] of Object.entries(found.metadata.committables)) {
    const committer = committers.get(uid);
    if (committer === undefined) {
      if (list.length > 0)
        warn(`checkpoint ${id} has pre-committed work of sink '${uid}', which is not in the job`);
      continue;
    }
    if (list.length > 0) await committer.commit(list);
  }
  if (found.metadata.finished) {
    warn(
      `job '${plan.jobName}' had already finished: its checkpoint ${id} in ${store.location} ` +
        `(${new Date(found.metadata.timestamp).toISOString()}) recorded the end of its input, so nothing ran now ` +
        "and its output stays as committed. To run the job again from the beginning, add --fresh " +
        '(checkpointing restore: "none"); to keep this run\'s checkpoints, use another --checkpoint-dir.',
    );
    await lock.release();
  }
  return {
    store,
    committers,
    restore,
    ...(options.fromSavepoint !== undefined && restore !== undefined
      ? { restoredSavepoint: options.fromSavepoint }
      : {}),
    alreadyFinished: found.metadata.finished,
    // After a savepoint, this run's checkpoints must sort after everything already in the store.
    // After a checkpoint, they continue its ids, so that a replay commits under the same ids.
    lastCheckpointId: options.fromSavepoint !== undefined ? Math.max(id, existing) : id,
    fingerprint,
    release,
  };
}
