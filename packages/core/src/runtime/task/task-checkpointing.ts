/**
 * A task's side of a checkpoint (asynchronous barrier snapshotting, Carbone et al. 2015). When a
 * source task is triggered, or when a barrier has arrived on every input of a task, the task
 * takes the synchronous part of its snapshot (the keyed-state backends fix their state at the
 * barrier, cheaply; timers, split positions and sink pre-commits are taken as they are) and sends
 * the barrier on. The asynchronous part then encodes the snapshot a piece at a time, reading the
 * keyed state the backends preserved, pausing between pieces so the task goes on processing
 * records, writes it to the store and acknowledges it; if anything fails, the task declines the
 * checkpoint instead.
 */

import type { CheckpointStore } from "../../checkpoint/checkpoint-storage.ts";
import type { PendingOperatorSnapshot, TaskAcknowledgement } from "../../checkpoint/snapshot.ts";
import { encodeSnapshotInPieces } from "../../checkpoint/snapshot-encoder.ts";
import { errorMessage } from "../../errors.ts";

/** How tasks of a thread reach the checkpoint coordinator and the store. */
export interface CheckpointGateway {
  readonly store: CheckpointStore;
  acknowledge(ack: TaskAcknowledgement): void;
  decline(checkpointId: number, reason: string): void;
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
      gateway.decline(
        checkpointId,
        `task ${task.vertex}:${task.subtask} could not take its part: ${errorMessage(error)}`,
      );
    } finally {
      release();
    }
  })();
  return { checkpointId, done, cancel: (reason) => release(reason) };
}
