// A task acknowledges or declines its checkpoints in their order, even when a later snapshot is
// written first: otherwise a later checkpoint could complete while an earlier, discarded one's
// sealed sink output was still on its way, and a crash then would lose that output. A declining
// task hands over what its sinks sealed.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckpointStore } from "../../src/checkpoint/checkpoint-storage.ts";
import type { StateHandle } from "../../src/checkpoint/snapshot.ts";
import { writeTaskSnapshot } from "../../src/runtime/task/task-checkpointing.ts";

test("a task's acks and declines go out in checkpoint order, a decline with its sealed output", async () => {
  const writes = new Map<number, { resolve: (h: StateHandle) => void; reject: (e: Error) => void }>();
  const store = {
    writeState: (id: number) =>
      new Promise<StateHandle>((resolve, reject) => writes.set(id, { resolve, reject })),
  } as unknown as CheckpointStore;
  const events: string[] = [];
  const gateway = {
    store,
    acknowledge: (ack: { checkpointId: number; committables: Record<string, unknown[]> }) =>
      events.push(`ack ${ack.checkpointId} ${JSON.stringify(ack.committables)}`),
    decline: (id: number, _reason: string, committables?: Record<string, unknown[]>) =>
      events.push(`decline ${id} ${JSON.stringify(committables)}`),
  };
  const task = { vertex: 1, subtask: 0, parallelism: 1 };
  const timing = { started: 0, alignmentMs: 0 };
  const first = writeTaskSnapshot(gateway, 1, task, [], [["out", ["a"]]], timing);
  const second = writeTaskSnapshot(
    gateway,
    2,
    task,
    [],
    [["out", Promise.resolve(["b"])]],
    timing,
    first.done,
  );
  while (writes.size < 2) await new Promise((resolve) => setImmediate(resolve));
  writes.get(2)!.resolve({ file: "task-1-0.bin", size: 0, crc32: 0 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, [], "checkpoint 2 waits for checkpoint 1");
  writes.get(1)!.reject(new Error("the disk is full"));
  await second.done;
  assert.deepEqual(events, ['decline 1 {"out":["a"]}', 'ack 2 {"out":["b"]}']);
});
