/**
 * Transactional sinks in a job that takes no checkpoints. Their writers pre-commit at the end of
 * input like at a checkpoint, and a bounded job commits that when it ends, as Flink commits on the
 * final checkpoint at the end of input: its output appears whole when it finishes, and not at all
 * if it fails or is stopped. An unbounded job has no end to commit on, so one with such a sink is
 * refused at start rather than run without ever committing.
 */
import type { OperatorSpec } from "../api/logical-plan.ts";
import type { SinkCommitter } from "../connectors/api/sink-committer.ts";
import type { Source } from "../connectors/api/source.ts";
import { SinkNeedsCheckpointsError } from "../errors.ts";
import type { PhysicalPlan } from "../plan/physical-plan.ts";

/** The committer of each transactional sink of the plan, by sink uid. */
export function createCommitters(plan: PhysicalPlan): Map<string, SinkCommitter<unknown>> {
  const committers = new Map<string, SinkCommitter<unknown>>();
  for (const node of plan.nodes)
    if (node.spec.kind === "sink") {
      const sink = (node.spec as Extract<OperatorSpec, { kind: "sink" }>).sink;
      const committer = sink.createCommitter?.();
      if (committer !== undefined) committers.set(node.uid, committer);
    }
  return committers;
}

/**
 * The job resumes from checkpoint `after` (0: from the beginning): each transactional sink removes
 * what earlier runs committed after it, which this run writes again.
 */
export async function discardCommittedAfter(
  committers: ReadonlyMap<string, SinkCommitter<unknown>>,
  after: number,
  warn: (message: string) => void,
  /** The committables of checkpoint `after`, by sink uid: committed again, so kept. */
  kept: Readonly<Record<string, unknown[]>> = {},
): Promise<void> {
  for (const [uid, committer] of committers) {
    const removed = (await committer.discardCommittedAfter?.(after, kept[uid] ?? [])) ?? [];
    if (removed.length > 0)
      warn(
        `sink '${uid}': ${after === 0 ? "the job starts from the beginning" : `the job resumes from checkpoint ${after}`}, ` +
          `so the ${removed.length} file(s) earlier runs committed${after === 0 ? "" : " after it"} are written again ` +
          `(removed ${removed.slice(0, 3).join(", ")}${removed.length > 3 ? ", ..." : ""})`,
      );
  }
}

export interface EndOfInputCommit {
  /** Commits the sinks' pre-commits taken at the end of input (per task, by sink uid). */
  commit(finalCommittables: readonly Record<string, unknown[]>[]): Promise<void>;
}

/**
 * What a run without checkpointing does for its transactional sinks: refuses an unbounded job
 * that has some, and otherwise clears their earlier output and commits at the end of input.
 * Undefined when the job has no transactional sink.
 */
export async function prepareCommitWithoutCheckpoints(
  plan: PhysicalPlan,
  warn: (message: string) => void,
): Promise<EndOfInputCommit | undefined> {
  const committers = createCommitters(plan);
  if (committers.size === 0) return undefined;
  const unbounded = plan.nodes.some(
    (n) =>
      n.spec.kind === "source" &&
      ((n.spec as Extract<OperatorSpec, { kind: "source" }>).source as Source<unknown>).boundedness ===
        "unbounded",
  );
  if (unbounded) throw new SinkNeedsCheckpointsError([...committers.keys()]);
  await discardCommittedAfter(committers, 0, warn);
  return {
    async commit(finalCommittables) {
      const merged = new Map<string, unknown[]>();
      for (const part of finalCommittables)
        for (const [uid, list] of Object.entries(part))
          merged.set(uid, [...(merged.get(uid) ?? []), ...list]);
      for (const [uid, list] of merged) {
        const committer = committers.get(uid);
        if (committer !== undefined && list.length > 0) await committer.commit(list);
      }
    },
  };
}
