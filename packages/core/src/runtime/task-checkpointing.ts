/**
 * A task's side of a checkpoint (asynchronous barrier snapshotting, Carbone et al. 2015). When a
 * source task is triggered, or when a barrier has arrived on every input of a task, the task
 * takes its snapshot synchronously (operator state by key group, timers, split positions, sink
 * pre-commits), sends the barrier on, and then writes the snapshot and acknowledges it
 * asynchronously, while records keep flowing.
 */

import type { CheckpointStore } from "../checkpoint/checkpoint-storage.ts";
import type { OperatorSnapshot, TaskStateHandle } from "../checkpoint/snapshot.ts";
import { encodeSnapshot } from "../checkpoint/snapshot.ts";

export interface TaskAcknowledgement {
  readonly checkpointId: number;
  readonly vertex: number;
  readonly subtask: number;
  readonly handle: TaskStateHandle;
  /** Sink pre-commits by sink uid. */
  readonly committables: Record<string, unknown[]>;
  readonly syncMs: number;
  readonly asyncMs: number;
  readonly alignmentMs: number;
}

/** How tasks of a thread reach the checkpoint coordinator and the store. */
export interface CheckpointGateway {
  readonly store: CheckpointStore;
  acknowledge(ack: TaskAcknowledgement): void;
  decline(checkpointId: number, reason: string): void;
}

export function writeTaskSnapshot(
  gateway: CheckpointGateway,
  checkpointId: number,
  task: { vertex: number; subtask: number; parallelism: number },
  operators: OperatorSnapshot[],
  committables: [string, unknown[] | Promise<unknown[]>][],
  timing: { started: number; alignmentMs: number },
): void {
  const bytes = encodeSnapshot({
    checkpointId,
    vertex: task.vertex,
    subtask: task.subtask,
    parallelism: task.parallelism,
    operators,
  });
  const syncDone = performance.now();
  const file = `task-${task.vertex}-${task.subtask}.bin`;
  void (async () => {
    try {
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
      gateway.decline(checkpointId, (error as Error)?.message ?? String(error));
    }
  })();
}
