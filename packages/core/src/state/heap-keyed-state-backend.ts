/**
 * The heap keyed-state backend: state lives in JS Maps, one Map per key group per state, so a
 * snapshot or a rescale reads whole key groups. The current key is set by the operator before
 * each record or timer; states read and write the entry of that key. TTL is in processing time,
 * checked lazily on access and cleaned incrementally as states are touched. Snapshots are
 * copy-on-write (heap-state-snapshot.ts): taking one is cheap, and the tables preserve what a
 * running snapshot has not read yet.
 */
import type { Key } from "../api/functions.ts";
import type { StateDescriptor, StateKind } from "../api/state.ts";
import type { Clock } from "../time/time.ts";
import { HeapKeyedStateSnapshot, type SnapshotSource, TableSnapshot } from "./heap-state-snapshot.ts";
import { createHeapState, type HeapState } from "./heap-states.ts";
import { assignToKeyGroup, type KeyGroupRange } from "./key-groups.ts";
import {
  checkKeyGroup,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyGroupStates,
  readSnapshotGroups,
  restoredKindError,
  type StateStore,
  stateKindError,
} from "./keyed-state-backend.ts";

export class StateTable<V = unknown> implements StateStore<V>, SnapshotSource {
  /** groups[kg - range.start] holds the entries of key group kg. */
  readonly groups: Map<Key, V>[];
  cows: TableSnapshot[] | undefined = undefined;
  constructor(
    readonly name: string,
    private readonly backend: HeapKeyedStateBackend,
  ) {
    const size = Math.max(0, backend.range.end - backend.range.start + 1);
    this.groups = Array.from({ length: size }, () => new Map<Key, V>());
  }
  get(): V | undefined {
    const backend = this.backend;
    const i = backend.currentKeyGroup - backend.range.start;
    const value = this.groups[i].get(backend.currentKey);
    // A running snapshot keeps a copy of an object before it can be changed in place.
    if (this.cows !== undefined && typeof value === "object" && value !== null)
      for (const cow of this.cows) cow.beforeRead(i, backend.currentKey, value);
    return value;
  }
  put(value: V): void {
    const backend = this.backend;
    const i = backend.currentKeyGroup - backend.range.start;
    const map = this.groups[i];
    if (this.cows !== undefined) for (const cow of this.cows) cow.beforeWrite(i, backend.currentKey, map);
    map.set(backend.currentKey, value);
  }
  remove(): void {
    const backend = this.backend;
    const i = backend.currentKeyGroup - backend.range.start;
    const map = this.groups[i];
    if (this.cows !== undefined) for (const cow of this.cows) cow.beforeWrite(i, backend.currentKey, map);
    map.delete(backend.currentKey);
  }
  private cleanupCursor: Iterator<[Key, V]> | undefined;
  private cleanupGroup = 0;
  cleanSome(budget: number, isExpired: (value: V, now: number) => boolean, now: number): void {
    for (; budget > 0; budget--) {
      if (this.cleanupCursor === undefined) {
        if (this.groups.length === 0) return;
        this.cleanupGroup = (this.cleanupGroup + 1) % this.groups.length;
        this.cleanupCursor = this.groups[this.cleanupGroup].entries();
      }
      const next = this.cleanupCursor.next();
      if (next.done) {
        this.cleanupCursor = undefined;
        continue;
      }
      const [key, value] = next.value;
      if (!isExpired(value, now)) continue;
      const map = this.groups[this.cleanupGroup];
      if (this.cows !== undefined) for (const cow of this.cows) cow.beforeWrite(this.cleanupGroup, key, map);
      map.delete(key);
    }
  }
  size(): number {
    let n = 0;
    for (const group of this.groups) n += group.size;
    return n;
  }
}

export class HeapKeyedStateBackend implements KeyedStateBackend {
  currentKey: Key = 0;
  currentKeyGroup: number;
  /**
   * Every state: registered in this run (with its state object), or restored from a checkpoint
   * and not registered (yet), which snapshots carry over unchanged.
   */
  private readonly tables = new Map<
    string,
    { readonly table: StateTable<any>; kind: StateKind; state: HeapState | undefined }
  >();

  constructor(
    readonly maxParallelism: number,
    readonly range: KeyGroupRange,
    readonly clock: Clock,
    private readonly operatorName: string,
  ) {
    this.currentKeyGroup = range.start;
  }

  setCurrentKey(key: Key): void {
    this.currentKey = key;
    const kg = assignToKeyGroup(key, this.maxParallelism);
    checkKeyGroup(this.operatorName, key, kg, this.range);
    this.currentKeyGroup = kg;
  }

  /** Sets the key when the caller already knows its key group (timers, records keyed by their exchange). */
  setCurrentKeyAndGroup(key: Key, keyGroup: number): void {
    this.currentKey = key;
    this.currentKeyGroup = keyGroup;
  }

  /** Takes restored key groups (only those in this backend's range are kept). */
  restore(stateKinds: Record<string, StateKind>, groups: Iterable<[number, KeyGroupStates]>): void {
    for (const [name, kind] of Object.entries(stateKinds))
      if (!this.tables.has(name))
        this.tables.set(name, { table: new StateTable<any>(name, this), kind, state: undefined });
    for (const [kg, states] of groups) {
      if (kg < this.range.start || kg > this.range.end) continue;
      for (const [name, entries] of Object.entries(states)) {
        const table = this.tables.get(name)?.table;
        if (table === undefined) continue;
        const map = table.groups[kg - this.range.start];
        for (const [key, value] of entries) map.set(key, value);
      }
    }
  }

  /** The synchronous part of a checkpoint: O(states x key groups), no entry is touched. */
  snapshot(): KeyedStateSnapshot {
    const tables = new Map<string, TableSnapshot>();
    for (const [name, { table }] of this.tables) tables.set(name, new TableSnapshot(table));
    return new HeapKeyedStateSnapshot(this.range, this.stateKinds(), tables);
  }

  snapshotGroups(): Map<number, KeyGroupStates> {
    return readSnapshotGroups(this.snapshot());
  }

  getState<S>(descriptor: StateDescriptor): S {
    const existing = this.tables.get(descriptor.name);
    if (existing?.state !== undefined) {
      if (existing.kind !== descriptor.kind)
        throw stateKindError(this.operatorName, descriptor.name, descriptor.kind, existing.kind);
      return existing.state as S;
    }
    if (existing !== undefined && existing.kind !== descriptor.kind)
      throw restoredKindError(this.operatorName, descriptor.name, descriptor.kind, existing.kind);
    const table = existing?.table ?? new StateTable<any>(descriptor.name, this);
    const state = createHeapState(descriptor, table, this.clock);
    this.tables.set(descriptor.name, { table, kind: descriptor.kind, state });
    return state as S;
  }

  /** Registered states, for metrics. */
  stateTables(): IterableIterator<StateTable<any>> {
    const entries = [...this.tables.values()].filter((e) => e.state !== undefined);
    return (function* () {
      for (const e of entries) yield e.table;
    })();
  }

  stateKinds(): Record<string, StateKind> {
    const kinds: Record<string, StateKind> = {};
    for (const [name, e] of this.tables) kinds[name] = e.kind;
    return kinds;
  }

  registeredStates(): string[] {
    return [...this.tables].filter(([, e]) => e.state !== undefined).map(([name]) => name);
  }

  stateKeys(name: string): Key[] {
    const keys: Key[] = [];
    const table = this.registered(name);
    if (table !== undefined) for (const group of table.groups) for (const key of group.keys()) keys.push(key);
    return keys;
  }

  stateSize(name: string): number {
    return this.registered(name)?.size() ?? 0;
  }

  private registered(name: string): StateTable<any> | undefined {
    const e = this.tables.get(name);
    return e?.state === undefined ? undefined : e.table;
  }

  /** Snapshots being read keep the tables they hold; nothing else to release. */
  dispose(): void {}
}
