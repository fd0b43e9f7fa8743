/**
 * The LMDB side of the keyed states: one StateStore per state, whose entries live in LMDB under
 * the key [stateName, keyGroup, key] (so a key group is one contiguous key range) with the value
 * encoded by lmdb-js's msgpack (structured clone: Maps, Sets, Dates survive). The state kinds
 * themselves are the heap's (heap-states.ts); this store puts a write-back cache in front of LMDB:
 * an entry read or written is kept in the cache, and the cache is written in one transaction
 * when it grows past its bound and before every snapshot. An object read from the cache may be
 * mutated in place by the states (a list's push, a TTL time stamp), so every object entry that was
 * read counts as dirty; primitives count only when written.
 */
import type { Key, KeyGroupRange, StateDescriptor, StateStore } from "@eddy/core/state-backend";

/** The subset of lmdb-js's Database this module uses. */
export interface LmdbDatabase {
  get(key: unknown): unknown;
  put(key: unknown, value: unknown): unknown;
  remove(key: unknown): unknown;
  getRange(options: {
    start?: unknown;
    end?: unknown;
    exclusiveStart?: boolean;
    limit?: number;
    transaction?: LmdbReadTransaction;
  }): Iterable<{ key: unknown; value: unknown }>;
  getKeys(options: { start?: unknown; end?: unknown }): Iterable<unknown>;
  getKeysCount(options: { start?: unknown; end?: unknown; transaction?: LmdbReadTransaction }): number;
  transactionSync<T>(action: () => T): T;
  /** A read transaction: a consistent view of the database until done() is called. */
  useReadTransaction(): LmdbReadTransaction;
}

export interface LmdbReadTransaction {
  done(): void;
}

/** What a store needs of its backend: the current key and the shared cache bound. */
export interface LmdbStoreOwner {
  readonly currentKey: Key;
  readonly currentKeyGroup: number;
  readonly range: KeyGroupRange;
  /** Called before an entry is added to a cache: flushes every cache if they are too large. */
  beforeCacheGrows(): void;
}

interface CacheEntry {
  kg: number;
  /** undefined with dirty = a deletion not yet written. */
  value: unknown;
  dirty: boolean;
}

export type LmdbKey = [string, number, Key];

export class LmdbStateStore<V = unknown> implements StateStore<V> {
  /** By key (a key's group is a function of the key). */
  private cache = new Map<Key, CacheEntry>();
  private cleanupAfter: LmdbKey | undefined;

  constructor(
    readonly descriptor: StateDescriptor,
    private readonly owner: LmdbStoreOwner,
    private readonly db: LmdbDatabase,
  ) {}

  get name(): string {
    return this.descriptor.name;
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  private entry(load: boolean): CacheEntry {
    const key = this.owner.currentKey;
    let e = this.cache.get(key);
    if (e === undefined) {
      this.owner.beforeCacheGrows();
      const kg = this.owner.currentKeyGroup;
      e = { kg, value: load ? this.db.get([this.name, kg, key]) : undefined, dirty: false };
      this.cache.set(key, e);
    }
    return e;
  }

  get(): V | undefined {
    const e = this.entry(true);
    if (typeof e.value === "object" && e.value !== null) e.dirty = true;
    return e.value as V | undefined;
  }

  put(value: V): void {
    const e = this.entry(false);
    e.value = value;
    e.dirty = true;
  }

  remove(): void {
    const e = this.entry(false);
    e.value = undefined;
    e.dirty = true;
  }

  /** Writes the dirty entries (inside the caller's write transaction) and empties the cache. */
  writeDirty(): void {
    for (const [key, e] of this.cache) {
      if (!e.dirty) continue;
      if (e.value === undefined) this.db.remove([this.name, e.kg, key]);
      else this.db.put([this.name, e.kg, key], e.value);
    }
    this.cache = new Map();
  }

  cleanSome(budget: number, isExpired: (value: V, now: number) => boolean, now: number): void {
    const start = this.cleanupAfter ?? [this.name, this.owner.range.start];
    const end = [this.name, this.owner.range.end + 1];
    let seen = 0;
    let last: LmdbKey | undefined;
    for (const { key, value } of this.db.getRange({ start, end, limit: budget + 1 })) {
      const k = key as LmdbKey;
      const after = this.cleanupAfter;
      if (after !== undefined && k[1] === after[1] && k[2] === after[2]) continue;
      if (seen === budget) break;
      seen++;
      last = k;
      // The cache is authoritative for the keys it holds.
      if (this.cache.has(k[2])) continue;
      if (isExpired(value as V, now)) {
        this.owner.beforeCacheGrows();
        this.cache.set(k[2], { kg: k[1], value: undefined, dirty: true });
      }
    }
    // At the end of the range: start over next time.
    this.cleanupAfter = seen < budget ? undefined : last;
  }

  keys(): Key[] {
    const start = [this.name, this.owner.range.start];
    const end = [this.name, this.owner.range.end + 1];
    return [...this.db.getKeys({ start, end })].map((k) => (k as LmdbKey)[2]);
  }

  count(): number {
    return this.db.getKeysCount({
      start: [this.name, this.owner.range.start],
      end: [this.name, this.owner.range.end + 1],
    });
  }
}
