/**
 * The heap keyed-state backend: state lives in JS Maps, one Map per key group per state, so a
 * snapshot or a rescale reads whole key groups. The current key is set by the operator before
 * each record or timer; states read and write the entry of that key. TTL is in processing time,
 * checked lazily on access and cleaned incrementally as states are touched.
 */
import type { Key } from "../api/functions.ts";
import type { StateDescriptor, StateKind } from "../api/state.ts";
import type { Clock } from "../time/time.ts";
import { createHeapState, type HeapState } from "./heap-states.ts";
import { assignToKeyGroup, type KeyGroupRange } from "./key-groups.ts";
import {
  checkKeyGroup,
  type KeyedStateBackend,
  type KeyGroupStates,
  restoredKindError,
  type StateStore,
  stateKindError,
} from "./keyed-state-backend.ts";

export class StateTable<V = unknown> implements StateStore<V> {
  /** groups[kg - range.start] holds the entries of key group kg. */
  readonly groups: Map<Key, V>[];
  constructor(
    readonly descriptor: StateDescriptor,
    private readonly backend: HeapKeyedStateBackend,
  ) {
    const size = Math.max(0, backend.range.end - backend.range.start + 1);
    this.groups = Array.from({ length: size }, () => new Map<Key, V>());
  }
  /** The map of the current key's group. */
  current(): Map<Key, V> {
    return this.groups[this.backend.currentKeyGroup - this.backend.range.start];
  }
  get(): V | undefined {
    return this.current().get(this.backend.currentKey);
  }
  put(value: V): void {
    this.current().set(this.backend.currentKey, value);
  }
  remove(): void {
    this.current().delete(this.backend.currentKey);
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
      if (isExpired(value, now)) this.groups[this.cleanupGroup].delete(key);
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
  private readonly tables = new Map<string, { table: StateTable<any>; state: HeapState }>();

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

  /** Sets the key when the caller already knows its key group (timers). */
  setCurrentKeyAndGroup(key: Key, keyGroup: number): void {
    this.currentKey = key;
    this.currentKeyGroup = keyGroup;
  }

  /** Entries restored from a checkpoint, loaded into a state's table when it is registered. */
  private readonly restored = new Map<string, { kind: StateKind; groups: Map<number, [Key, unknown][]> }>();

  /** Takes restored key groups (only those in this backend's range are kept). */
  restore(stateKinds: Record<string, StateKind>, groups: Iterable<[number, KeyGroupStates]>): void {
    for (const [name, kind] of Object.entries(stateKinds))
      if (!this.restored.has(name)) this.restored.set(name, { kind, groups: new Map() });
    for (const [kg, states] of groups) {
      if (kg < this.range.start || kg > this.range.end) continue;
      for (const [name, entries] of Object.entries(states)) this.restored.get(name)?.groups.set(kg, entries);
    }
  }

  /** Every non-empty key group of every state, for a checkpoint. Entries are not copied. */
  snapshotGroups(): Map<number, KeyGroupStates> {
    const groups = new Map<number, KeyGroupStates>();
    for (const [name, { table }] of this.tables)
      table.groups.forEach((map, i) => {
        if (map.size === 0) return;
        const kg = this.range.start + i;
        let states = groups.get(kg);
        if (states === undefined) groups.set(kg, (states = {}));
        states[name] = [...map];
      });
    // States restored but not registered (yet) in this run are carried over unchanged.
    for (const [name, { groups: restoredGroups }] of this.restored)
      for (const [kg, entries] of restoredGroups) {
        let states = groups.get(kg);
        if (states === undefined) groups.set(kg, (states = {}));
        states[name] = entries;
      }
    return groups;
  }

  getState<S>(descriptor: StateDescriptor): S {
    const existing = this.tables.get(descriptor.name);
    if (existing) {
      if (existing.table.descriptor.kind !== descriptor.kind)
        throw stateKindError(
          this.operatorName,
          descriptor.name,
          descriptor.kind,
          existing.table.descriptor.kind,
        );
      return existing.state as S;
    }
    const table = new StateTable<any>(descriptor, this);
    const restored = this.restored.get(descriptor.name);
    if (restored !== undefined) {
      if (restored.kind !== descriptor.kind)
        throw restoredKindError(this.operatorName, descriptor.name, descriptor.kind, restored.kind);
      for (const [kg, entries] of restored.groups) {
        const map = table.groups[kg - this.range.start];
        for (const [key, value] of entries) map.set(key, value);
      }
      this.restored.delete(descriptor.name);
    }
    const state = createHeapState(descriptor, table, this.clock);
    this.tables.set(descriptor.name, { table, state });
    return state as S;
  }

  /** Registered states, for snapshots and metrics. */
  stateTables(): IterableIterator<StateTable<any>> {
    const entries = this.tables.values();
    return (function* () {
      for (const e of entries) yield e.table;
    })();
  }

  stateKinds(): Record<string, StateKind> {
    const kinds: Record<string, StateKind> = {};
    for (const [name, e] of this.restored) kinds[name] = e.kind;
    for (const [name, e] of this.tables) kinds[name] = e.table.descriptor.kind;
    return kinds;
  }

  registeredStates(): string[] {
    return [...this.tables.keys()];
  }

  stateKeys(name: string): Key[] {
    const keys: Key[] = [];
    const table = this.tables.get(name)?.table;
    if (table !== undefined) for (const group of table.groups) for (const key of group.keys()) keys.push(key);
    return keys;
  }

  stateSize(name: string): number {
    return this.tables.get(name)?.table.size() ?? 0;
  }

  dispose(): void {}
}
