/**
 * What operators, timer services, checkpoints and the test harness need from a keyed-state
 * backend, whichever one holds the state (the heap or LMDB). The states themselves are the same
 * code for both (heap-states.ts): they read and write one entry per key through a StateStore.
 * Snapshots are backend-independent: per key group, state name -> [key, value] entries, so a
 * checkpoint taken with one backend restores into the other.
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
  /** Sets the key when the caller already knows its key group (timers). */
  setCurrentKeyAndGroup(key: Key, keyGroup: number): void;
  getState<S>(descriptor: StateDescriptor): S;
  /** The kind of every state, registered in this run or restored. */
  stateKinds(): Record<string, StateKind>;
  /** Every non-empty key group of every state, for a checkpoint. */
  snapshotGroups(): Map<number, KeyGroupStates>;
  /** Takes restored key groups (only those in this backend's range are kept). Call before getState. */
  restore(stateKinds: Record<string, StateKind>, groups: Iterable<[number, KeyGroupStates]>): void;
  /** Names of the states registered in this run. */
  registeredStates(): string[];
  /** Keys that have an entry in a registered state (expired-but-not-cleaned entries count). */
  stateKeys(name: string): Key[];
  /** Entries of a registered state over all keys (expired-but-not-cleaned entries count). */
  stateSize(name: string): number;
  /** Releases what the backend holds (files); the backend is not used afterwards. */
  dispose(): void;
}

/**
 * One state's entries, one per key, addressed by the backend's current key. Objects returned by
 * get() may be mutated in place by the states; the store must keep such changes.
 */
export interface StateStore<V = unknown> {
  readonly descriptor: StateDescriptor;
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
