/**
 * The operator at the end of a chain that hands records to a SinkWriter. Writing is synchronous;
 * flushing happens at batch edges and may be asynchronous, in which case the task waits for it
 * before taking more input (so a slow sink backpressures the job).
 */
import type { Sink, SinkContext, SinkWriter } from "../../connectors/api/sink.ts";
import { EddyError } from "../../errors.ts";
import { AbstractOperator } from "./abstract-operator.ts";
import type { OneInputOperator, OperatorContext } from "./operator.ts";

export class SinkOperator<T> extends AbstractOperator implements OneInputOperator<T> {
  private writer!: SinkWriter<T>;
  private dirty = false;
  /** A flush in progress; the task takes no input until it settles. */
  pendingFlush: Promise<void> | undefined;
  private flushError: unknown;

  constructor(
    private readonly sink: Sink<T>,
    private readonly collected: Map<string, unknown[]>,
  ) {
    super();
  }

  override open(context: OperatorContext): void {
    super.open(context);
    const sinkContext: SinkContext = {
      subtaskIndex: context.subtaskIndex,
      parallelism: context.parallelism,
      operatorUid: context.uid,
      jobName: context.jobName,
      collected: this.collected,
    };
    this.writer = this.sink.createWriter(sinkContext);
  }

  processElement(value: T, timestamp: number): void {
    try {
      this.writer.write(value, timestamp);
    } catch (error) {
      this.failed(error, value, timestamp);
      return;
    }
    this.dirty = true;
  }

  override processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.context.metrics.currentWatermark = watermark;
  }

  /** Flushes if anything was written since the last flush. */
  flush(endOfInput: boolean): void {
    if (this.flushError !== undefined) throw this.flushError;
    if (!this.dirty && !endOfInput) return;
    this.dirty = false;
    const result = this.writer.flush(endOfInput);
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      this.pendingFlush = (result as Promise<void>).then(
        () => {
          this.pendingFlush = undefined;
        },
        (error: unknown) => {
          this.pendingFlush = undefined;
          this.flushError = new EddyError(
            "EDDY_SINK_FLUSH",
            `sink '${this.context.name}' (uid '${this.context.uid}') failed to flush: ${(error as Error)?.message ?? error}`,
            { cause: error, retriable: true },
          );
        },
      );
    }
  }

  get uid(): string {
    return this.context.uid;
  }

  /** On a barrier: seals what was written since the last checkpoint (two-phase commit, phase one). */
  prepareCommit(checkpointId: number): unknown[] | Promise<unknown[]> {
    if (this.writer.prepareCommit === undefined) return [];
    const previous = this.pendingFlush;
    const prepared = this.writer.prepareCommit(checkpointId);
    return previous === undefined ? prepared : previous.then(() => prepared);
  }

  override endInput(): void {
    this.flush(true);
  }

  async closeWriter(): Promise<void> {
    if (this.pendingFlush) await this.pendingFlush;
    if (this.flushError !== undefined) throw this.flushError;
    await this.writer?.close();
  }
}
