/**
 * The asynchronous part of a task's checkpoint: encoding its snapshot a piece at a time, reading
 * keyed state from the snapshots the backends took at the barrier, and pausing between pieces so
 * the task's thread keeps processing records. The format is the one `encodeSnapshot` writes at
 * once (V8's serialisation, written in pieces by V8StreamWriter); the bytes are the same but that
 * a value shared between two pieces is written in each (it reads back as two equal values).
 */
import type { Key } from "../api/functions.ts";
import type { KeyGroupEntries } from "../state/keyed-state-backend.ts";
import {
  type KeyGroupSnapshot,
  type PendingOperatorSnapshot,
  type PendingTaskSnapshot,
  snapshotHeader,
} from "./snapshot.ts";
import { V8StreamWriter, type V8StreamWriterOptions } from "./v8-stream-writer.ts";

export interface EncodePacing {
  /** Resolves when the thread has had a turn at other work (records, I/O). */
  pause(): Promise<void>;
  /** Work between two pauses (ms). Default 8. */
  sliceMs?: number;
  /** Entries of a key group serialised in one piece. Default 4096. */
  chunkEntries?: number;
  /** For tests: how the writer numbers objects across pieces. */
  writer?: V8StreamWriterOptions;
}

/** Keys of an object made with these keys in this order, in the order JS enumerates them. */
function propertyOrder(keys: readonly string[]): string[] {
  const object: Record<string, true> = {};
  for (const key of keys) object[key] = true;
  return Object.keys(object);
}

/**
 * Encodes a pending task snapshot, reading its keyed state in pieces; see the module comment.
 * Returns the file's bytes in parts (their concatenation is the file).
 */
export async function encodeSnapshotInPieces(
  snapshot: PendingTaskSnapshot,
  pacing: EncodePacing,
): Promise<Buffer[]> {
  const sliceMs = pacing.sliceMs ?? 8;
  const chunkEntries = Math.max(1, pacing.chunkEntries ?? 4096);
  let sliceStart = performance.now();
  const breathe = async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await pacing.pause();
    sliceStart = performance.now();
  };

  const w = new V8StreamWriter(pacing.writer);
  w.beginObject();
  w.property("checkpointId", snapshot.checkpointId);
  w.property("vertex", snapshot.vertex);
  w.property("subtask", snapshot.subtask);
  w.property("parallelism", snapshot.parallelism);
  w.key("operators");
  w.beginArray(snapshot.operators.length);
  for (const op of snapshot.operators) await writeOperator(w, op, chunkEntries, breathe);
  w.endArray(snapshot.operators.length);
  w.endObject(5);
  const { chunks, length, crc } = w.finish();
  // In parts, as written: one buffer of the whole would cost a copy of it, all at once.
  return [snapshotHeader(crc, length), ...chunks];
}

async function writeOperator(
  w: V8StreamWriter,
  op: PendingOperatorSnapshot,
  chunkEntries: number,
  breathe: () => Promise<void>,
): Promise<void> {
  const keyed = op.keyed;
  if (keyed?.state === undefined) {
    // Nothing to read later: the operator's snapshot is complete as it is.
    const complete = {
      uid: op.uid,
      kind: op.kind,
      ...(keyed === undefined ? {} : { keyed: { stateKinds: keyed.stateKinds, groups: keyed.groups } }),
      ...(op.splits === undefined ? {} : { splits: op.splits }),
    };
    w.value(complete);
    return;
  }
  const state = keyed.state;
  w.beginObject();
  w.property("uid", op.uid);
  w.property("kind", op.kind);
  w.key("keyed");
  w.beginObject();
  w.property("stateKinds", keyed.stateKinds);
  w.key("groups");
  w.beginObject();
  // Key groups in ascending order (integer keys: as JS orders them), those of the state's range
  // merged with those known at once (timers).
  const kgs = new Set<number>();
  for (let kg = state.range.start; kg <= state.range.end; kg++) kgs.add(kg);
  for (const kg of Object.keys(keyed.groups)) kgs.add(Number(kg));
  const names = propertyOrder(state.stateNames);
  let written = 0;
  for (const kg of [...kgs].sort((a, b) => a - b)) {
    const known: KeyGroupSnapshot | undefined = keyed.groups[kg];
    const open: [string, KeyGroupEntries][] = [];
    let entries = 0;
    if (kg >= state.range.start && kg <= state.range.end)
      for (const name of names) {
        const group = state.openGroup(name, kg);
        if (group === undefined) continue;
        open.push([name, group]);
        entries += group.size;
      }
    const timers = known?.timers ?? [];
    const knownStates = known?.states ?? {};
    if (open.length === 0 && timers.length === 0 && Object.keys(knownStates).length === 0) continue;
    written++;
    w.key(kg);
    if (entries <= chunkEntries) {
      // Small enough for one piece: read and write the whole key group at once.
      const states: Record<string, [Key, unknown][]> = { ...knownStates };
      for (const [name, group] of open) states[name] = group.read(group.size);
      w.value({ states, timers } satisfies KeyGroupSnapshot);
    } else {
      w.beginObject();
      w.key("states");
      w.beginObject();
      for (const [name, list] of Object.entries(knownStates)) w.property(name, list);
      for (const [name, group] of open) {
        w.key(name);
        w.beginArray(group.size);
        for (let done = 0; done < group.size; ) {
          const chunk = group.read(Math.min(chunkEntries, group.size - done));
          if (chunk.length === 0) throw new Error(`state '${name}' key group ${kg} ended early`);
          w.values(chunk);
          done += chunk.length;
          await breathe();
        }
        w.endArray(group.size);
      }
      w.endObject(Object.keys(knownStates).length + open.length);
      w.property("timers", timers);
      w.endObject(2);
    }
    await breathe();
  }
  w.endObject(written);
  w.endObject(2);
  const properties = 3 + (op.splits === undefined ? 0 : 1);
  if (op.splits !== undefined) w.property("splits", op.splits);
  w.endObject(properties);
}
