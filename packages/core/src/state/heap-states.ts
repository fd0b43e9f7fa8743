/**
 * The five keyed state kinds, over a StateStore (the heap's tables or LMDB's cached stores). Without TTL a table holds the plain
 * value (a list holds an array, a map state a Map). With TTL each value, list element or map
 * entry is wrapped with the processing time it was last written (or read, if so configured);
 * an expired entry is never returned unless the TTL says otherwise, and is removed when seen.
 */
import type { Key } from "../api/functions.ts";
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateDescriptor,
  StateTtlConfig,
  ValueState,
} from "../api/state.ts";
import type { Clock } from "../time/time.ts";
import type { StateStore } from "./keyed-state-backend.ts";

export type HeapState =
  | ValueState<unknown>
  | ListState<unknown>
  | MapState<Key, unknown>
  | ReducingState<unknown>
  | AggregatingState<unknown, unknown>;

interface Stamped<T> {
  v: T;
  t: number;
}

/** How a state with TTL decides what is expired. */
class Ttl {
  readonly ttl: number;
  readonly updateOnRead: boolean;
  readonly returnExpired: boolean;

  constructor(
    config: StateTtlConfig,
    private readonly clock: Clock,
  ) {
    if (!(config.ttlMs > 0)) throw new RangeError("state TTL must be > 0 ms");
    this.ttl = config.ttlMs;
    this.updateOnRead = config.updateType === "on-read-and-write";
    this.returnExpired = config.visibility === "return-expired-if-not-cleaned-up";
  }
  now(): number {
    return this.clock.now();
  }
  expired(stamped: Stamped<unknown>, now: number): boolean {
    return stamped.t + this.ttl <= now;
  }
  /**
   * Incremental cleanup: each access also inspects a couple of other entries of the table and
   * drops those that are wholly expired, so state of keys that are never read again goes away.
   */
  cleanSome(table: StateStore<any>, isExpired: (value: unknown, now: number) => boolean): void {
    table.cleanSome(2, isExpired, this.now());
  }
}

export function createHeapState(
  descriptor: StateDescriptor,
  table: StateStore<any>,
  clock: Clock,
): HeapState {
  const ttl = descriptor.ttl ? new Ttl(descriptor.ttl, clock) : null;
  switch (descriptor.kind) {
    case "value":
      return new HeapValueState(table, ttl, descriptor.defaultValue);
    case "list":
      return new HeapListState(table, ttl);
    case "map":
      return new HeapMapState(table, ttl);
    case "reducing":
      return new HeapReducingState(table, ttl, descriptor.reduce);
    case "aggregating":
      return new HeapAggregatingState(table, ttl, descriptor.aggregate);
  }
}

/** Shared by value-like states (value, reducing, aggregating): one value per key. */
class SingleValue<T> {
  constructor(
    protected readonly table: StateStore<any>,
    protected readonly ttl: Ttl | null,
  ) {}
  protected read(): T | undefined {
    const stored = this.table.get();
    if (stored === undefined || this.ttl === null) return stored as T | undefined;
    const stamped = stored as Stamped<T>;
    const now = this.ttl.now();
    if (this.ttl.expired(stamped, now)) {
      this.table.remove();
      return this.ttl.returnExpired ? stamped.v : undefined;
    }
    if (this.ttl.updateOnRead) stamped.t = now;
    return stamped.v;
  }
  protected write(value: T): void {
    if (this.ttl === null) {
      this.table.put(value);
      return;
    }
    this.table.put({ v: value, t: this.ttl.now() } satisfies Stamped<T>);
    this.ttl.cleanSome(this.table, (v, now) => this.ttl!.expired(v as Stamped<T>, now));
  }
  clear(): void {
    this.table.remove();
  }
}

class HeapValueState<T> extends SingleValue<T> implements ValueState<T> {
  constructor(
    table: StateStore<any>,
    ttl: Ttl | null,
    private readonly defaultValue: T | undefined,
  ) {
    super(table, ttl);
  }
  value(): T | undefined {
    const v = this.read();
    return v === undefined ? this.defaultValue : v;
  }
  update(value: T): void {
    if (value === undefined) this.clear();
    else this.write(value);
  }
}

class HeapReducingState<T> extends SingleValue<T> implements ReducingState<T> {
  constructor(
    table: StateStore<any>,
    ttl: Ttl | null,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(table, ttl);
  }
  get(): T | undefined {
    return this.read();
  }
  add(value: T): void {
    const current = this.read();
    this.write(current === undefined ? value : this.reduce(current, value));
  }
}

class HeapAggregatingState<IN, ACC, OUT> extends SingleValue<ACC> implements AggregatingState<IN, OUT> {
  constructor(
    table: StateStore<any>,
    ttl: Ttl | null,
    private readonly fn: {
      createAccumulator(): ACC;
      add(v: IN, acc: ACC): ACC;
      getResult(acc: ACC): OUT;
    },
  ) {
    super(table, ttl);
  }
  get(): OUT | undefined {
    const acc = this.read();
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }
  add(value: IN): void {
    const acc = this.read();
    this.write(this.fn.add(value, acc === undefined ? this.fn.createAccumulator() : acc));
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

class HeapListState<T> implements ListState<T> {
  constructor(
    private readonly table: StateStore<any>,
    private readonly ttl: Ttl | null,
  ) {}
  get(): readonly T[] {
    const stored = this.table.get() as unknown[] | undefined;
    if (stored === undefined) return EMPTY;
    if (this.ttl === null) return stored as T[];
    const now = this.ttl.now();
    const live = (stored as Stamped<T>[]).filter((e) => !this.ttl!.expired(e, now));
    if (live.length !== stored.length) {
      if (live.length === 0) this.table.remove();
      else this.table.put(live);
      if (this.ttl.returnExpired) return (stored as Stamped<T>[]).map((e) => e.v);
    }
    if (this.ttl.updateOnRead) for (const e of live) e.t = now;
    return live.map((e) => e.v);
  }
  add(value: T): void {
    let list = this.table.get() as unknown[] | undefined;
    if (list === undefined) this.table.put((list = []));
    list.push(this.ttl === null ? value : ({ v: value, t: this.ttl.now() } satisfies Stamped<T>));
    this.cleanSome();
  }
  addAll(values: readonly T[]): void {
    for (const v of values) this.add(v);
  }
  update(values: readonly T[]): void {
    if (values.length === 0) {
      this.table.remove();
      return;
    }
    const now = this.ttl?.now() ?? 0;
    this.table.put(this.ttl === null ? values.slice() : values.map((v) => ({ v, t: now })));
    this.cleanSome();
  }
  clear(): void {
    this.table.remove();
  }
  private cleanSome(): void {
    if (this.ttl === null) return;
    const ttl = this.ttl;
    ttl.cleanSome(this.table, (list, now) => (list as Stamped<T>[]).every((e) => ttl.expired(e, now)));
  }
}

class HeapMapState<UK extends Key, UV> implements MapState<UK, UV> {
  constructor(
    private readonly table: StateStore<any>,
    private readonly ttl: Ttl | null,
  ) {}
  private map(create: boolean): Map<UK, unknown> | undefined {
    let m = this.table.get() as Map<UK, unknown> | undefined;
    if (m === undefined && create) this.table.put((m = new Map()));
    return m;
  }
  private unwrap(key: UK, stored: unknown, m: Map<UK, unknown>, now: number): UV | undefined {
    if (stored === undefined || this.ttl === null) return stored as UV | undefined;
    const stamped = stored as Stamped<UV>;
    if (this.ttl.expired(stamped, now)) {
      m.delete(key);
      if (m.size === 0) this.table.remove();
      return this.ttl.returnExpired ? stamped.v : undefined;
    }
    if (this.ttl.updateOnRead) stamped.t = now;
    return stamped.v;
  }
  get(key: UK): UV | undefined {
    const m = this.map(false);
    if (m === undefined) return undefined;
    return this.unwrap(key, m.get(key), m, this.ttl?.now() ?? 0);
  }
  put(key: UK, value: UV): void {
    const m = this.map(true)!;
    m.set(key, this.ttl === null ? value : ({ v: value, t: this.ttl.now() } satisfies Stamped<UV>));
    if (this.ttl !== null) {
      const ttl = this.ttl;
      ttl.cleanSome(this.table, (mm, now) => {
        for (const e of (mm as Map<UK, Stamped<UV>>).values()) if (!ttl.expired(e, now)) return false;
        return true;
      });
    }
  }
  remove(key: UK): void {
    const m = this.map(false);
    if (m === undefined) return;
    m.delete(key);
    if (m.size === 0) this.table.remove();
  }
  contains(key: UK): boolean {
    return this.get(key) !== undefined;
  }
  *entries(): IterableIterator<[UK, UV]> {
    const m = this.map(false);
    if (m === undefined) return;
    const now = this.ttl?.now() ?? 0;
    for (const [k, stored] of [...m]) {
      const v = this.unwrap(k, stored, m, now);
      if (v !== undefined) yield [k, v];
    }
  }
  *keys(): IterableIterator<UK> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<UV> {
    for (const [, v] of this.entries()) yield v;
  }
  isEmpty(): boolean {
    return this.entries().next().done === true;
  }
  clear(): void {
    this.table.remove();
  }
}
