/**
 * A task runs one subtask of a vertex: a chain of operators fed either by a source reader or by
 * an input gate, emitting through record writers. `step()` does a bounded amount of work (one
 * batch) and returns, so one thread can run many tasks; a task that cannot proceed (no input,
 * no credit, a sink flush in flight) says so and its executor waits for a wakeup.
 */

import { FINAL_CHECKPOINT_ID } from "../../connectors/api/sink-committer.ts";
import type { InputStatus } from "../../connectors/api/source-reader.ts";
import { type GateInput, InputGate } from "../network/input-gate.ts";
import type { RecordWriter } from "../network/record-writer.ts";
import type { AnyOperator, OperatorContext, OperatorMetrics, StreamOperator } from "../operators/operator.ts";
import type { SinkOperator } from "../operators/sink-operator.ts";
import type { SourceOperator } from "../operators/source-operator.ts";
import type { OperatorStateHolder } from "./operator-state.ts";
import { type CheckpointGateway, type SnapshotInFlight, writeTaskSnapshot } from "./task-checkpointing.ts";

export type TaskStatus = "created" | "running" | "finishing" | "finished" | "failed" | "cancelled";

export interface TaskOperator {
  readonly nodeId: number;
  readonly uid: string;
  readonly name: string;
  readonly operator: AnyOperator | SourceOperator<unknown>;
  readonly metrics: OperatorMetrics;
  readonly context: OperatorContext;
  readonly state: OperatorStateHolder;
}

/** What a task reads: its source operator, or the channels of its input gate. */
export type TaskInputSpec =
  | { readonly kind: "source"; readonly source: SourceOperator<unknown> }
  | { readonly kind: "gate"; readonly inputs: readonly GateInput[] };

export class Task {
  status: TaskStatus = "created";
  /** Set while the task waits for something asynchronous (reader data, sink flush, close). */
  private waiting: Promise<unknown> | undefined;
  private lastFlush = 0;
  private sourceStatus: InputStatus = "more-available";
  /** A checkpoint the coordinator asked this source task to start. */
  private pendingTrigger: number | undefined;
  /** Asynchronous parts of this task's checkpoints still running. */
  private readonly snapshotsInFlight = new Set<SnapshotInFlight>();
  readonly input: { kind: "source"; source: SourceOperator<unknown> } | { kind: "gate"; gate: InputGate };

  constructor(
    readonly vertexId: number,
    readonly subtaskIndex: number,
    readonly name: string,
    /** In chain (topological) order; the head first. */
    readonly operators: readonly TaskOperator[],
    readonly writers: readonly RecordWriter[],
    readonly sinks: readonly SinkOperator<unknown>[],
    input: TaskInputSpec,
    private readonly wake: () => void,
    private readonly batchTimeoutMs: number,
    readonly parallelism: number,
    /** Where checkpoints are written and acknowledged; undefined when checkpointing is off. */
    private readonly checkpoints: CheckpointGateway | undefined,
  ) {
    this.input = input.kind === "source" ? input : { kind: "gate", gate: this.openGate(input.inputs) };
  }

  /** The input gate feeds the chain's head; an aligned barrier makes this task checkpoint. */
  private openGate(inputs: readonly GateInput[]): InputGate {
    const head = this.operators[0];
    const operator = head.operator as AnyOperator;
    const gate = new InputGate(inputs, operator, {
      watermark: (wm) => operator.processWatermark(wm),
      idle: (idle) => {
        for (const writer of this.writers) writer.emitIdle(idle);
      },
      barrier: (id, alignmentMs) => this.checkpoint(id, alignmentMs),
    });
    // The gate counts the head's records in (they reach the operator without a chain hop).
    Object.defineProperty(head.metrics, "recordsIn", { get: () => gate.recordsIn, enumerable: true });
    return gate;
  }

  get done(): boolean {
    return this.status === "finished" || this.status === "failed" || this.status === "cancelled";
  }

  open(now: number): void {
    for (const op of this.operators) (op.operator as StreamOperator).open(op.context);
    this.lastFlush = now;
    this.status = "running";
  }

  /** Does one unit of work; true if it made progress. Throws if an operator fails. */
  step(now: number): boolean {
    if (this.status === "finished") return this.drainAfterFinish();
    if (this.status !== "running" && this.status !== "finishing") return false;
    // A source waiting for its reader is between records: a checkpoint may start while it waits
    // (else a quiet source would hold back every checkpoint and savepoint of the job).
    if (this.waiting !== undefined && !(this.waitingForReader && this.pendingTrigger !== undefined)) {
      // Nor may it hold back what waited for credit when it went quiet (its last records, a
      // barrier): sent as credit comes, or a reader with nothing more stalls every checkpoint.
      if (this.waitingForReader) for (const writer of this.writers) writer.drainPending();
      if (!this.waitingForReader) this.holdSourceIdleness();
      return false;
    }
    if (this.pendingTrigger !== undefined && this.status === "running") {
      const id = this.pendingTrigger;
      this.pendingTrigger = undefined;
      this.checkpoint(id, 0);
      return true;
    }
    for (const sink of this.sinks)
      if (sink.pendingFlush !== undefined) {
        this.holdSourceIdleness();
        return this.waitFor(sink.pendingFlush);
      }
    let backpressured = false;
    for (const writer of this.writers) if (!writer.drainPending()) backpressured = true;
    if (backpressured) {
      this.holdSourceIdleness();
      return false;
    }
    if (this.status === "finishing") {
      this.finish();
      return true;
    }
    let progressed: boolean;
    if (this.input.kind === "source") progressed = this.stepSource();
    else {
      progressed = this.input.gate.processNext();
      if (this.input.gate.finished) this.beginFinish();
    }
    if (progressed) this.flushSinks();
    if (!progressed || now - this.lastFlush >= this.batchTimeoutMs) this.flushWriters(now);
    return progressed;
  }

  /**
   * A source task that cannot read because it is held back (backpressure, a sink flush) is busy,
   * not idle: its splits must not time out as idle meanwhile, or downstream would let the
   * watermark pass records the source has yet to send, making them late (as Flink pauses its
   * idleness clock under backpressure).
   */
  private holdSourceIdleness(): void {
    if (this.input.kind === "source") this.input.source.holdIdleness();
  }

  /** The end-of-input events may still wait for credit after the task finished. */
  private drainAfterFinish(): boolean {
    for (const writer of this.writers) writer.drainPending();
    return false;
  }

  private stepSource(): boolean {
    const source = this.input.kind === "source" ? this.input.source : undefined;
    if (source === undefined || this.sourceStatus === "end-of-input") return false;
    const before = source.records;
    const status = source.poll();
    this.sourceStatus = status;
    if (status === "end-of-input") {
      this.beginFinish();
      return true;
    }
    if (status === "nothing-available") {
      this.waitFor(source.reader.isAvailable());
      this.waitingForReader = true;
      return source.records !== before;
    }
    return true;
  }

  private beginFinish(): void {
    if (this.status !== "running") return;
    for (const op of this.operators) (op.operator as StreamOperator).endInput();
    this.flushSinks();
    // With checkpoints or without: a bounded job commits its last output when it ends.
    for (const sink of this.sinks)
      this.finalCommittables.push([sink.uid, sink.prepareCommit(FINAL_CHECKPOINT_ID)]);
    this.status = "finishing";
  }

  /** Sink pre-commits taken at the end of input, committed by the coordinator when the job ends. */
  readonly finalCommittables: [string, unknown[] | Promise<unknown[]>][] = [];

  async takeFinalCommittables(): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const [uid, c] of this.finalCommittables) (result[uid] ??= []).push(...(await c));
    return result;
  }

  private finish(): void {
    for (const writer of this.writers) {
      writer.flush();
      writer.endInput();
    }
    this.status = "finished";
    if (this.lastNotified > this.lastAcknowledged) this.acknowledgeFinished(this.lastNotified);
    this.closeOperators();
  }

  private closeOperators(): void {
    for (const op of this.operators) (op.operator as StreamOperator).close();
    // A snapshot still being written keeps what it reads (an LMDB environment stays open until it is done).
    for (const op of this.operators) op.state.dispose();
    const closing: Promise<unknown>[] = this.sinks.map((s) => s.closeWriter());
    // The task is settled only once its last checkpoint has been acknowledged or declined.
    for (const snapshot of this.snapshotsInFlight) closing.push(snapshot.done);
    if (this.input.kind === "source") closing.push(Promise.resolve(this.input.source.closeReader()));
    if (closing.length > 0) this.waitFor(Promise.all(closing));
  }

  /**
   * Ends a task that did not finish its input: the job was stopped (sinks flush what they have)
   * or failed (resources are released, errors while doing so are ignored).
   */
  async release(stopped: boolean): Promise<void> {
    if (this.status === "finished" || this.status === "cancelled" || this.status === "failed") {
      if (this.waiting !== undefined) await this.waiting.catch(() => {});
      return;
    }
    this.status = stopped ? "cancelled" : "failed";
    const quietly = async (action: () => unknown) => {
      try {
        await action();
      } catch (error) {
        if (stopped) throw error;
      }
    };
    // A source task may be waiting for its reader to have data, which may never come (an idle
    // unbounded source): closing the reader ends that wait, so it goes first.
    if (this.input.kind === "source")
      await quietly(() => (this.input as { source: SourceOperator<unknown> }).source.closeReader());
    if (this.waiting !== undefined) await this.waiting.catch(() => {});
    // A checkpoint still being written can no longer complete: the job is ending without it.
    for (const snapshot of this.snapshotsInFlight)
      snapshot.cancel(`task ${this.name} (${this.subtaskIndex}) ${stopped ? "stopped" : "failed"}`);
    await Promise.all([...this.snapshotsInFlight].map((s) => s.done));
    if (stopped) {
      for (const writer of this.writers) writer.flush();
      for (const sink of this.sinks) await quietly(() => sink.flush(true));
    }
    for (const op of this.operators) await quietly(() => (op.operator as StreamOperator).close());
    for (const op of this.operators) await quietly(() => op.state.dispose());
    for (const sink of this.sinks) await quietly(() => sink.closeWriter());
  }

  /** Asks a source task to start checkpoint `id` at its next step. False if it cannot (finished). */
  /**
   * The coordinator started checkpoint `id`. A running source task starts it at its next step; a
   * task that has finished its input acknowledges at once with no state (everything it will ever
   * emit has gone downstream, ahead of its end-of-input) and its sinks' final pre-commits; any
   * other task waits for the barrier, or acknowledges when it finishes without one (its inputs
   * had all ended before the barrier could reach it).
   */
  notifyCheckpoint(id: number): void {
    if (this.status === "finishing" || this.status === "finished") {
      this.acknowledgeFinished(id);
      return;
    }
    if (this.status !== "running" && this.status !== "created") return;
    this.lastNotified = id;
    if (this.input.kind === "source") {
      this.pendingTrigger = id;
      this.wake();
    }
  }

  private lastNotified = 0;
  private lastAcknowledged = 0;

  private acknowledgeFinished(id: number): void {
    const gateway = this.checkpoints;
    if (gateway === undefined || id <= this.lastAcknowledged) return;
    this.lastAcknowledged = id;
    this.track(
      writeTaskSnapshot(
        gateway,
        id,
        { vertex: this.vertexId, subtask: this.subtaskIndex, parallelism: this.parallelism },
        [],
        this.finalCommittables,
        { started: performance.now(), alignmentMs: 0 },
        this.lastSnapshot,
      ),
    );
  }

  /** Settles when the task's latest snapshot has been acknowledged or declined. */
  private lastSnapshot: Promise<void> = Promise.resolve();

  private track(snapshot: SnapshotInFlight): void {
    this.lastSnapshot = snapshot.done;
    this.snapshotsInFlight.add(snapshot);
    void snapshot.done.then(() => this.snapshotsInFlight.delete(snapshot));
  }

  /**
   * Takes this task's part of checkpoint `id`: between two records, so the snapshot holds
   * exactly the effects of the records before the barrier. Called by a source task when
   * triggered, and by the input gate when the barrier is aligned.
   */
  checkpoint(id: number, alignmentMs: number): void {
    const gateway = this.checkpoints;
    if (gateway === undefined || id <= this.lastAcknowledged) return;
    this.lastAcknowledged = id;
    const started = performance.now();
    const source = this.input.kind === "source" ? this.input.source : undefined;
    const operators = this.operators.map((op) =>
      op.state.snapshot(op.operator === source ? source!.reader.snapshotState(id) : undefined),
    );
    const committables = this.sinks.map(
      (sink) => [sink.uid, sink.prepareCommit(id)] as [string, unknown[] | Promise<unknown[]>],
    );
    for (const writer of this.writers) writer.emitBarrier(id);
    this.track(
      writeTaskSnapshot(
        gateway,
        id,
        { vertex: this.vertexId, subtask: this.subtaskIndex, parallelism: this.parallelism },
        operators,
        committables,
        { started, alignmentMs },
        this.lastSnapshot,
      ),
    );
  }

  /** The earliest processing time any operator waits for. */
  nextProcessingTime(): number {
    let next = Number.POSITIVE_INFINITY;
    if (this.status !== "running") return next;
    for (const op of this.operators) {
      const t = (op.operator as StreamOperator).nextProcessingTime?.() ?? Number.POSITIVE_INFINITY;
      if (t < next) next = t;
    }
    return next;
  }

  advanceProcessingTime(now: number): void {
    if (this.status !== "running") return;
    for (const op of this.operators) (op.operator as StreamOperator).advanceProcessingTime?.(now);
  }

  /** Sends partial batches when the batch timeout has passed (or when told to). */
  flushWriters(now: number): void {
    this.lastFlush = now;
    for (const writer of this.writers) writer.flush();
  }

  private flushSinks(): void {
    for (const sink of this.sinks) sink.flush(false);
  }

  /** A promise that must settle before the task continues; rejections surface on the next step. */
  private waitFor(promise: Promise<unknown>): boolean {
    this.waitingForReader = false;
    const settled = promise.then(
      () => {
        if (this.waiting === settled) this.waiting = undefined;
        this.wake();
      },
      (error: unknown) => {
        this.failure = error;
        if (this.waiting === settled) this.waiting = undefined;
        this.wake();
      },
    );
    this.waiting = settled;
    return false;
  }

  private failure: unknown;
  /** The current wait is a source's wait for its reader's next records. */
  private waitingForReader = false;

  /** Throws an error that happened asynchronously (a sink flush or close). */
  checkFailure(): void {
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      throw error;
    }
  }

  /** Finished and nothing asynchronous pending (sinks closed). */
  get settled(): boolean {
    if (this.status !== "finished" || this.waiting !== undefined) return false;
    for (const writer of this.writers) if (writer.backpressured) return false;
    return true;
  }

  get idleForInput(): boolean {
    return this.input.kind === "gate" && !this.input.gate.hasInput;
  }
}
