/**
 * Savepoints: checkpoints a person asks for, kept until they delete them, to stop a job and
 * start it again later, changed (new operators, removed ones, another parallelism). A savepoint
 * is a completed checkpoint copied to its own directory with a `_savepoint.json` that describes
 * it: the job, and for each operator uid its states with their kinds, the key groups that hold
 * state, the codec and the schema version. Restoring reads it like any checkpoint, after the
 * same compatibility check.
 */
import { cp, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { StateKind } from "../api/state.ts";
import { EddyError } from "../errors.ts";
import { FileCheckpointStore } from "./file-checkpoint-store.ts";
import { type RestoredCheckpoint, readCheckpoint } from "./restore.ts";

export const SAVEPOINT_CODEC = "v8-structured-clone";
export const SAVEPOINT_SCHEMA_VERSION = 1;

export interface SavepointDescription {
  readonly format: 1;
  readonly jobName: string;
  readonly checkpointId: number;
  readonly createdAt: string;
  readonly maxParallelism: number;
  readonly codec: string;
  readonly schemaVersion: number;
  readonly operators: {
    readonly uid: string;
    readonly states: Record<string, StateKind>;
    /** Key groups that hold state, as [first, last] ranges. */
    readonly keyGroups: [number, number][];
    readonly sourceSplits?: number;
  }[];
}

/** A store over one savepoint directory (its checkpoint files sit directly in it). */
class SavepointStore extends FileCheckpointStore {
  constructor(private readonly path: string) {
    super(path);
  }
  protected override dir(): string {
    return this.path;
  }
}

/** Copies completed checkpoint `id` from `checkpointDir` to `<targetDir>/savepoint-<id>`, described. */
export async function writeSavepoint(checkpointDir: string, id: number, targetDir: string): Promise<string> {
  const path = join(targetDir, `savepoint-${id}`);
  await cp(join(checkpointDir, `chk-${id}`), path, { recursive: true });
  const checkpoint = await readSavepoint(path);
  await writeFile(
    join(path, "_savepoint.json"),
    `${JSON.stringify(describeSavepoint(checkpoint), null, 2)}\n`,
  );
  return path;
}

export async function readSavepoint(path: string): Promise<RestoredCheckpoint> {
  const store = new SavepointStore(path);
  try {
    return await readCheckpoint(store, 0);
  } catch (error) {
    if (error instanceof EddyError) throw error;
    throw new EddyError(
      "EDDY_SAVEPOINT",
      `cannot read savepoint ${path} (${basename(path)}): ${(error as Error).message}`,
    );
  }
}

/** What stops this eddy from reading a savepoint's state: another codec or a newer schema. */
export async function savepointFormatProblems(path: string): Promise<string[]> {
  let description: Partial<SavepointDescription>;
  try {
    description = JSON.parse(await readFile(join(path, "_savepoint.json"), "utf8"));
  } catch {
    return [`${path} has no readable _savepoint.json: it is not a savepoint directory`];
  }
  const problems: string[] = [];
  if (description.codec !== SAVEPOINT_CODEC)
    problems.push(
      `the savepoint's state is encoded with codec '${description.codec}', which this eddy cannot read (it reads '${SAVEPOINT_CODEC}')`,
    );
  if (typeof description.schemaVersion !== "number" || description.schemaVersion > SAVEPOINT_SCHEMA_VERSION)
    problems.push(
      `the savepoint has schema version ${description.schemaVersion}, newer than this eddy's ${SAVEPOINT_SCHEMA_VERSION}: restore it with a newer eddy`,
    );
  return problems;
}

export function describeSavepoint(checkpoint: RestoredCheckpoint): SavepointDescription {
  const operators = new Map<
    string,
    { states: Record<string, StateKind>; groups: Set<number>; splits: number }
  >();
  for (const task of checkpoint.tasks)
    for (const op of task.operators) {
      let entry = operators.get(op.uid);
      if (entry === undefined) operators.set(op.uid, (entry = { states: {}, groups: new Set(), splits: 0 }));
      if (op.keyed !== undefined) {
        Object.assign(entry.states, op.keyed.stateKinds);
        for (const kg of Object.keys(op.keyed.groups)) entry.groups.add(Number(kg));
      }
      entry.splits += op.splits?.length ?? 0;
    }
  return {
    format: 1,
    jobName: checkpoint.metadata.jobName,
    checkpointId: checkpoint.metadata.checkpointId,
    createdAt: new Date(checkpoint.metadata.timestamp).toISOString(),
    maxParallelism: checkpoint.metadata.maxParallelism,
    codec: SAVEPOINT_CODEC,
    schemaVersion: SAVEPOINT_SCHEMA_VERSION,
    operators: [...operators].map(([uid, e]) => ({
      uid,
      states: e.states,
      keyGroups: ranges([...e.groups].sort((a, b) => a - b)),
      ...(e.splits > 0 ? { sourceSplits: e.splits } : {}),
    })),
  };
}

function ranges(sorted: number[]): [number, number][] {
  const result: [number, number][] = [];
  for (const kg of sorted) {
    const last = result[result.length - 1];
    if (last !== undefined && last[1] === kg - 1) last[1] = kg;
    else result.push([kg, kg]);
  }
  return result;
}
