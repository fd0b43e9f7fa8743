/**
 * A harness for a source as the runtime runs it: the source's enumerator and one subtask's reader
 * wired together (split deliveries asynchronous, as between the coordinator and a source task),
 * and the reader driven by the runtime's source operator, which assigns timestamps, generates
 * watermarks per split with the given strategy, detects idle splits, and reports the whole
 * source idle or active. Polling and processing time are in the test's hands.
 */
import type {
  DeadLetter,
  InputStatus,
  ManualClock,
  Source,
  SourceReader,
  SourceSplit,
  SplitEnumerator,
  TimestampedElement,
  WatermarkStrategy,
} from "@eddy/core";
import { SourceOperator } from "@eddy/core/internal";
import { HarnessContext, type OperatorHarnessOptions } from "./harness-context.ts";

/** Resolves after pending microtasks and one turn of the event loop (split deliveries, reads). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class SourceOperatorHarness<T> {
  private readonly idleChangesSeen: boolean[] = [];
  private status: InputStatus = "more-available";
  private closed = false;

  private constructor(
    private readonly env: HarnessContext,
    private readonly enumerator: SplitEnumerator<SourceSplit>,
    private readonly reader: SourceReader<T, SourceSplit>,
    private readonly operator: SourceOperator<T>,
  ) {}

  /**
   * Starts the enumerator and the reader of subtask `options.subtaskIndex` (default 0 of
   * `options.parallelism`, default 1), registers the reader and lets the first splits arrive.
   * The watermark generators are asked every `autoWatermarkIntervalMs` (default 0: after every record).
   */
  static async create<T>(
    source: Source<T, any>,
    watermarks?: WatermarkStrategy<T>,
    options: OperatorHarnessOptions = {},
  ): Promise<SourceOperatorHarness<T>> {
    const env = new HarnessContext(options, { uid: "source", name: "source", keyed: false });
    const { subtaskIndex, parallelism, uid } = env.context;
    let reader: SourceReader<T, SourceSplit> | undefined;
    const enumerator = (source as Source<T, SourceSplit>).createEnumerator({
      parallelism,
      // Deliveries are asynchronous so that a reader is never re-entered inside pollNext.
      assignSplits: (subtask, splits) => {
        if (subtask === subtaskIndex) queueMicrotask(() => reader!.addSplits(splits));
      },
      signalNoMoreSplits: (subtask) => {
        if (subtask === subtaskIndex) queueMicrotask(() => reader!.notifyNoMoreSplits());
      },
    });
    await enumerator.start();
    reader = (source as Source<T, SourceSplit>).createReader({
      subtaskIndex,
      parallelism,
      operatorUid: uid,
      sendSplitRequest: () => queueMicrotask(() => enumerator.handleSplitRequest(subtaskIndex)),
      signalAvailable: () => {},
      currentProcessingTime: () => env.clock.now(),
    });
    let harness: SourceOperatorHarness<T> | undefined;
    const operator = new SourceOperator<T>(reader, watermarks, env.autoWatermarkIntervalMs, (idle) =>
      harness!.idleChangesSeen.push(idle),
    );
    harness = new SourceOperatorHarness<T>(env, enumerator, reader, operator);
    queueMicrotask(() => enumerator.addReader(subtaskIndex));
    await reader.start();
    operator.open(env.context);
    await settle();
    return harness;
  }

  get clock(): ManualClock {
    return this.env.clock;
  }

  /** One pollNext of the reader, as one step of a source task. */
  poll(): InputStatus {
    if (this.status === "end-of-input") return this.status;
    this.status = this.operator.poll();
    return this.status;
  }

  /** Polls until the input ends (or `maxPolls`), waiting for the reader whenever it has nothing. */
  async pollUntilEnd(options: { maxPolls?: number; timeoutMs?: number } = {}): Promise<InputStatus> {
    const { maxPolls = 1_000_000, timeoutMs = 5000 } = options;
    for (let i = 0; i < maxPolls && this.status !== "end-of-input"; i++) {
      if (this.poll() === "nothing-available") await this.waitForReader(timeoutMs);
    }
    return this.status;
  }

  /** Waits until the reader says it may have records again (fails after `timeoutMs`). */
  async waitForReader(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the source reader was not available within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.reader.isAvailable(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets pending split deliveries and reads land. */
  settle(): Promise<void> {
    return settle();
  }

  /**
   * The source task is held back (backpressure, a sink flush) and does not read until the next
   * periodic check: that time does not count towards idleness.
   */
  holdBack(): this {
    this.operator.holdIdleness();
    return this;
  }

  /** Moves processing time: periodic watermarks and idleness checks run when due. */
  setProcessingTime(time: number): this {
    this.env.clock.set(time);
    const now = this.env.clock.now();
    if (this.operator.nextProcessingTime() <= now) this.operator.advanceProcessingTime(now);
    return this;
  }

  advanceProcessingTime(ms: number): this {
    return this.setProcessingTime(this.env.clock.now() + ms);
  }

  output(): TimestampedElement<T>[] {
    return this.env.output.records.slice() as TimestampedElement<T>[];
  }

  extractOutputValues(): T[] {
    return this.env.output.records.map((r) => r.value as T);
  }

  watermarks(): number[] {
    return this.env.output.watermarks.slice();
  }

  /** Every change of the whole source's idleness, in order (true = idle). */
  idleChanges(): boolean[] {
    return this.idleChangesSeen.slice();
  }

  get idle(): boolean {
    return this.idleChangesSeen.length > 0 && this.idleChangesSeen[this.idleChangesSeen.length - 1];
  }

  deadLetters(): DeadLetter[] {
    return this.env.output.deadLetters;
  }

  clearOutput(): this {
    this.env.output.clear();
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.operator.close();
    await this.reader.close();
    await this.enumerator.close();
  }
}
