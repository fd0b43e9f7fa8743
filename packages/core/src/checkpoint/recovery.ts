/**
 * What a run does about checkpoints before it starts: open the store, find the checkpoint to
 * resume from (skipping corrupt ones), re-commit the sink work that checkpoint had pre-committed
 * (commits are idempotent, and a crash may have come between the metadata and the commit), and
 * hand back the restored state. A checkpoint that recorded the job's end means there is nothing
 * left to run.
 */
import { join } from "node:path";
import type { OperatorSpec } from "../api/logical-plan.ts";
import type { SinkCommitter } from "../connectors/api/sink-committer.ts";
import { EddyError } from "../errors.ts";
import type { PhysicalPlan } from "../plan/physical-plan.ts";
import type { CheckpointOptions } from "./checkpoint-coordinator.ts";
import type { CheckpointStore } from "./checkpoint-storage.ts";
import { checkRestoreCompatibility } from "./compatibility.ts";
import { FileCheckpointStore } from "./file-checkpoint-store.ts";
import { findLatestCheckpoint, type RestoredCheckpoint, RestoreIndex } from "./restore.ts";
import { readSavepoint, savepointFormatProblems } from "./savepoint.ts";

export interface Recovery {
  readonly store: CheckpointStore;
  readonly committers: ReadonlyMap<string, SinkCommitter<unknown>>;
  /** State to resume from, if a checkpoint was found. */
  readonly restore: RestoreIndex | undefined;
  /** The found checkpoint recorded the end of the job: nothing to run. */
  readonly alreadyFinished: boolean;
  readonly lastCheckpointId: number;
}

export function defaultCheckpointDir(jobName: string): string {
  return join(".eddy", "checkpoints", jobName.replace(/[^\w.-]+/g, "_"));
}

export async function prepareRecovery(
  plan: PhysicalPlan,
  options: CheckpointOptions,
  warn: (message: string) => void,
): Promise<Recovery> {
  const store = new FileCheckpointStore(options.dir ?? defaultCheckpointDir(plan.jobName));
  const committers = new Map<string, SinkCommitter<unknown>>();
  for (const node of plan.nodes)
    if (node.spec.kind === "sink") {
      const sink = (node.spec as Extract<OperatorSpec, { kind: "sink" }>).sink;
      const committer = sink.createCommitter?.();
      if (committer !== undefined) committers.set(node.uid, committer);
    }
  const existing = (await store.listCheckpoints())[0] ?? 0;
  let found: RestoredCheckpoint | undefined;
  let formatProblems: string[] = [];
  if (options.fromSavepoint !== undefined) {
    formatProblems = await savepointFormatProblems(options.fromSavepoint);
    found = await readSavepoint(options.fromSavepoint);
    if (found.metadata.jobName !== plan.jobName)
      throw new EddyError(
        "EDDY_SAVEPOINT",
        `savepoint ${options.fromSavepoint} is of job '${found.metadata.jobName}', not of '${plan.jobName}': ` +
          "restore it into the job it was taken from (the job's name must match)",
      );
  } else if (options.restore !== "none") found = await findLatestCheckpoint(store, warn);
  if (found === undefined)
    return { store, committers, restore: undefined, alreadyFinished: false, lastCheckpointId: existing };
  const restore = new RestoreIndex(found);
  if (!found.metadata.finished)
    checkRestoreCompatibility(plan, restore, options.allowNonRestoredState === true, formatProblems);
  for (const [uid, list] of Object.entries(found.metadata.committables)) {
    const committer = committers.get(uid);
    if (committer === undefined) {
      if (list.length > 0)
        warn(
          `checkpoint ${found.metadata.checkpointId} has pre-committed work of sink '${uid}', which is not in the job`,
        );
      continue;
    }
    if (list.length > 0) await committer.commit(list);
  }
  return {
    store,
    committers,
    restore,
    alreadyFinished: found.metadata.finished,
    // After a savepoint, this run's checkpoints must sort after everything already in the store.
    // After a checkpoint, they continue its ids, so that a replay commits under the same ids.
    lastCheckpointId:
      options.fromSavepoint !== undefined
        ? Math.max(found.metadata.checkpointId, existing)
        : found.metadata.checkpointId,
  };
}
