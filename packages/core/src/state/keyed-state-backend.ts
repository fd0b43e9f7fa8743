/**
 * What operators, timer services, checkpoints and the test harness need from a keyed-state
 * backend, whichever one holds the state (the heap or LMDB). The states themselves are the same
 * code for both (heap-states.ts): they read and write one entry per key through a StateStore.
 * Snapshots are backend-independent: per key group, state name -> [key, value] entries, so a
 * checkpoint taken with one backend restores into the other.
 *
 * A checkpoint reads keyed state in two parts, as in Flink. `snapshot()` is the synchronous part,
 * called between two records: it fixes the state as it is at the barrier and costs no more than
 * the number of states and key groups (the heap marks its tables copy-on-write, LMDB flushes its
 * cache and opens a read transaction). The returned KeyedStateSnapshot is read afterwards, a
 * key group at a time, while the task goes on processing records and changing its state.
 */
import type { Key } from "../api/functions.ts";
import type { StateDescriptor, StateKind } from "../api/state.ts";
import { EddyError } from "../errors.ts";
import type { KeyGroupRange } from "./key-groups.ts";

/** Per key group: state name -> the [key, value] entries of that group. */
export type KeyGroupStates = Record<string, [Key, unknown][]>;

export interface KeyedStateBackend {
  readonly maxParallelism: number;
  readonly range: KeyGroupRange;
  readonly currentKey: Key;
  readonly currentKeyGroup: number;
  setCurrentKey(key: Key): void;
  /** Sets the key when the caller already knows its key group (timers, records keyed by their exchange). */
  setCurrentKeyAndGroup(key: Key, keyGroup: number): void;
  getState<S>(descriptor: StateDescriptor): S;
  /** The kind of every state, registered in this run or restored. */
  stateKinds(): Record<string, StateKind>;
  /** The synchronous part of a checkpoint: the state as it is now, to be read while it changes. */
  snapshot(): KeyedStateSnapshot;
  /** Every non-empty key group of every state, read at once (tests and tools). */
  snapshotGroups(): Map<number, KeyGroupStates>;
  /** Takes restored key groups (only those in this backend's range are kept). Call before getState. */
  restore(stateKinds: Record<string, StateKind>, groups: Iterable<[number, KeyGroupStates]>): void;
  /** Names of the states registered in this run. */
  registeredStates(): string[];
  /** Keys that have an entry in a registered state (expired-but-not-cleaned entries count). */
  stateKeys(name: string): Key[];
  /** Entries of a registered state over all keys (expired-but-not-cleaned entries count). */
  stateSize(name: string): number;
  /**
   * Releases what the backend holds (files); the backend is not used afterwards. A snapshot being
   * read keeps what it reads until it is released.
   */
  dispose(): void;
}

/**
 * Keyed state as it was when `KeyedStateBackend.snapshot()` was called, whatever happened to the
 * state since. Read it with `openGroup` and `KeyGroupEntries.read`; release it when done (or
 * abandoned).
 */
export interface KeyedStateSnapshot {
  /** The kind of every state at the barrier (registered or restored). */
  readonly stateKinds: Readonly<Record<string, StateKind>>;
  /** The states whose entries the snapshot holds, in the order they are written. */
  readonly stateNames: readonly string[];
  /** The key groups the snapshot covers. */
  readonly range: KeyGroupRange;
  /**
   * The entries of state `name` in key group `kg` at the barrier; undefined when there are none.
   * Several groups may be open at once; each is preserved until it has been read whole. Throws
   * SnapshotCancelledError once the snapshot is released.
   */
  openGroup(name: string, kg: number): KeyGroupEntries | undefined;
  /**
   * Ends the snapshot: the backend stops preserving state for it, and reading it afterwards
   * throws SnapshotCancelledError with `reason`. Idempotent.
   */
  release(reason?: string): void;
}

/** The entries of one state in one key group, read in chunks. */
export interface KeyGroupEntries {
  /** How many entries there are (at least one). */
  readonly size: number;
  /**
   * The next entries, at most `max`; after `size` entries have been read, the group is closed
   * and the next one may be opened. Each chunk must be consumed (serialised) before the task
   * runs again: a value read here may be changed in place by the task afterwards.
   */
  read(max: number): [Key, unknown][];
}

/** Reads a snapshot whole, synchronously. */
export function readSnapshotGroups(snapshot: KeyedStateSnapshot): Map<number, KeyGroupStates> {
  const groups = new Map<number, KeyGroupStates>();
  try {
    for (let kg = snapshot.range.start; kg <= snapshot.range.end; kg++)
      for (const name of snapshot.stateNames) {
        const entries = snapshot.openGroup(name, kg);
        if (entries === undefined) continue;
        let states = groups.get(kg);
        if (states === undefined) groups.set(kg, (states = {}));
        states[name] = entries.read(entries.size);
      }
  } finally {
    snapshot.release();
  }
  return groups;
}

/** Raised when a snapshot is read after it was released (its checkpoint was abandoned). */
export class SnapshotCancelledError extends EddyError {
  constructor(reason: string) {
    super("EDDY_SNAPSHOT_CANCELLED", reason);
  }
}

/**
 * One state's entries, one per key, addressed by the backend's current key. Objects returned by
 * get() may be mutated in place by the states; the store must keep such changes.
 */
export interface StateStore<V = unknown> {
  get(): V | undefined;
  put(value: V): void;
  remove(): void;
  /**
   * Incremental TTL cleanup: inspects up to `budget` other entries (resuming where the last call
   * stopped) and removes those for which `isExpired` holds.
   */
  cleanSome(budget: number, isExpired: (value: V, now: number) => boolean, now: number): void;
}

/** The key group of `key` must lie in the backend's range: else the key selector is broken. */
export function checkKeyGroup(operatorName: string, key: Key, kg: number, range: KeyGroupRange): void {
  if (kg < range.start || kg > range.end)
    throw new EddyError(
      "EDDY_KEY_GROUP",
      `operator '${operatorName}' received key ${JSON.stringify(key)} of key group ${kg}, outside its ` +
        `range ${range.start}..${range.end}: the key selector is not deterministic, or the stream ` +
        `was re-partitioned after keyBy (use keyBy again)`,
    );
}

export function stateKindError(
  operatorName: string,
  name: string,
  kind: StateKind,
  existing: StateKind,
): EddyError {
  return new EddyError(
    "EDDY_STATE_KIND",
    `operator '${operatorName}' registers state '${name}' as ${kind} state, ` +
      `but it already is ${existing} state: give each state its own name`,
  );
}

export function restoredKindError(
  operatorName: string,
  name: string,
  kind: StateKind,
  restored: StateKind,
): EddyError {
  return new EddyError(
    "EDDY_STATE_KIND",
    `operator '${operatorName}' registers state '${name}' as ${kind} state, but ` +
      `the checkpoint holds it as ${restored} state: keep the kind or give the new state another name`,
  );
}
