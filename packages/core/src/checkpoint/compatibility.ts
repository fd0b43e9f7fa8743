/**
 * Before a job restores a checkpoint it is checked against it, and every problem is reported at
 * once, before any state is touched: state whose operator uid is not in the job (unless the user
 * allows dropping it), keyed state for an operator that is no longer keyed, source positions for
 * an operator that is no longer a source, and a changed maxParallelism (key groups would move).
 */
import { EddyError } from "../errors.ts";
import type { PhysicalPlan } from "../plan/physical-plan.ts";
import type { RestoreIndex } from "./restore.ts";

export class RestoreCompatibilityError extends EddyError {
  constructor(
    readonly checkpointId: number,
    readonly problems: readonly string[],
  ) {
    super(
      "EDDY_RESTORE_INCOMPATIBLE",
      `the job cannot restore checkpoint ${checkpointId}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

export function checkRestoreCompatibility(
  plan: PhysicalPlan,
  restore: RestoreIndex,
  allowNonRestoredState: boolean,
  /** Problems found before (e.g. a savepoint written with another codec). */
  known: readonly string[] = [],
): void {
  const problems: string[] = [...known];
  const metadata = restore.checkpoint.metadata;
  if (metadata.maxParallelism !== plan.options.maxParallelism)
    problems.push(
      `maxParallelism is ${plan.options.maxParallelism}, but the checkpoint's state is in ` +
        `${metadata.maxParallelism} key groups: keep maxParallelism ${metadata.maxParallelism}`,
    );
  const byUid = new Map(plan.nodes.map((n) => [n.uid, n]));
  for (const uid of restore.uids()) {
    const node = byUid.get(uid);
    if (node === undefined) {
      if (!allowNonRestoredState)
        problems.push(
          `operator uid '${uid}' has state in the checkpoint but is not in the job: give the operator that ` +
            `should own it .uid("${uid}"), or allow non-restored state to drop it`,
        );
      continue;
    }
    if (restore.hasKeyedState(uid) && node.keySelector === undefined)
      problems.push(
        `operator '${node.name}' (uid '${uid}') had keyed state but is not on a keyed stream now`,
      );
    if (restore.splitsOf(uid) !== undefined && node.spec.kind !== "source")
      problems.push(`uid '${uid}' was a source in the checkpoint but is a ${node.spec.kind} operator now`);
  }
  if (problems.length > 0) throw new RestoreCompatibilityError(metadata.checkpointId, problems);
}
