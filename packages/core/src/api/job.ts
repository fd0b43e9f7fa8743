/**
 * A Job is the definition of a streaming program: its sources, operators and sinks, built with
 * the DataStream API into a logical plan. Building a job runs nothing; `runJob` (runtime) or
 * `eddy run` (CLI) executes it. A job module must build the same plan every time it is imported,
 * because every worker thread imports it to get the user's functions.
 */

import type { Source } from "../connectors/api/source.ts";
import { FromElementsSource } from "../connectors/from-elements-source.ts";
import { GeneratorSource, type GeneratorSourceOptions } from "../connectors/generator-source.ts";
import { ConfigError, JobDefinitionError } from "../errors.ts";
import type { WatermarkStrategy } from "../time/watermark-strategy.ts";
import { DataStream, type StreamRef } from "./data-stream.ts";
import type { LogicalNode, OperatorSpec } from "./logical-plan.ts";
import { DEAD_LETTER, type DeadLetter } from "./output-tag.ts";

export type ErrorHandling = "fail" | "dead-letter";

export interface JobOptions {
  name: string;
  /** Default parallelism of operators that do not set their own. Default 1. */
  parallelism?: number;
  /** Number of key groups: the upper bound for rescaling keyed state. Default 128. */
  maxParallelism?: number;
  /** What a failing record does: fail the job (default) or go to the dead-letter output. */
  errorHandling?: ErrorHandling;
  /** How often (processing time, ms) sources ask watermark generators; 0 = after every record. */
  autoWatermarkIntervalMs?: number;
  /** Records per batch between tasks. Default 1024. */
  batchSize?: number;
  /** Batches a channel holds before its sender is backpressured. Default 4. */
  channelCapacity?: number;
  /** A batch is sent after this long even if not full (ms of processing time). Default 50. */
  batchTimeoutMs?: number;
  /**
   * Where keyed state lives while the job runs: JS Maps ("heap", default), LMDB on disk ("lmdb",
   * from `@eddy/state-lmdb`, which must be imported to register it), or a backend factory object.
   */
  stateBackend?: StateBackendChoice;
  /** Directory of the LMDB backend's working state (one subdirectory per job). Default `.eddy/state`. */
  stateDir?: string;
  /**
   * A window that drops more than this share of its input as late (records behind the watermark
   * by more than the allowed lateness, with no late-data side output) is reported with a warning.
   * Default 0.01 (1%): with an out-of-orderness bound that fits the data, late drops are rare;
   * more than one in a hundred points to a bound that is too tight or a record with a wrong,
   * far-future timestamp. Late drops are not failures: errorHandling "fail" does not fail on them,
   * and they are no dead letters; keep them with `sideOutputLateData(tag)`.
   */
  lateDropWarningRatio?: number;
  /**
   * A record whose timestamp is more than this far ahead of every timestamp its source (or
   * timestamp assigner) saw before is reported with a warning naming the operator and the
   * timestamp: it moves the watermark that far, and the records after it become late. Default one
   * day: real streams move forward smoothly, while a wrong unit or a typo jumps years.
   */
  farFutureWarningMs?: number;
}

/**
 * A keyed-state backend: the name of a registered one, or a factory object (a
 * `StateBackendFactory` of `@eddy/core/state-backend`; this layer only sees its name).
 */
export type StateBackendChoice = "heap" | "lmdb" | (string & {}) | { readonly name: string };

export type ResolvedJobOptions = Required<JobOptions>;

export const DEFAULT_MAX_PARALLELISM = 128;

export class Job {
  readonly options: ResolvedJobOptions;
  /** @internal the logical plan; read it through the planner. */
  readonly nodes: LogicalNode[] = [];
  private deadLetterStream: DataStream<DeadLetter> | undefined;

  private constructor(options: ResolvedJobOptions) {
    this.options = options;
  }

  static create(options: JobOptions): Job {
    return new Job(resolveJobOptions(options));
  }

  get name(): string {
    return this.options.name;
  }

  /** Reads a split-based source; watermarks per split when a strategy is given. */
  fromSource<T>(source: Source<T, any>, watermarks?: WatermarkStrategy<T>, name = "source"): DataStream<T> {
    return this.addNode<T>({ kind: "source", source, watermarks }, name, []);
  }

  /** A bounded stream of the given values (a non-parallel source, like Flink's). */
  fromElements<T>(...elements: T[]): DataStream<T> {
    return this.fromSource(new FromElementsSource<T>(elements), undefined, "elements").setParallelism(1);
  }

  /** A bounded stream of values with their own event timestamps (a non-parallel source). */
  fromTimestampedElements<T>(elements: readonly { value: T; timestamp: number }[]): DataStream<T> {
    return this.fromSource(
      new FromElementsSource<T>(elements, { timestamped: true }),
      undefined,
      "elements",
    ).setParallelism(1);
  }

  /** A seeded, deterministic generator: bounded or unbounded, rate-limited or as fast as possible. */
  fromGenerator<T>(options: GeneratorSourceOptions<T>, name = "generator"): DataStream<T> {
    return this.fromSource(new GeneratorSource<T>(options), undefined, name);
  }

  /**
   * Records that failed anywhere in the job (with errorHandling "dead-letter"), with the operator,
   * position and error. Without a consumer they are logged to stderr and counted.
   */
  deadLetters(): DataStream<DeadLetter> {
    if (this.options.errorHandling !== "dead-letter")
      throw new JobDefinitionError(
        `job '${this.name}' reads deadLetters() but its errorHandling is "fail": set errorHandling: "dead-letter"`,
      );
    this.deadLetterStream ??= new DataStream<DeadLetter>(this, [
      { nodeId: -1, sideOutput: DEAD_LETTER.id, partitioning: "auto" },
    ]);
    return this.deadLetterStream;
  }

  /** @internal used by DataStream to add operators. */
  addNode<T>(spec: OperatorSpec, name: string, inputs: readonly StreamRef[]): DataStream<T> {
    const id = this.nodes.length;
    const node: LogicalNode = {
      id,
      spec,
      name,
      uid: `${spec.kind}-${id}`,
      uidSetByUser: false,
      parallelism: undefined,
      keySelector: undefined,
      inputs: [],
    };
    for (const ref of inputs) {
      if (ref.job !== undefined && ref.job !== this)
        throw new JobDefinitionError(
          `stream from another job used as input of '${name}': a job's streams stay in it`,
        );
      node.inputs.push({
        from: ref.nodeId,
        sideOutput: ref.sideOutput,
        partitioning: ref.partitioning,
        keySelector: ref.keySelector,
        inputIndex: ref.inputIndex ?? 0,
      });
    }
    this.nodes.push(node);
    return new DataStream<T>(this, [{ nodeId: id, partitioning: "auto" }], node);
  }
}

export function resolveJobOptions(options: JobOptions): ResolvedJobOptions {
  if (options === null || typeof options !== "object")
    throw new ConfigError("job", "Job.create needs { name }");
  const name = options.name;
  if (typeof name !== "string" || name.trim() === "")
    throw new ConfigError("name", 'a job needs a non-empty name: Job.create({ name: "my-job" })');
  const resolved: ResolvedJobOptions = {
    name,
    parallelism: options.parallelism ?? 1,
    maxParallelism: options.maxParallelism ?? DEFAULT_MAX_PARALLELISM,
    errorHandling: options.errorHandling ?? "fail",
    stateBackend: options.stateBackend ?? "heap",
    stateDir: options.stateDir ?? ".eddy/state",
    autoWatermarkIntervalMs: options.autoWatermarkIntervalMs ?? 200,
    batchSize: options.batchSize ?? 1024,
    channelCapacity: options.channelCapacity ?? 4,
    batchTimeoutMs: options.batchTimeoutMs ?? 50,
    lateDropWarningRatio: options.lateDropWarningRatio ?? 0.01,
    farFutureWarningMs: options.farFutureWarningMs ?? 86_400_000,
  };
  positiveInt("parallelism", resolved.parallelism);
  positiveInt("maxParallelism", resolved.maxParallelism);
  positiveInt("batchSize", resolved.batchSize);
  positiveInt("channelCapacity", resolved.channelCapacity);
  if (resolved.maxParallelism > 32768) throw new ConfigError("maxParallelism", "must be at most 32768");
  if (resolved.parallelism > resolved.maxParallelism)
    throw new ConfigError("parallelism", `must be at most maxParallelism (${resolved.maxParallelism})`);
  if (resolved.errorHandling !== "fail" && resolved.errorHandling !== "dead-letter")
    throw new ConfigError(
      "errorHandling",
      `must be "fail" or "dead-letter", not ${JSON.stringify(resolved.errorHandling)}`,
    );
  if (!(resolved.lateDropWarningRatio >= 0 && resolved.lateDropWarningRatio <= 1))
    throw new ConfigError(
      "lateDropWarningRatio",
      `must be a share between 0 and 1 (0.01 warns above 1%), not ${JSON.stringify(resolved.lateDropWarningRatio)}`,
    );
  if (!(resolved.farFutureWarningMs > 0))
    throw new ConfigError(
      "farFutureWarningMs",
      `must be a positive number of milliseconds, not ${JSON.stringify(resolved.farFutureWarningMs)}`,
    );
  if (!(resolved.autoWatermarkIntervalMs >= 0))
    throw new ConfigError("autoWatermarkIntervalMs", "must be a number of milliseconds >= 0");
  // A name is looked up when the job starts (a package registers its backend when imported).
  const backend = resolved.stateBackend;
  if (
    typeof backend === "string"
      ? !/^[a-z][a-z0-9-]*$/.test(backend)
      : typeof backend !== "object" ||
        backend === null ||
        typeof (backend as { createKeyedStateBackend?: unknown }).createKeyedStateBackend !== "function"
  )
    throw new ConfigError(
      "stateBackend",
      `must be "heap" or "lmdb" (or another registered backend's name, or a backend factory object), ` +
        `not ${typeof backend === "string" ? JSON.stringify(backend) : String(backend)}`,
    );
  if (typeof resolved.stateDir !== "string" || resolved.stateDir.trim() === "")
    throw new ConfigError(
      "stateDir",
      `must be a non-empty directory path, not ${JSON.stringify(resolved.stateDir)}`,
    );
  if (!(resolved.batchTimeoutMs >= 0))
    throw new ConfigError("batchTimeoutMs", "must be a number of milliseconds >= 0");
  return resolved;
}

function positiveInt(key: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new ConfigError(key, `must be a positive integer, not ${JSON.stringify(value)}`);
}
