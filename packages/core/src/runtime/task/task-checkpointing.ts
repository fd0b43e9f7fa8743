/**
 * A task's side of a checkpoint (asynchronous barrier snapshotting, Carbone et al. 2015). When a
 * source task is triggered, or when a barrier has arrived on every input of a task, the task
 * takes the synchronous part of its snapshot (the keyed-state backends fix their state at the
 * barrier, cheaply; timers, split positions and sink pre-commits are taken as they are) and sends
 * the barrier on. The asynchronous part then encodes the snapshot a piece at a time, reading the
 * keyed state the backends preserved, pausing between pieces so the task goes on processing
 * records, writes it to the store and acknowledges it; if anything fails, the task declines the
 * checkpoint instead, handing over what its sinks sealed anyway: that output is committed with
 * the next checkpoint that completes (as Flink's two-phase commit sinks do). A task's acks and
 * declines go out in checkpoint order, so none of a checkpoint's output can arrive after a later
 * one completed.
 */

import type { CheckpointStore } from "../../checkpoint/checkpoint-storage.ts";
import type { PendingOperatorSnapshot, TaskAcknowledgement } from "../../checkpoint/snapshot.ts";
import { encodeSnapshotInPieces } from "../../checkpoint/snapshot-encoder.ts";
import { errorMessage } from "../../errors.ts";

/** How tasks of a thread reach the checkpoint coordinator and the store. */
export interface CheckpointGateway {
  readonly store: CheckpointStore;
  acknowledge(ack: TaskAcknowledgement): void;
  /** `committables`: what the task's sinks sealed for the checkpoint before it failed. */
  decline(checkpointId: number, reason: string, committables?: Record<string, unknown[]>): void;
}

/** The asynchronous part of a task's checkpoint, while it runs. */
export interface SnapshotInFlight {
  readonly checkpointId: number;
  /** Settles when the snapshot has been acknowledged or declined (never rejects). */
  readonly done: Promise<void>;
  /** Abandons the snapshot: the backends stop preserving state for it and the checkpoint is declined. */
  cancel(reason: string): void;
}

/** Lets the thread's other work (the task executor, I/O) run before the encoding goes on. */
function yieldToTasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Starts the asynchronous part of a task's checkpoint; call right after the synchronous part. */
export function writeTaskSnapshot(
  gateway: CheckpointGateway,
  checkpointId: number,
  task: { vertex: number; subtask: number; parallelism: number },
  operators: PendingOperatorSnapshot[],
  committables: [string, unknown[] | Promise<unknown[]>][],
  timing: { started: number; alignmentMs: number },
  /** The task's previous snapshot: this one is acknowledged or declined only after it. */
  previous: Promise<void> = Promise.resolve(),
): SnapshotInFlight {
  const syncDone = performance.now();
  const file = `task-${task.vertex}-${task.subtask}.bin`;
  const release = (reason?: string) => {
    for (const op of operators) op.keyed?.state?.release(reason);
  };
  const done = (async () => {
    try {
      const bytes = await encodeSnapshotInPieces(
        {
          checkpointId,
          vertex: task.vertex,
          subtask: task.subtask,
          parallelism: task.parallelism,
          operators,
        },
        { pause: yieldToTasks },
      );
      // Everything is read: the backends need not preserve anything more for this checkpoint.
      release();
      const handle = await gateway.store.writeState(checkpointId, file, bytes);
      const resolved: Record<string, unknown[]> = {};
      for (const [uid, c] of committables) resolved[uid] = await c;
      await previous;
      gateway.acknowledge({
        checkpointId,
        vertex: task.vertex,
        subtask: task.subtask,
        handle: {
          ...handle,
          vertex: task.vertex,
          subtask: task.subtask,
          operators: operators.map((o) => o.uid),
        },
        committables: resolved,
        syncMs: syncDone - timing.started,
        asyncMs: performance.now() - syncDone,
        alignmentMs: timing.alignmentMs,
      });
    } catch (error) {
      // The sinks sealed their output for this checkpoint all the same: it goes with the decline.
      const sealed: Record<string, unknown[]> = {};
      for (const [uid, c] of committables) {
        const list = await Promise.resolve(c).catch(() => undefined);
        if (list !== undefined && list.length > 0) sealed[uid] = list;
      }
      await previous;
      gateway.decline(
        checkpointId,
        `task ${task.vertex}:${task.subtask} could not take its part: ${errorMessage(error)}`,
        Object.keys(sealed).length > 0 ? sealed : undefined,
      );
    } finally {
      release();
    }
  })();
  return { checkpointId, done, cancel: (reason) => release(reason) };
}
