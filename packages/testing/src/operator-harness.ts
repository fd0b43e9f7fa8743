/**
 * Where harnesses come from: one factory per kind of operator, taking the same user functions
 * the DataStream API takes, and `forNode`, which tests exactly the operator a DataStream handle
 * built (with the job's error handling and key groups). Operators are made by the core's own
 * operator factory, so a harness runs the code a job runs.
 */
import type {
  CoProcessFunction,
  DataStream,
  FilterFunction,
  FlatMapFunction,
  Key,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  ProcessFunction,
  ReduceFunction,
  WatermarkStrategy,
} from "@eddy/core";
import {
  createOperator,
  type LogicalNode,
  type OneInputOperator,
  type OperatorSpec,
  type TwoInputOperator,
} from "@eddy/core/internal";
import { HarnessContext, type OperatorHarnessOptions } from "./harness-context.ts";
import { KeyedOperatorHarness } from "./keyed-operator-harness.ts";
import { OneInputOperatorHarness } from "./one-input-operator-harness.ts";
import { TwoInputOperatorHarness } from "./two-input-operator-harness.ts";

const TWO_INPUT: ReadonlySet<string> = new Set(["co-process", "keyed-co-process"]);

/** A logical node for an operator that is not part of any job. */
function standaloneNode(
  spec: OperatorSpec,
  keySelector?: KeySelector<any, Key>,
  secondKey?: KeySelector<any, Key>,
) {
  const node: LogicalNode = {
    id: 0,
    spec,
    name: spec.kind,
    uid: `${spec.kind}-under-test`,
    uidSetByUser: false,
    parallelism: undefined,
    keySelector,
    inputs: [],
  };
  if (secondKey !== undefined)
    node.inputs.push({ from: -1, partitioning: "hash", keySelector: secondKey, inputIndex: 1 });
  return node;
}

function environment(node: LogicalNode, options: OperatorHarnessOptions): HarnessContext {
  return new HarnessContext(options, {
    uid: node.uid,
    name: node.name,
    keyed: node.keySelector !== undefined,
  });
}

function build(node: LogicalNode, env: HarnessContext) {
  return createOperator(node, { collected: new Map(), autoWatermarkIntervalMs: env.autoWatermarkIntervalMs });
}

function oneInput<IN, OUT>(
  node: LogicalNode,
  options: OperatorHarnessOptions,
): OneInputOperatorHarness<IN, OUT> {
  const env = environment(node, options);
  return new OneInputOperatorHarness<IN, OUT>(build(node, env) as OneInputOperator<IN>, env);
}

function keyed<K extends Key, IN, OUT>(
  node: LogicalNode,
  options: OperatorHarnessOptions,
): KeyedOperatorHarness<K, IN, OUT> {
  const env = environment(node, options);
  return new KeyedOperatorHarness<K, IN, OUT>(
    build(node, env) as OneInputOperator<IN>,
    env,
    node.keySelector as KeySelector<IN, K>,
  );
}

function twoInput<IN1, IN2, OUT>(
  node: LogicalNode,
  options: OperatorHarnessOptions,
): TwoInputOperatorHarness<IN1, IN2, OUT> {
  const env = environment(node, options);
  return new TwoInputOperatorHarness<IN1, IN2, OUT>(build(node, env) as TwoInputOperator<IN1, IN2>, env);
}

/** The options a node gets from its job, overridden by the test's. */
function jobOptions(stream: DataStream<any>, options: OperatorHarnessOptions): OperatorHarnessOptions {
  const job = stream.job.options;
  return {
    errorHandling: job.errorHandling,
    maxParallelism: job.maxParallelism,
    autoWatermarkIntervalMs: job.autoWatermarkIntervalMs,
    jobName: job.name,
    ...options,
  };
}

function nodeOf(stream: DataStream<any>, method: string): LogicalNode {
  const node = stream.node;
  if (node === undefined)
    throw new Error(
      `OperatorHarness.${method}: this stream was not produced by one operator (a union, keyBy, partitioning ` +
        "or side output); pass the stream the operator returned",
    );
  if (node.spec.kind === "source")
    throw new Error(`OperatorHarness.${method}: use SourceOperatorHarness for sources`);
  return node;
}

export class OperatorHarness {
  static forMap<IN, OUT>(fn: MapFunction<IN, OUT>, options: OperatorHarnessOptions = {}) {
    return oneInput<IN, OUT>(standaloneNode({ kind: "map", fn }), options);
  }

  static forFilter<T>(fn: FilterFunction<T>, options: OperatorHarnessOptions = {}) {
    return oneInput<T, T>(standaloneNode({ kind: "filter", fn }), options);
  }

  static forFlatMap<IN, OUT>(fn: FlatMapFunction<IN, OUT>, options: OperatorHarnessOptions = {}) {
    return oneInput<IN, OUT>(standaloneNode({ kind: "flatMap", fn }), options);
  }

  static forProcess<IN, OUT>(fn: ProcessFunction<IN, OUT>, options: OperatorHarnessOptions = {}) {
    return oneInput<IN, OUT>(standaloneNode({ kind: "process", fn }), options);
  }

  /** assignTimestampsAndWatermarks: emits the strategy's watermarks (every record by default). */
  static forTimestamps<T>(strategy: WatermarkStrategy<T>, options: OperatorHarnessOptions = {}) {
    return oneInput<T, T>(standaloneNode({ kind: "timestamps", strategy }), options);
  }

  static forKeyedProcess<K extends Key, IN, OUT>(
    keySelector: KeySelector<IN, K>,
    fn: KeyedProcessFunction<K, IN, OUT>,
    options: OperatorHarnessOptions = {},
  ) {
    return keyed<K, IN, OUT>(
      standaloneNode({ kind: "keyed-process", fn: fn as KeyedProcessFunction<Key, IN, OUT> }, keySelector),
      options,
    );
  }

  /** The rolling reduce of KeyedStream.reduce; its state is named "reduce". */
  static forReduce<T, K extends Key>(
    keySelector: KeySelector<T, K>,
    fn: ReduceFunction<T>,
    options: OperatorHarnessOptions = {},
  ) {
    return keyed<K, T, T>(standaloneNode({ kind: "reduce", fn }, keySelector), options);
  }

  static forCoProcess<IN1, IN2, OUT>(
    fn: CoProcessFunction<IN1, IN2, OUT>,
    options: OperatorHarnessOptions = {},
  ) {
    return twoInput<IN1, IN2, OUT>(standaloneNode({ kind: "co-process", fn }), options);
  }

  /** Both inputs keyed the same way: they share state and timers per key. */
  static forKeyedCoProcess<K extends Key, IN1, IN2, OUT>(
    keySelector1: KeySelector<IN1, K>,
    keySelector2: KeySelector<IN2, K>,
    fn: KeyedCoProcessFunction<K, IN1, IN2, OUT>,
    options: OperatorHarnessOptions = {},
  ) {
    const spec: OperatorSpec = {
      kind: "keyed-co-process",
      fn: fn as KeyedCoProcessFunction<Key, IN1, IN2, OUT>,
    };
    return twoInput<IN1, IN2, OUT>(standaloneNode(spec, keySelector1, keySelector2), options);
  }

  /**
   * The one-input operator that produced `stream` (its `node`), e.g. `forNode(events.keyBy(k).process(f))`
   * or a window. Error handling, maxParallelism and the watermark interval come from the stream's job
   * unless `options` says otherwise.
   */
  static forNode<IN = unknown, OUT = unknown>(
    stream: DataStream<OUT>,
    options: OperatorHarnessOptions = {},
  ): OneInputOperatorHarness<IN, OUT> {
    const node = nodeOf(stream, "forNode");
    if (TWO_INPUT.has(node.spec.kind))
      throw new Error(`OperatorHarness.forNode: '${node.name}' has two inputs; use forTwoInputNode`);
    const resolved = jobOptions(stream, options);
    return node.keySelector === undefined
      ? oneInput<IN, OUT>(node, resolved)
      : keyed<Key, IN, OUT>(node, resolved);
  }

  /** The two-input operator (connect + process) that produced `stream`. */
  static forTwoInputNode<IN1 = unknown, IN2 = unknown, OUT = unknown>(
    stream: DataStream<OUT>,
    options: OperatorHarnessOptions = {},
  ): TwoInputOperatorHarness<IN1, IN2, OUT> {
    const node = nodeOf(stream, "forTwoInputNode");
    if (!TWO_INPUT.has(node.spec.kind))
      throw new Error(`OperatorHarness.forTwoInputNode: '${node.name}' has one input; use forNode`);
    return twoInput<IN1, IN2, OUT>(node, jobOptions(stream, options));
  }
}
