/**
 * A tiny stand-in for the runtime, to test sources through their interfaces alone: contexts that
 * record what a source asks for, an output that collects records per split, and loops that poll
 * a reader the way a source task does (waiting on isAvailable, never on wall-clock sleeps).
 */
import type {
  ReaderOutput,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumeratorContext,
} from "../../src/connectors/api/index.ts";
import { ManualClock } from "../../src/time/time.ts";

export class FakeEnumeratorContext<S extends SourceSplit> implements SplitEnumeratorContext<S> {
  readonly assignments: { subtask: number; splits: S[] }[] = [];
  readonly noMoreSplits = new Set<number>();

  constructor(readonly parallelism: number) {}

  assignSplits(subtask: number, splits: readonly S[]): void {
    this.assignments.push({ subtask, splits: [...splits] });
  }

  signalNoMoreSplits(subtask: number): void {
    this.noMoreSplits.add(subtask);
  }

  splitsOf(subtask: number): S[] {
    return this.assignments.filter((a) => a.subtask === subtask).flatMap((a) => a.splits);
  }
}

export class FakeReaderContext implements SourceReaderContext {
  readonly operatorUid = "test-source";
  splitRequests = 0;
  signals = 0;
  onSplitRequest: () => void = () => {};

  constructor(
    readonly subtaskIndex = 0,
    readonly parallelism = 1,
    readonly clock = new ManualClock(0),
  ) {}

  sendSplitRequest(): void {
    this.splitRequests++;
    this.onSplitRequest();
  }

  signalAvailable(): void {
    this.signals++;
  }

  currentProcessingTime(): number {
    return this.clock.now();
  }
}

export interface CollectedRecord<T> {
  value: T;
  timestamp: number | undefined;
  splitId: string | undefined;
}

export interface CollectedDeadLetter {
  raw: unknown;
  error: string;
  position: string;
  splitId: string | undefined;
}

export class CollectingOutput<T> implements ReaderOutput<T> {
  readonly records: CollectedRecord<T>[] = [];
  readonly deadLetters: CollectedDeadLetter[] = [];
  readonly created: string[] = [];
  readonly released: string[] = [];

  get values(): T[] {
    return this.records.map((r) => r.value);
  }

  collect(value: T, timestamp?: number): void {
    this.records.push({ value, timestamp, splitId: undefined });
  }

  deadLetter(raw: unknown, error: string, position: string): void {
    this.deadLetters.push({ raw, error, position, splitId: undefined });
  }

  createOutputForSplit(splitId: string): SourceOutput<T> {
    this.created.push(splitId);
    return {
      collect: (value, timestamp) => {
        this.records.push({ value, timestamp, splitId });
      },
      deadLetter: (raw, error, position) => {
        this.deadLetters.push({ raw, error, position, splitId });
      },
    };
  }

  releaseOutputForSplit(splitId: string): void {
    this.released.push(splitId);
  }
}

/** Waits for a promise, failing the test instead of hanging when it never settles. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls like a source task until end of input, or until `until` holds, or `maxPolls` polls. */
export async function drain<T, S extends SourceSplit>(
  reader: SourceReader<T, S>,
  output: CollectingOutput<T>,
  options: { maxPolls?: number; until?: () => boolean; waitMs?: number } = {},
): Promise<"end-of-input" | "stopped"> {
  const { maxPolls = Number.POSITIVE_INFINITY, until, waitMs = 5000 } = options;
  for (let polls = 0; polls < maxPolls; polls++) {
    if (until?.()) return "stopped";
    const status = reader.pollNext(output);
    if (status === "end-of-input") return status;
    if (status === "nothing-available")
      await within(reader.isAvailable(), waitMs, "the reader to become available");
  }
  return "stopped";
}

/**
 * Runs a whole source: an enumerator wired straight to `parallelism` readers, each drained to the
 * end. Returns every reader's output.
 */
export async function readAll<T, S extends SourceSplit>(
  source: Source<T, S>,
  parallelism = 1,
): Promise<CollectingOutput<T>[]> {
  const readers: SourceReader<T, S>[] = [];
  const enumerator = source.createEnumerator({
    parallelism,
    assignSplits: (subtask, splits) => readers[subtask].addSplits(splits),
    signalNoMoreSplits: (subtask) => readers[subtask].notifyNoMoreSplits(),
  });
  for (let i = 0; i < parallelism; i++) {
    const context = new FakeReaderContext(i, parallelism);
    context.onSplitRequest = () => enumerator.handleSplitRequest(i);
    readers.push(source.createReader(context));
  }
  await enumerator.start();
  for (let i = 0; i < parallelism; i++) {
    await readers[i].start();
    enumerator.addReader(i);
  }
  const outputs = readers.map(() => new CollectingOutput<T>());
  await Promise.all(readers.map((reader, i) => drain(reader, outputs[i])));
  await Promise.all(readers.map((reader) => reader.close()));
  await enumerator.close();
  return outputs;
}
