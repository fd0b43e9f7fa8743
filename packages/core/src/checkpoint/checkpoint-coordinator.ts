/**
 * The checkpoint coordinator: triggers checkpoints periodically at the sources, gathers every
 * task's acknowledgement, and completes a checkpoint by writing its metadata atomically; only
 * then does it commit the sinks' pre-committed work (two-phase commit, phase two). One
 * checkpoint at a time; a checkpoint that fails (a task declines it, its metadata cannot be
 * written, it times out) is discarded, never restored, and the job goes on: as in Flink, such
 * failures are counted, and more of them in a row than `tolerableFailures` fail the job (whose
 * restart strategy then decides, restoring the latest complete checkpoint). What the sinks sealed
 * for a checkpoint that failed (in the acks it got, or handed over by a task that declined) is not
 * dropped, since the sources' next positions are past it: as in Flink's two-phase commit sinks it
 * is carried into the next checkpoint that completes, recorded in its metadata and committed with
 * it (or by the final commit at the end of input). While a checkpoint is
 * being taken, split assignments wait, so no split is both in the enumerator's snapshot and in a
 * reader's.
 */
import type { SinkCommitter } from "../connectors/api/sink-committer.ts";
import type { SourceSplit } from "../connectors/api/source.ts";
import { EddyError, errorMessage } from "../errors.ts";
import { systemTimers, type TimerHandle, type TimerService } from "../time/timer-service.ts";
import type { CheckpointStore } from "./checkpoint-storage.ts";
import type {
  CheckpointMetadata,
  CheckpointStats,
  TaskAcknowledgement,
  TaskStateHandle,
} from "./snapshot.ts";

export interface CheckpointOptions {
  /** Where checkpoints are written. Default `./.eddy/checkpoints/<job name>`. */
  dir?: string;
  /** Time between the end of one checkpoint and the trigger of the next (ms). Default 1000. */
  intervalMs?: number;
  /** A checkpoint not complete after this long is discarded (ms). Default 60000. */
  timeoutMs?: number;
  /** Complete checkpoints kept. Default 3. */
  retain?: number;
  /**
   * Checkpoint failures in a row the job tolerates (Flink's tolerable-failed-checkpoints): one
   * more fails the job. Default: unlimited, the job runs on without checkpoints until one
   * completes. Flink's own default is 0 with a restart strategy that restarts, which is what
   * `tolerableFailures: 0` and a RestartStrategy give here.
   */
  tolerableFailures?: number;
  /** Resume from the latest complete checkpoint (default), or start afresh. */
  restore?: "latest" | "none";
  /**
   * Resume even when the job's configuration or sources differ from those the checkpoint was
   * taken with (the differences are still reported); by default such a resume is refused.
   */
  allowConfigChange?: boolean;
  /** Drop checkpointed state whose operator uid is no longer in the job (instead of failing). */
  allowNonRestoredState?: boolean;
  /** Start from this savepoint directory instead of the latest checkpoint. */
  fromSavepoint?: string;
}

export interface CoordinatorHooks {
  /** Asks every source task to start checkpoint `id`; false if one cannot (it finished). */
  triggerSources(id: number): boolean;
  /** Unassigned splits of every source, by source uid. */
  snapshotEnumerators(id: number): Record<string, SourceSplit[]>;
  /** Holds split assignments back while sources snapshot. */
  pauseSplitAssignment(paused: boolean): void;
  warn(message: string): void;
  /** The job must fail now (too many checkpoint failures, a commit that failed). */
  fail(error: Error): void;
}

export interface CompletedCheckpoint {
  readonly id: number;
  readonly stats: CheckpointStats;
}

interface PendingCheckpoint {
  readonly id: number;
  readonly started: number;
  readonly pendingSplits: Record<string, SourceSplit[]>;
  readonly acks: Map<string, TaskAcknowledgement>;
  sourceAcks: number;
  timeout: TimerHandle;
}

export class CheckpointCoordinator {
  private nextId: number;
  private pending: PendingCheckpoint | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private failure: Error | undefined;
  private readonly idle: (() => void)[] = [];
  readonly completed: CompletedCheckpoint[] = [];
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly retain: number;
  private readonly tolerableFailures: number;
  /** Checkpoints that failed since the last one completed. */
  private failuresInARow = 0;
  private lastCompletedId: number;
  /** Committables of checkpoints that failed: committed with the next one that completes. */
  private carried: Record<string, unknown[]>[] = [];

  constructor(
    private readonly store: CheckpointStore,
    private readonly job: {
      name: string;
      maxParallelism: number;
      /** Recorded in every checkpoint's metadata (see job-fingerprint.ts). */
      fingerprint?: Readonly<Record<string, string>>;
    },
    /** Every task as `${vertex}:${subtask}`, and which of them are sources. */
    private readonly tasks: { all: string[]; sources: string[] },
    private readonly committers: ReadonlyMap<string, SinkCommitter<unknown>>,
    private readonly hooks: CoordinatorHooks,
    options: CheckpointOptions,
    lastCompletedId: number,
    /** The periodic trigger and the checkpoint timeout wait on these; tests pass manual ones. */
    private readonly timers: TimerService = systemTimers,
  ) {
    this.nextId = lastCompletedId + 1;
    this.lastCompletedId = lastCompletedId;
    this.intervalMs = options.intervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retain = options.retain ?? 3;
    this.tolerableFailures = options.tolerableFailures ?? Number.POSITIVE_INFINITY;
  }

  /** Starts periodic checkpoints. */
  start(): void {
    this.schedule();
  }

  /** Stops triggering (the job is finishing or stopping); a checkpoint in flight may still complete. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
  }

  /** The tasks stopped: a checkpoint in flight can no longer complete. */
  async abortPending(): Promise<void> {
    this.stop();
    if (this.pending !== undefined && this.completing !== this.pending.id)
      this.abort(this.pending.id, undefined);
    await this.whenIdle();
  }

  /**
   * The id of the savepoint a stop-with-savepoint completed, if one did: the run ends there even
   * when its input ended meanwhile (its final output is then not committed; see finish).
   */
  stoppedAt: number | undefined;
  /** The checkpoint of a stop-with-savepoint in flight. */
  private lastId: number | undefined;

  /** A commit failed, or checkpoints failed more often than tolerated: the job must fail. */
  get error(): Error | undefined {
    return this.failure;
  }

  private schedule(): void {
    if (this.stopped || !Number.isFinite(this.intervalMs)) return;
    this.timer = this.timers.setTimeout(() => this.trigger(), this.intervalMs);
  }

  /** Waiters for the outcome of a checkpoint, by id (savepoints wait for theirs). */
  private readonly outcomes = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  /**
   * Takes a checkpoint now, outside the periodic schedule, and resolves with its id once it is
   * complete (and its sinks committed); rejects if it is discarded. A savepoint is such a
   * checkpoint, copied out by the caller.
   */
  async checkpointNow(options: { last?: boolean } = {}): Promise<number> {
    for (;;) {
      if (this.stopped)
        throw new EddyError("EDDY_CHECKPOINT", "the job is stopping: no checkpoint can be taken now");
      await this.whenIdle();
      const id = this.trigger();
      if (id === undefined) continue;
      // The last checkpoint before a stop: none may follow it, or their commits would reach past
      // the state it holds.
      if (options.last) {
        this.stop();
        this.lastId = id;
      }
      await new Promise<void>((resolve, reject) => this.outcomes.set(id, { resolve, reject }));
      return id;
    }
  }

  /** Triggers a checkpoint now (if none is in flight); returns its id, or undefined. */
  trigger(): number | undefined {
    if (this.pending !== undefined || this.stopped) return undefined;
    const id = this.nextId++;
    const pendingSplits = this.hooks.snapshotEnumerators(id);
    this.hooks.pauseSplitAssignment(true);
    const timeout = this.timers.setTimeout(
      () => this.abort(id, `not complete after ${this.timeoutMs} ms`),
      this.timeoutMs,
    );
    this.pending = { id, started: this.timers.now(), pendingSplits, acks: new Map(), sourceAcks: 0, timeout };
    if (!this.hooks.triggerSources(id)) {
      // A source has finished: this job takes no more periodic checkpoints (its end is final).
      this.abort(id, undefined);
      this.stop();
    }
    return id;
  }

  acknowledge(ack: TaskAcknowledgement): void {
    const pending = this.pending;
    if (pending === undefined || pending.id !== ack.checkpointId) {
      // A late ack of a checkpoint already discarded: its sinks' output goes with the next one.
      this.carry(ack.committables);
      return;
    }
    const key = `${ack.vertex}:${ack.subtask}`;
    if (pending.acks.has(key)) return;
    pending.acks.set(key, ack);
    if (this.tasks.sources.includes(key) && ++pending.sourceAcks === this.tasks.sources.length)
      this.hooks.pauseSplitAssignment(false);
    if (pending.acks.size === this.tasks.all.length) void this.complete(pending);
  }

  /** A task could not take its part of checkpoint `id`; `reason` names the task and the cause. */
  decline(id: number, reason: string, committables?: Record<string, unknown[]>): void {
    if (committables !== undefined) this.carry(committables);
    this.abort(id, reason);
  }

  private carry(committables: Record<string, unknown[]>): void {
    if (Object.values(committables).some((list) => list.length > 0)) this.carried.push(committables);
  }

  private abort(id: number, reason: string | undefined): void {
    const pending = this.pending;
    if (pending === undefined || pending.id !== id || this.completing === id) return;
    this.timers.clearTimeout(pending.timeout);
    this.pending = undefined;
    for (const ack of pending.acks.values()) this.carry(ack.committables);
    this.hooks.pauseSplitAssignment(false);
    if (reason !== undefined) this.countFailure(id, reason);
    this.outcomes
      .get(id)
      ?.reject(
        new EddyError("EDDY_CHECKPOINT", `checkpoint ${id} was discarded: ${reason ?? "the job stopped"}`),
      );
    this.outcomes.delete(id);
    void this.store.discard(id).catch(() => {});
    this.settle();
    this.schedule();
  }

  private async complete(pending: PendingCheckpoint): Promise<void> {
    this.timers.clearTimeout(pending.timeout);
    // From here on the checkpoint can no longer be aborted: its metadata is being written.
    this.completing = pending.id;
    const acks = [...pending.acks.values()];
    const tasks: TaskStateHandle[] = acks.map((a) => a.handle);
    const carried = this.carried.splice(0);
    const committables = mergeCommittables([...carried, ...acks.map((a) => a.committables)]);
    const stats: CheckpointStats = {
      durationMs: this.timers.now() - pending.started,
      syncMs: Math.max(...acks.map((a) => a.syncMs)),
      asyncMs: Math.max(...acks.map((a) => a.asyncMs)),
      alignmentMs: Math.max(...acks.map((a) => a.alignmentMs)),
      bytes: tasks.reduce((n, t) => n + t.size, 0),
    };
    try {
      try {
        await this.store.completeCheckpoint(
          this.metadata(pending.id, tasks, pending.pendingSplits, committables, false, stats),
        );
      } catch (error) {
        // No metadata, no checkpoint: it failed like a declined one, and the job goes on; what
        // its sinks sealed goes with the next checkpoint.
        this.carried.unshift(committables);
        this.countFailure(pending.id, errorMessage(error));
        this.outcomes.get(pending.id)?.reject(error as Error);
        await this.store.discard(pending.id).catch(() => {});
        return;
      }
      this.completed.push({ id: pending.id, stats });
      this.lastCompletedId = pending.id;
      this.failuresInARow = 0;
      await this.commit(committables);
      if (this.lastId === pending.id) this.stoppedAt = pending.id;
      await this.store.prune(this.retain);
      this.outcomes.get(pending.id)?.resolve();
    } catch (error) {
      // The checkpoint is complete but its sinks could not commit: the job fails; a restart
      // restores this checkpoint and commits again.
      this.outcomes.get(pending.id)?.reject(error as Error);
      this.failJob(error as Error);
    } finally {
      this.outcomes.delete(pending.id);
      this.pending = undefined;
      this.completing = undefined;
      this.settle();
      this.schedule();
    }
  }

  /** The checkpoint whose metadata is being written, if any. */
  private completing: number | undefined;

  private countFailure(id: number, reason: string): void {
    this.failuresInARow++;
    const restored =
      this.lastCompletedId > 0
        ? `checkpoint ${this.lastCompletedId} stays the latest complete one`
        : "no checkpoint has completed yet";
    this.hooks.warn(
      `checkpoint ${id} failed and was discarded (${this.failuresInARow} in a row; ${restored}): ${reason}`,
    );
    if (this.failuresInARow > this.tolerableFailures)
      this.failJob(
        new EddyError(
          "EDDY_CHECKPOINT_FAILURES",
          `${this.failuresInARow} checkpoints in a row failed, more than the ${this.tolerableFailures} tolerated ` +
            `(checkpointing option tolerableFailures); the last: checkpoint ${id}: ${reason}`,
          { retriable: true },
        ),
      );
  }

  private failJob(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.stop();
    this.hooks.fail(error);
  }

  /**
   * The job's input has ended and every task finished: records the sinks' last pre-commits in a
   * final checkpoint, then commits them. A restore from it only re-commits.
   */
  async finish(finalCommittables: Record<string, unknown[]>[]): Promise<void> {
    this.stop();
    // Every task has finished and sent all it will ever send: a checkpoint still missing
    // acknowledgements never completes (a task ended before its trigger reached it), so it is
    // discarded rather than waited for until its timeout. The final checkpoint covers it.
    if (this.pending !== undefined && this.completing !== this.pending.id)
      this.abort(this.pending.id, undefined);
    await this.whenIdle();
    if (this.failure !== undefined) throw this.failure;
    // Output sealed for checkpoints that failed precedes the final output: it is committed too.
    const carried = this.carried.splice(0);
    if (this.stoppedAt !== undefined) await this.commit(mergeCommittables(carried));
    const committables = mergeCommittables(
      this.stoppedAt === undefined ? [...carried, ...finalCommittables] : finalCommittables,
    );
    // The input ended while a stop with a savepoint was under way: the run ends at that savepoint,
    // which a later run resumes. Committing the output written after it too would repeat it then.
    if (this.stoppedAt !== undefined) {
      for (const [uid, list] of Object.entries(committables))
        if (list.length > 0) await this.committers.get(uid)?.abort?.(list);
      return;
    }
    const id = this.nextId++;
    const stats: CheckpointStats = { durationMs: 0, syncMs: 0, asyncMs: 0, alignmentMs: 0, bytes: 0 };
    await this.store.completeCheckpoint(this.metadata(id, [], {}, committables, true, stats));
    await this.commit(committables);
    await this.store.prune(this.retain);
  }

  /** Resolves when no checkpoint is in flight. */
  whenIdle(): Promise<void> {
    if (this.pending === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private settle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async commit(committables: Record<string, unknown[]>): Promise<void> {
    for (const [uid, list] of Object.entries(committables)) {
      const committer = this.committers.get(uid);
      if (committer !== undefined && list.length > 0) await committer.commit(list);
    }
  }

  private metadata(
    id: number,
    tasks: TaskStateHandle[],
    pendingSplits: Record<string, SourceSplit[]>,
    committables: Record<string, unknown[]>,
    finished: boolean,
    stats: CheckpointStats,
  ): CheckpointMetadata {
    return {
      format: 1,
      jobName: this.job.name,
      checkpointId: id,
      timestamp: Date.now(),
      maxParallelism: this.job.maxParallelism,
      tasks,
      pendingSplits,
      committables,
      finished,
      stats,
      ...(this.job.fingerprint === undefined ? {} : { fingerprint: this.job.fingerprint }),
    };
  }
}

function mergeCommittables(parts: Record<string, unknown[]>[]): Record<string, unknown[]> {
  const merged: Record<string, unknown[]> = {};
  for (const part of parts)
    for (const [uid, list] of Object.entries(part)) {
      merged[uid] ??= [];
      merged[uid].push(...list);
    }
  return merged;
}
