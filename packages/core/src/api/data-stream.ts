/**
 * The typed DataStream API. A DataStream is a handle on one or more outputs of the plan (more
 * than one after `union`); transformations add nodes to the job's logical plan and return a new
 * handle. `keyBy` gives a KeyedStream, whose operators have keyed state and timers; `window`
 * gives a WindowedStream. `uid` and `name` apply to the operator that produced the stream.
 */

import type { Sink } from "../connectors/api/sink.ts";
import { CollectSink } from "../connectors/collect-sink.ts";
import { PrintSink } from "../connectors/print-sink.ts";
import { JobDefinitionError } from "../errors.ts";
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
import type { Job } from "./job.ts";
import type { LogicalNode, OperatorSpec, Partitioning, WindowSpec } from "./logical-plan.ts";
import type { OutputTag } from "./output-tag.ts";
import type { ProcessWindowFunction, WindowAssigner } from "./windows.ts";

/** @internal one input of the next operator. */
export interface StreamRef {
  readonly nodeId: number;
  readonly sideOutput?: string;
  readonly partitioning: Partitioning;
  readonly keySelector?: KeySelector<any, Key>;
  readonly inputIndex?: 0 | 1;
  readonly job?: Job;
}

export class DataStream<T> {
  declare readonly __type?: T;

  /** @internal */
  constructor(
    readonly job: Job,
    /** @internal */ readonly refs: readonly StreamRef[],
    /** @internal the node that produced this stream (absent for union, keyBy, side outputs) */
    readonly node?: LogicalNode,
  ) {}

  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.add<R>({ kind: "map", fn }, "map");
  }

  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.add<T>({ kind: "filter", fn }, "filter");
  }

  /** Narrows the stream's type with a type guard. */
  filterType<S extends T>(guard: (value: T) => value is S): DataStream<S> {
    return this.add<S>({ kind: "filter", fn: guard }, "filter");
  }

  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.add<R>({ kind: "flatMap", fn }, "flatMap");
  }

  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    return this.add<R>({ kind: "process", fn }, "process");
  }

  /** Assigns event timestamps and generates watermarks here (instead of at the source). */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    return this.add<T>({ kind: "timestamps", strategy }, "timestamps");
  }

  keyBy<K extends Key>(keySelector: KeySelector<T, K>): KeyedStream<T, K> {
    return new KeyedStream<T, K>(
      this.job,
      this.refs.map((r) => ({ ...r, partitioning: "hash" as const, keySelector })),
      keySelector,
    );
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    const refs = [...this.refs];
    for (const other of others) {
      if (other.job !== this.job) throw new JobDefinitionError("union of streams from different jobs");
      if (other instanceof KeyedStream)
        throw new JobDefinitionError("union of a keyed stream: union the streams first, then keyBy");
      refs.push(...other.refs);
    }
    return new DataStream<T>(this.job, refs);
  }

  connect<B>(other: DataStream<B>): ConnectedStreams<T, B> {
    return new ConnectedStreams<T, B>(this, other);
  }

  /**
   * Windows over the whole stream (not per key), as Flink's windowAll: every record goes to one
   * subtask, which evaluates the windows; the window function sees the key 0.
   */
  windowAll(assigner: WindowAssigner): WindowedStream<T, 0> {
    return new WindowedStream<T, 0>(
      this.keyBy<0>(() => 0),
      assigner,
      true,
    );
  }

  /** Round-robin to the next operator's subtasks. */
  rebalance(): DataStream<T> {
    return this.partition("rebalance");
  }
  /** Every record to every subtask of the next operator. */
  broadcast(): DataStream<T> {
    return this.partition("broadcast");
  }
  /** Subtask i to subtask i; the next operator must have the same parallelism. */
  forward(): DataStream<T> {
    return this.partition("forward");
  }

  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const node = this.requireNode("getSideOutput");
    return new DataStream<X>(this.job, [{ nodeId: node.id, sideOutput: tag.id, partitioning: "auto" }]);
  }

  /** A stable id for the operator; savepoints match state by uid, so set it on stateful ones. */
  uid(uid: string): this {
    if (typeof uid !== "string" || uid.length === 0)
      throw new JobDefinitionError("uid must be a non-empty string");
    const node = this.requireNode("uid");
    node.uid = uid;
    node.uidSetByUser = true;
    return this;
  }

  /** A readable name, shown in plans, progress and errors. */
  name(name: string): this {
    this.requireNode("name").name = name;
    return this;
  }

  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1)
      throw new JobDefinitionError(`parallelism must be a positive integer, not ${parallelism}`);
    this.requireNode("setParallelism").parallelism = parallelism;
    return this;
  }

  sinkTo(sink: Sink<T, any>, name = "sink"): DataStream<never> {
    return this.add<never>({ kind: "sink", sink }, name);
  }

  print(prefix?: string): DataStream<never> {
    return this.sinkTo(new PrintSink<T>({ prefix }), "print");
  }

  /** Collects the records in memory; read them from the job result (tests, small outputs). */
  collect(name = "collect"): CollectHandle<T> {
    const stream = this.sinkTo(new CollectSink<T>(), name);
    return new CollectHandle<T>(stream.node!);
  }

  /** @internal */
  protected add<R>(spec: OperatorSpec, name: string, refs: readonly StreamRef[] = this.refs): DataStream<R> {
    return this.job.addNode<R>(spec, name, refs);
  }

  private partition(partitioning: Partitioning): DataStream<T> {
    return new DataStream<T>(
      this.job,
      this.refs.map((r) => ({ ...r, partitioning, keySelector: undefined })),
    );
  }

  private requireNode(method: string): LogicalNode {
    if (this.node === undefined)
      throw new JobDefinitionError(
        `${method}() applies to an operator, but this stream is a union, partitioning or side output: ` +
          "call it on the operator that produced the stream",
      );
    return this.node;
  }
}

/** A handle on a collect sink; read the records with `result.collected(handle)`. */
export class CollectHandle<T> {
  declare readonly __type?: T;
  constructor(readonly node: LogicalNode) {}
  get uid(): string {
    return this.node.uid;
  }
  /** Sets the sink's uid (stable name to read results by, e.g. from a job module). */
  withUid(uid: string): this {
    this.node.uid = uid;
    this.node.uidSetByUser = true;
    return this;
  }
}

export class KeyedStream<T, K extends Key> extends DataStream<T> {
  constructor(
    job: Job,
    refs: readonly StreamRef[],
    readonly keySelector: KeySelector<T, K>,
  ) {
    super(job, refs);
  }

  /** A keyed process function: state and timers per key. */
  override process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    return this.addKeyed<R>(
      { kind: "keyed-process", fn: fn as KeyedProcessFunction<Key, T, R> },
      "keyed-process",
    );
  }

  /** Rolling reduce: emits the reduced value per key after every record. */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return this.addKeyed<T>({ kind: "reduce", fn }, "reduce");
  }

  window(assigner: WindowAssigner): WindowedStream<T, K> {
    return new WindowedStream<T, K>(this, assigner);
  }

  /** Connecting two keyed streams gives keyed state and timers shared by both inputs per key. */
  override connect<B>(other: KeyedStream<B, K>): KeyedConnectedStreams<T, B, K>;
  override connect<B>(other: DataStream<B>): ConnectedStreams<T, B>;
  override connect<B>(other: DataStream<B>): ConnectedStreams<T, B> | KeyedConnectedStreams<T, B, K> {
    if (other instanceof KeyedStream)
      return new KeyedConnectedStreams<T, B, K>(this, other as KeyedStream<B, K>);
    return new ConnectedStreams<T, B>(this, other);
  }

  /** @internal */
  addKeyed<R>(spec: OperatorSpec, name: string): DataStream<R> {
    const stream = this.add<R>(spec, name);
    stream.node!.keySelector = this.keySelector;
    return stream;
  }
}

export class WindowedStream<T, K extends Key> {
  private lateness = 0;
  private lateTag: string | undefined;

  constructor(
    private readonly keyed: KeyedStream<T, K>,
    private readonly assigner: WindowAssigner,
    /** windowAll: the whole stream is one window group, evaluated by one subtask. */
    private readonly all = false,
  ) {}

  /** Keeps windows this long past their end for late records, which update the result. */
  allowedLateness(ms: number): this {
    if (!(ms >= 0) || !Number.isInteger(ms))
      throw new JobDefinitionError("allowedLateness must be an integer >= 0 ms");
    if (!this.assigner.eventTime && ms > 0)
      throw new JobDefinitionError("allowedLateness applies to event-time windows only");
    this.lateness = ms;
    return this;
  }

  /** Records too late for every window they belong to go to this side output. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag.id;
    return this;
  }

  reduce<R = T>(fn: ReduceFunction<T>, process?: ProcessWindowFunction<T, R, K>): DataStream<R> {
    return this.build<R>({
      kind: "reduce",
      reduce: fn,
      process: process as ProcessWindowFunction<any, any, Key>,
    });
  }

  aggregate<ACC, V, R = V>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessWindowFunction<V, R, K>,
  ): DataStream<R> {
    return this.build<R>({
      kind: "aggregate",
      aggregate: fn,
      process: process as ProcessWindowFunction<any, any, Key>,
    });
  }

  process<R>(fn: ProcessWindowFunction<T, R, K>): DataStream<R> {
    return this.build<R>({ kind: "process", process: fn as ProcessWindowFunction<any, any, Key> });
  }

  private build<R>(fn: WindowSpec["function"]): DataStream<R> {
    const window: WindowSpec = {
      assigner: this.assigner,
      allowedLatenessMs: this.lateness,
      lateDataTag: this.lateTag,
      function: fn,
    };
    const name = `${this.all ? "windowAll" : "window"} ${this.assigner.description}`;
    const stream = this.keyed.addKeyed<R>({ kind: "window", window }, name);
    return this.all ? stream.setParallelism(1) : stream;
  }
}

/** Two streams connected for a co-process function (joins, enrichment, control streams). */
export class ConnectedStreams<A, B> {
  constructor(
    readonly first: DataStream<A>,
    readonly second: DataStream<B>,
  ) {
    if (first.job !== second.job) throw new JobDefinitionError("connect of streams from different jobs");
  }

  process<R>(fn: CoProcessFunction<A, B, R>): DataStream<R> {
    return this.first.job.addNode<R>(
      { kind: "co-process", fn },
      "co-process",
      connectedRefs(this.first, this.second),
    );
  }

  /** Keys both inputs the same way: the co-process function then has state and timers per key. */
  keyBy<K extends Key>(key1: KeySelector<A, K>, key2: KeySelector<B, K>): KeyedConnectedStreams<A, B, K> {
    return new KeyedConnectedStreams<A, B, K>(this.first.keyBy(key1), this.second.keyBy(key2));
  }
}

/** Two streams keyed the same way: a keyed co-process function sees both inputs of a key. */
export class KeyedConnectedStreams<A, B, K extends Key> {
  constructor(
    readonly first: KeyedStream<A, K>,
    readonly second: KeyedStream<B, K>,
  ) {
    if (first.job !== second.job) throw new JobDefinitionError("connect of streams from different jobs");
  }

  process<R>(fn: KeyedCoProcessFunction<K, A, B, R>): DataStream<R> {
    const stream = this.first.job.addNode<R>(
      { kind: "keyed-co-process", fn: fn as KeyedCoProcessFunction<Key, A, B, R> },
      "keyed-co-process",
      connectedRefs(this.first, this.second),
    );
    // Input 1 is keyed by the node's selector; input 2's selector travels on its edges.
    stream.node!.keySelector = this.first.keySelector;
    return stream;
  }
}

function connectedRefs(first: DataStream<any>, second: DataStream<any>): StreamRef[] {
  return [
    ...first.refs.map((r) => ({ ...r, inputIndex: 0 as const })),
    ...second.refs.map((r) => ({ ...r, inputIndex: 1 as const })),
  ];
}
