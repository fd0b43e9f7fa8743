/**
 * Keyed state, as in Flink: each state is scoped to the key of the current record (or timer).
 * A descriptor names a state and says what it holds; the backend owns where it lives.
 * State names are unique per operator and become part of savepoints, so keep them stable.
 */
import type { AggregateFunction, Key, ReduceFunction } from "./functions.ts";

/**
 * Time-to-live of state entries, measured in processing time (as Flink does).
 * - updateType: which accesses refresh an entry's time.
 * - visibility: whether an expired entry that has not been cleaned up yet may still be read.
 */
export interface StateTtlConfig {
  ttlMs: number;
  updateType?: "on-create-and-write" | "on-read-and-write";
  visibility?: "never-return-expired" | "return-expired-if-not-cleaned-up";
}

interface DescriptorBase {
  readonly name: string;
  readonly ttl?: StateTtlConfig;
}

export interface ValueStateDescriptor<T> extends DescriptorBase {
  readonly kind: "value";
  readonly defaultValue?: T;
}
export interface ListStateDescriptor<T> extends DescriptorBase {
  readonly kind: "list";
  readonly __element?: T;
}
export interface MapStateDescriptor<UK extends Key, UV> extends DescriptorBase {
  readonly kind: "map";
  readonly __entry?: [UK, UV];
}
export interface ReducingStateDescriptor<T> extends DescriptorBase {
  readonly kind: "reducing";
  readonly reduce: ReduceFunction<T>;
}
export interface AggregatingStateDescriptor<IN, ACC, OUT> extends DescriptorBase {
  readonly kind: "aggregating";
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

export type StateDescriptor =
  | ValueStateDescriptor<any>
  | ListStateDescriptor<any>
  | MapStateDescriptor<any, any>
  | ReducingStateDescriptor<any>
  | AggregatingStateDescriptor<any, any, any>;

export type StateKind = StateDescriptor["kind"];

interface Options<T> {
  ttl?: StateTtlConfig;
  defaultValue?: T;
}

/** Descriptor constructors: `StateDescriptors.value<number>("count", { defaultValue: 0 })`. */
export const StateDescriptors = {
  value: <T>(name: string, options: Options<T> = {}): ValueStateDescriptor<T> => ({
    kind: "value",
    name: checkName(name),
    ...options,
  }),
  list: <T>(name: string, options: { ttl?: StateTtlConfig } = {}): ListStateDescriptor<T> => ({
    kind: "list",
    name: checkName(name),
    ...options,
  }),
  map: <UK extends Key, UV>(
    name: string,
    options: { ttl?: StateTtlConfig } = {},
  ): MapStateDescriptor<UK, UV> => ({
    kind: "map",
    name: checkName(name),
    ...options,
  }),
  reducing: <T>(
    name: string,
    reduce: ReduceFunction<T>,
    options: { ttl?: StateTtlConfig } = {},
  ): ReducingStateDescriptor<T> => ({ kind: "reducing", name: checkName(name), reduce, ...options }),
  aggregating: <IN, ACC, OUT>(
    name: string,
    aggregate: AggregateFunction<IN, ACC, OUT>,
    options: { ttl?: StateTtlConfig } = {},
  ): AggregatingStateDescriptor<IN, ACC, OUT> => ({
    kind: "aggregating",
    name: checkName(name),
    aggregate,
    ...options,
  }),
} as const;

function checkName(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new Error("a state needs a non-empty name");
  return name;
}

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface ListState<T> {
  /** The elements, in insertion order; an empty array when none. Do not mutate it. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

export interface MapState<UK extends Key, UV> {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  entries(): IterableIterator<[UK, UV]>;
  keys(): IterableIterator<UK>;
  values(): IterableIterator<UV>;
  isEmpty(): boolean;
  clear(): void;
}

export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}
