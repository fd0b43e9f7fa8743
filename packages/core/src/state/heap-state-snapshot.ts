/**
 * Asynchronous snapshots of the heap backend, copy-on-write in the spirit of Flink's
 * CopyOnWriteStateMap. Taking one costs a few allocations per state (the synchronous part of a
 * checkpoint); the entries are read later, a key group at a time, while the task keeps changing
 * them. To show the snapshot the state at the barrier, a table that a snapshot is reading keeps,
 * per key group not yet read whole, the barrier value of every key touched since:
 *
 * - before a write (put, remove, an expired entry cleaned up) it keeps the old value, or "absent";
 * - before an object value is handed out by get() it keeps a structured clone of it, because the
 *   states and user code change objects in place (a list state's push, a reducer that adds into
 *   its accumulator, `v = state.value(); v.n++; state.update(v)`).
 *
 * Once a key group has been read whole nothing more is kept for it. With no snapshot running the
 * tables pay one field check per access. As with Flink's heap backend, one object stored under two
 * keys and changed in place through one of them is not preserved for the other: keep one object
 * per key (the LMDB backend never shares them).
 */
import type { Key } from "../api/functions.ts";
import type { StateKind } from "../api/state.ts";
import { EddyError } from "../errors.ts";
import type { KeyGroupRange } from "./key-groups.ts";
import {
  type KeyedStateSnapshot,
  type KeyGroupEntries,
  SnapshotCancelledError,
} from "./keyed-state-backend.ts";

/** The entry did not exist at the barrier. */
const ABSENT: unique symbol = Symbol("absent");

/** The part of a state table a snapshot needs: its maps by key group. */
export interface SnapshotSource {
  readonly name: string;
  readonly groups: readonly Map<Key, unknown>[];
  /** Snapshots reading this table; undefined when none (the hot path checks only that). */
  cows: TableSnapshot[] | undefined;
}

/** What one snapshot preserves of one table. */
export class TableSnapshot {
  /** Per key group (index from the range's start): barrier values of keys touched since. */
  private readonly saved: (Map<Key, unknown> | undefined)[];
  /** Per key group: 1 once the snapshot has read it whole. */
  private readonly closed: Uint8Array;
  /** A value that could not be cloned: the snapshot fails instead of the record. */
  failure: unknown;

  constructor(readonly source: SnapshotSource) {
    this.saved = new Array(source.groups.length);
    this.closed = new Uint8Array(source.groups.length);
  }

  /** Called before `value`, an object, is handed out for key `key` of group `i`. */
  beforeRead(i: number, key: Key, value: object): void {
    if (this.closed[i] === 1) return;
    let saved = this.saved[i];
    if (saved === undefined) this.saved[i] = saved = new Map();
    else if (saved.has(key)) return;
    let copy: unknown = value;
    try {
      copy = structuredClone(value);
    } catch (error) {
      this.failure ??= error;
    }
    saved.set(key, copy);
  }

  /** Called before key `key` of group `i` (whose map is `map`) is written or removed. */
  beforeWrite(i: number, key: Key, map: Map<Key, unknown>): void {
    if (this.closed[i] === 1) return;
    let saved = this.saved[i];
    if (saved === undefined) this.saved[i] = saved = new Map();
    else if (saved.has(key)) return;
    const old = map.get(key);
    saved.set(key, old === undefined ? ABSENT : old);
  }

  /** The entries of group `i` at the barrier, as [key, value] pairs the caller owns. */
  entriesAtBarrier(i: number): [Key, unknown][] {
    const map = this.source.groups[i];
    const saved = this.saved[i];
    if (saved === undefined || saved.size === 0) return Array.from(map);
    const entries: [Key, unknown][] = [];
    for (const [key, value] of map) {
      const old = saved.get(key);
      if (old === undefined) entries.push([key, value]);
      else if (old !== ABSENT) entries.push([key, old]);
    }
    // Removed since the barrier.
    for (const [key, old] of saved) if (old !== ABSENT && !map.has(key)) entries.push([key, old]);
    return entries;
  }

  /**
   * Replaces, in pairs taken from entriesAtBarrier(i) earlier, the values of keys touched since
   * then by what was kept of them (a clone made before an object was handed out).
   */
  refresh(i: number, pairs: [Key, unknown][]): void {
    const saved = this.saved[i];
    if (saved === undefined || saved.size === 0) return;
    for (const pair of pairs) {
      const old = saved.get(pair[0]);
      if (old !== undefined && old !== ABSENT) pair[1] = old;
    }
  }

  /** Group `i` has been read whole: stop preserving it. */
  close(i: number): void {
    this.closed[i] = 1;
    this.saved[i] = undefined;
  }

  attach(): void {
    this.source.cows = this.source.cows === undefined ? [this] : [...this.source.cows, this];
  }

  detach(): void {
    const rest = this.source.cows?.filter((c) => c !== this) ?? [];
    this.source.cows = rest.length === 0 ? undefined : rest;
  }
}

/** A snapshot of a heap backend: one TableSnapshot per state. */
export class HeapKeyedStateSnapshot implements KeyedStateSnapshot {
  readonly stateNames: readonly string[];
  private released: string | undefined;

  constructor(
    readonly range: KeyGroupRange,
    readonly stateKinds: Readonly<Record<string, StateKind>>,
    private readonly tables: ReadonlyMap<string, TableSnapshot>,
  ) {
    this.stateNames = [...tables.keys()];
    for (const table of tables.values()) table.attach();
  }

  openGroup(name: string, kg: number): KeyGroupEntries | undefined {
    this.check();
    const table = this.tables.get(name);
    if (table === undefined) return undefined;
    const i = kg - this.range.start;
    const entries = table.entriesAtBarrier(i);
    if (entries.length === 0) {
      table.close(i);
      return undefined;
    }
    let position = 0;
    return {
      size: entries.length,
      read: (max: number): [Key, unknown][] => {
        this.check();
        const end = Math.min(entries.length, position + Math.max(1, max));
        const chunk = position === 0 && end === entries.length ? entries : entries.slice(position, end);
        table.refresh(i, chunk);
        position = end;
        if (position === entries.length) table.close(i);
        return chunk;
      },
    };
  }

  /** Ends the snapshot; reading it afterwards throws `reason`. */
  release(reason = "the snapshot was released"): void {
    if (this.released !== undefined) return;
    this.released = reason;
    for (const table of this.tables.values()) table.detach();
  }

  private check(): void {
    if (this.released !== undefined) throw new SnapshotCancelledError(this.released);
    for (const table of this.tables.values())
      if (table.failure !== undefined)
        throw new EddyError(
          "EDDY_SNAPSHOT_FAILED",
          `a value of state '${table.source.name}' could not be copied for the snapshot: ` +
            `${(table.failure as Error)?.message ?? String(table.failure)}`,
        );
  }
}
