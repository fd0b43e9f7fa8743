/**
 * The logical plan: what the API builds and the planner reads. Each node is one operator (or a
 * source or sink) described as data plus the user's functions; nothing here runs. Edges say how
 * records move between nodes: which output (main or a side output) and how they are partitioned.
 * Node ids are positions in creation order, so every thread that imports the same job module
 * builds the same plan and operators can be matched across threads by id and uid.
 */

import type { Sink } from "../connectors/api/sink.ts";
import type { Source } from "../connectors/api/source.ts";
import type { WatermarkStrategy } from "../time/watermark-strategy.ts";
import type {
  AggregateFunction,
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  Key,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  ProcessFunction,
  ReduceFunction,
} from "./functions.ts";
import type { ProcessWindowFunction, WindowAssigner } from "./windows.ts";

export type Partitioning = "forward" | "hash" | "rebalance" | "broadcast" | "auto";

export interface LogicalEdge {
  readonly from: number;
  /** undefined = main output; otherwise the side output's tag id. */
  readonly sideOutput?: string;
  readonly partitioning: Partitioning;
  readonly keySelector?: KeySelector<any, Key>;
  /** 0 for one-input operators; 0 or 1 for two-input operators. */
  readonly inputIndex: 0 | 1;
}

export type OperatorSpec =
  | { kind: "source"; source: Source<any, any>; watermarks?: WatermarkStrategy<any> }
  | { kind: "map"; fn: MapFunction<any, any> }
  | { kind: "filter"; fn: FilterFunction<any> }
  | { kind: "flatMap"; fn: FlatMapFunction<any, any> }
  | { kind: "timestamps"; strategy: WatermarkStrategy<any> }
  | { kind: "process"; fn: ProcessFunction<any, any> }
  | { kind: "keyed-process"; fn: KeyedProcessFunction<Key, any, any> }
  | { kind: "reduce"; fn: ReduceFunction<any> }
  | { kind: "co-process"; fn: CoProcessFunction<any, any, any> }
  | { kind: "keyed-co-process"; fn: KeyedCoProcessFunction<Key, any, any, any> }
  | { kind: "window"; window: WindowSpec }
  | { kind: "sink"; sink: Sink<any, any> };

export type OperatorKind = OperatorSpec["kind"];

export interface WindowSpec {
  readonly assigner: WindowAssigner;
  readonly allowedLatenessMs: number;
  /** Tag id of the late-data side output; late records are dropped (and counted) without one. */
  readonly lateDataTag?: string;
  readonly function:
    | { kind: "reduce"; reduce: ReduceFunction<any>; process?: ProcessWindowFunction<any, any, Key> }
    | {
        kind: "aggregate";
        aggregate: AggregateFunction<any, any, any>;
        process?: ProcessWindowFunction<any, any, Key>;
      }
    | { kind: "process"; process: ProcessWindowFunction<any, any, Key> };
}

export interface LogicalNode {
  readonly id: number;
  readonly spec: OperatorSpec;
  name: string;
  uid: string;
  /** Whether the uid was set by the user (savepoints need stable, user-given uids). */
  uidSetByUser: boolean;
  /** undefined = the job's default parallelism. */
  parallelism: number | undefined;
  /** Present when the operator runs on a keyed stream (state and timers by key). */
  keySelector: KeySelector<any, Key> | undefined;
  readonly inputs: LogicalEdge[];
}

/** Operator kinds that need a keyed input. */
export const KEYED_KINDS: ReadonlySet<OperatorKind> = new Set([
  "keyed-process",
  "reduce",
  "keyed-co-process",
  "window",
]);
/** Operator kinds with two inputs. */
export const TWO_INPUT_KINDS: ReadonlySet<OperatorKind> = new Set(["co-process", "keyed-co-process"]);
