/**
 * Finding and reading the checkpoint to resume from. The newest complete checkpoint is read
 * whole and every checksum verified before any state is used; a corrupt or truncated one is
 * skipped, with a warning, for the one before it. Restored state is then indexed by operator uid
 * and key group, so each new subtask takes the key groups it owns at the new parallelism.
 */

import type { StateKind } from "../api/state.ts";
import type { SourceSplit } from "../connectors/api/source.ts";
import { NoUsableCheckpointError } from "../errors.ts";
import type { KeyGroupRange } from "../state/key-groups.ts";
import type { CheckpointStore } from "./checkpoint-storage.ts";
import {
  type CheckpointMetadata,
  CorruptCheckpointError,
  decodeSnapshot,
  type KeyGroupSnapshot,
  type TaskSnapshot,
} from "./snapshot.ts";

/** What a restore hands one operator of one subtask: the key groups it now owns. */
export interface RestoredOperatorState {
  readonly stateKinds: Record<string, StateKind>;
  readonly groups: ReadonlyMap<number, KeyGroupSnapshot>;
}

export interface RestoredCheckpoint {
  readonly metadata: CheckpointMetadata;
  readonly tasks: readonly TaskSnapshot[];
}

/**
 * The newest checkpoint that reads back whole, or undefined when the store holds none. Corrupt
 * checkpoints newer than the one found are set aside with a warning; when checkpoints exist but
 * none reads back, NoUsableCheckpointError names them all (and they stay where they are): the
 * job must not start from nothing on its own, or it repeats the output they committed.
 */
export async function findLatestCheckpoint(
  store: CheckpointStore,
  warn: (message: string) => void,
): Promise<RestoredCheckpoint | undefined> {
  const corrupt: { id: number; error: CorruptCheckpointError }[] = [];
  let found: RestoredCheckpoint | undefined;
  for (const id of await store.listCheckpoints()) {
    try {
      found = await readCheckpoint(store, id);
      break;
    } catch (error) {
      if (!(error instanceof CorruptCheckpointError)) throw error;
      corrupt.push({ id, error });
    }
  }
  if (found === undefined) {
    if (corrupt.length > 0)
      throw new NoUsableCheckpointError(
        store.location,
        corrupt.map((c) => c.error.message),
      );
    return undefined;
  }
  for (const { id, error } of corrupt) {
    // Set aside, so that no later run restores it and the ids after the one restored are free:
    // a replay from the older checkpoint then commits its output under the same ids again.
    const aside = await store.quarantine(id);
    warn(
      `${error.message}; falling back to checkpoint ${found.metadata.checkpointId} (the corrupt one is kept at ${aside})`,
    );
  }
  return found;
}

export async function readCheckpoint(store: CheckpointStore, id: number): Promise<RestoredCheckpoint> {
  const metadata = await store.readMetadata(id);
  const tasks: TaskSnapshot[] = [];
  for (const handle of metadata.tasks)
    tasks.push(decodeSnapshot(await store.readState(id, handle), `checkpoint ${id} file ${handle.file}`));
  return { metadata, tasks };
}

/** Restored operator state by uid, merged over the old subtasks, per key group. */
export class RestoreIndex {
  private readonly operators = new Map<
    string,
    { stateKinds: Record<string, string>; groups: Map<number, KeyGroupSnapshot> }
  >();
  private readonly splits = new Map<string, SourceSplit[]>();

  constructor(readonly checkpoint: RestoredCheckpoint) {
    for (const task of checkpoint.tasks)
      for (const op of task.operators) {
        if (op.splits !== undefined) {
          const list = this.splits.get(op.uid) ?? [];
          list.push(...op.splits);
          this.splits.set(op.uid, list);
        }
        if (op.keyed === undefined) continue;
        let entry = this.operators.get(op.uid);
        if (entry === undefined) this.operators.set(op.uid, (entry = { stateKinds: {}, groups: new Map() }));
        Object.assign(entry.stateKinds, op.keyed.stateKinds);
        for (const [kg, group] of Object.entries(op.keyed.groups)) entry.groups.set(Number(kg), group);
      }
    for (const [uid, pending] of Object.entries(checkpoint.metadata.pendingSplits)) {
      const list = this.splits.get(uid) ?? [];
      list.push(...pending);
      this.splits.set(uid, list);
    }
  }

  get checkpointId(): number {
    return this.checkpoint.metadata.checkpointId;
  }

  /** The state one subtask of operator `uid` restores: the key groups within its range. */
  forOperator(uid: string, range: KeyGroupRange): RestoredOperatorState | undefined {
    const entry = this.operators.get(uid);
    if (entry === undefined) return undefined;
    const groups = new Map<number, KeyGroupSnapshot>();
    for (const [kg, group] of entry.groups) if (kg >= range.start && kg <= range.end) groups.set(kg, group);
    return { stateKinds: entry.stateKinds as RestoredOperatorState["stateKinds"], groups };
  }

  /** Every split of source `uid` (readers' positions and unassigned ones), or undefined if none was recorded. */
  splitsOf(uid: string): SourceSplit[] | undefined {
    return this.splits.get(uid);
  }

  hasKeyedState(uid: string): boolean {
    return this.operators.has(uid);
  }

  /** Uids that have any state in the checkpoint. */
  uids(): string[] {
    return [...new Set([...this.operators.keys(), ...this.splits.keys()])];
  }
}
