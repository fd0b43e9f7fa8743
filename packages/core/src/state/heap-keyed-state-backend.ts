/**
 * The heap keyed-state backend: state lives in JS Maps, one Map per key group per state, so a
 * snapshot or a rescale reads whole key groups. The current key is set by the operator before
 * each record or timer; states read and write the entry of that key. TTL is in processing time,
 * checked lazily on access and cleaned incrementally as states are touched.
 */
import type { Key } from "../api/functions.ts";
import type { StateDescriptor, StateKind } from "../api/state.ts";
import { EddyError } from "../errors.ts";
import type { Clock } from "../time/time.ts";
import { createHeapState, type HeapState } from "./heap-states.ts";
import { assignToKeyGroup, type KeyGroupRange } from "./key-groups.ts";

export class StateTable<V = unknown> {
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
  size(): number {
    let n = 0;
    for (const group of this.groups) n += group.size;
    return n;
  }
}

export class HeapKeyedStateBackend {
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
    if (kg < this.range.start || kg > this.range.end)
      throw new EddyError(
        "EDDY_KEY_GROUP",
        `operator '${this.operatorName}' received key ${JSON.stringify(key)} of key group ${kg}, outside its ` +
          `range ${this.range.start}..${this.range.end}: the key selector is not deterministic, or the stream ` +
          `was re-partitioned after keyBy (use keyBy again)`,
      );
    this.currentKeyGroup = kg;
  }

  /** Sets the key when the caller already knows its key group (timers). */
  setCurrentKeyAndGroup(key: Key, keyGroup: number): void {
    this.currentKey = key;
    this.currentKeyGroup = keyGroup;
  }

  getState<S>(descriptor: StateDescriptor): S {
    const existing = this.tables.get(descriptor.name);
    if (existing) {
      if (existing.table.descriptor.kind !== descriptor.kind)
        throw new EddyError(
          "EDDY_STATE_KIND",
          `operator '${this.operatorName}' registers state '${descriptor.name}' as ${descriptor.kind} state, ` +
            `but it already is ${existing.table.descriptor.kind} state: give each state its own name`,
        );
      return existing.state as S;
    }
    const table = new StateTable<any>(descriptor, this);
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

  stateKinds(): Map<string, StateKind> {
    const kinds = new Map<string, StateKind>();
    for (const [name, e] of this.tables) kinds.set(name, e.table.descriptor.kind);
    return kinds;
  }
}
