/**
 * A bounded source over an in-memory array (Flink's `fromElements`/`fromCollection`). It is one
 * split, read by subtask 0, whose position is the index of the next element, so a restored
 * reader resumes exactly where the checkpoint was taken. With `timestamped: true` the elements
 * are `{ value, timestamp }` pairs and each record carries its own timestamp (tests use this to
 * give records event times without a timestamp assigner).
 */
import { ConfigError } from "../errors.ts";
import type {
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from "./api/index.ts";
import { SplitReaderBase, type SplitReadResult } from "./split-reader-base.ts";
import { StaticSplitEnumerator } from "./static-split-enumerator.ts";

export interface FromElementsSplit extends SourceSplit {
  readonly splitId: string;
  /** Index of the next element to emit. */
  readonly nextIndex: number;
}

export interface TimestampedElement<T> {
  readonly value: T;
  readonly timestamp: number;
}

export interface FromElementsOptions {
  /** Most records one pollNext emits (default 1024). */
  readonly batchSize?: number;
}

const SPLIT_ID = "elements";
const DEFAULT_BATCH_SIZE = 1024;

export class FromElementsSource<T> implements Source<T, FromElementsSplit> {
  readonly boundedness = "bounded";
  readonly estimatedRecords: number;
  private readonly elements: readonly unknown[];
  private readonly timestamped: boolean;
  private readonly batchSize: number;

  constructor(elements: readonly T[], options?: FromElementsOptions & { readonly timestamped?: false });
  constructor(
    elements: readonly TimestampedElement<T>[],
    options: FromElementsOptions & { readonly timestamped: true },
  );
  constructor(
    elements: readonly unknown[],
    options: FromElementsOptions & { readonly timestamped?: boolean } = {},
  ) {
    // A copy: the job must not change if the caller later changes its array.
    this.elements = [...elements];
    this.timestamped = options.timestamped ?? false;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.estimatedRecords = this.elements.length;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) {
      throw new ConfigError("batchSize", `must be a positive integer, got ${this.batchSize}`);
    }
    if (this.timestamped) {
      this.elements.forEach((element, i) => {
        const timestamp = (element as Partial<TimestampedElement<T>> | null)?.timestamp;
        if (typeof timestamp !== "number" || Number.isNaN(timestamp)) {
          throw new ConfigError("timestamped", `element ${i} needs a numeric 'timestamp' (got ${timestamp})`);
        }
      });
    }
  }

  describe(): string {
    return `elements count=${this.elements.length}`;
  }

  /**
   * `restoredSplits`, when given, are all the splits still to hand out (none when the reader's
   * own checkpointed state holds the split); without them the source starts from the first element.
   */
  createEnumerator(
    context: SplitEnumeratorContext<FromElementsSplit>,
    restoredSplits?: readonly FromElementsSplit[],
  ): SplitEnumerator<FromElementsSplit> {
    return new StaticSplitEnumerator(context, restoredSplits ?? [{ splitId: SPLIT_ID, nextIndex: 0 }]);
  }

  createReader(context: SourceReaderContext): SourceReader<T, FromElementsSplit> {
    return new FromElementsReader<T>(context, this.elements, this.timestamped, this.batchSize);
  }
}

/** The split being read: the index of its next element. */
interface ElementsPosition {
  readonly splitId: string;
  nextIndex: number;
}

class FromElementsReader<T> extends SplitReaderBase<T, FromElementsSplit, ElementsPosition> {
  constructor(
    context: SourceReaderContext,
    private readonly elements: readonly unknown[],
    private readonly timestamped: boolean,
    private readonly batchSize: number,
  ) {
    super(context);
  }

  protected openSplit(split: FromElementsSplit): ElementsPosition {
    return { splitId: split.splitId, nextIndex: split.nextIndex };
  }

  protected readSplit(split: ElementsPosition, out: SourceOutput<T>): SplitReadResult {
    const end = Math.min(this.elements.length, split.nextIndex + this.batchSize);
    if (this.timestamped) {
      while (split.nextIndex < end) {
        const element = this.elements[split.nextIndex++] as TimestampedElement<T>;
        out.collect(element.value, element.timestamp);
      }
    } else {
      while (split.nextIndex < end) out.collect(this.elements[split.nextIndex++] as T);
    }
    return split.nextIndex >= this.elements.length ? "finished" : "emitted";
  }

  protected snapshotSplit(split: ElementsPosition): FromElementsSplit {
    return { splitId: split.splitId, nextIndex: split.nextIndex };
  }
}
