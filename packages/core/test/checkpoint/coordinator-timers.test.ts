// The checkpoint coordinator's timers on a manual clock: the periodic trigger fires exactly one
// interval after the previous checkpoint ended (never earlier), a checkpoint not complete after
// its timeout is discarded at that instant, and more failures in a row than tolerated fail the
// job. No test here waits on the wall clock: time moves only when the test advances it.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CheckpointCoordinator,
  type CheckpointOptions,
} from "../../src/checkpoint/checkpoint-coordinator.ts";
import type { CheckpointStore } from "../../src/checkpoint/checkpoint-storage.ts";
import type { CheckpointMetadata, StateHandle } from "../../src/checkpoint/snapshot.ts";
import { ManualTimerService } from "../../src/index.ts";

/** A store in memory: only what the coordinator calls. */
class MemoryStore implements CheckpointStore {
  readonly location = "memory";
  readonly complete: number[] = [];
  readonly discarded: number[] = [];
  async writeState(_id: number, name: string): Promise<StateHandle> {
    return { file: name, size: 0, crc32: 0 };
  }
  async completeCheckpoint(metadata: CheckpointMetadata): Promise<void> {
    this.complete.push(metadata.checkpointId);
  }
  async listCheckpoints(): Promise<number[]> {
    return [...this.complete];
  }
  async readMetadata(): Promise<CheckpointMetadata> {
    throw new Error("not used");
  }
  async readState(): Promise<Buffer> {
    throw new Error("not used");
  }
  async prune(): Promise<void> {}
  async discard(id: number): Promise<void> {
    this.discarded.push(id);
  }
  async quarantine(): Promise<string> {
    throw new Error("not used");
  }
}

function coordinatorOn(timers: ManualTimerService, options: CheckpointOptions) {
  const store = new MemoryStore();
  const triggered: { id: number; at: number }[] = [];
  const warnings: string[] = [];
  const failures: Error[] = [];
  const coordinator = new CheckpointCoordinator(
    store,
    { name: "timers", maxParallelism: 8 },
    { all: ["0:0"], sources: ["0:0"] },
    new Map(),
    {
      triggerSources: (id) => {
        triggered.push({ id, at: timers.now() });
        return true;
      },
      snapshotEnumerators: () => ({}),
      pauseSplitAssignment: () => {},
      warn: (w) => warnings.push(w),
      fail: (error) => failures.push(error),
    },
    options,
    0,
    timers,
  );
  const acknowledge = (checkpointId: number) =>
    coordinator.acknowledge({
      checkpointId,
      vertex: 0,
      subtask: 0,
      handle: { file: `task-${checkpointId}`, size: 1, crc32: 0, vertex: 0, subtask: 0, operators: [] },
      committables: {},
      syncMs: 0,
      asyncMs: 0,
      alignmentMs: 0,
    });
  return { coordinator, store, triggered, warnings, failures, acknowledge };
}

test("the periodic trigger fires one interval after the previous checkpoint ended, never earlier", async () => {
  const timers = new ManualTimerService();
  const { coordinator, store, triggered, acknowledge } = coordinatorOn(timers, { intervalMs: 1000 });
  coordinator.start();
  timers.advance(999);
  assert.deepEqual(triggered, []);
  timers.advance(1);
  assert.deepEqual(triggered, [{ id: 1, at: 1000 }]);

  // Checkpoint 1 takes 250 ms; the next is due 1000 ms after it completed, at 2250.
  timers.advance(250);
  acknowledge(1);
  await coordinator.whenIdle();
  assert.deepEqual(store.complete, [1]);
  assert.equal(coordinator.completed[0].stats.durationMs, 250, "the duration is read from the timers");
  timers.advance(999);
  assert.equal(triggered.length, 1);
  timers.advance(1);
  assert.deepEqual(triggered[1], { id: 2, at: 2250 });

  coordinator.stop();
  assert.equal(timers.pending, 1, "only checkpoint 2's timeout is left");
  await coordinator.abortPending();
  assert.equal(timers.pending, 0, "stopping clears every timer");
});

test("a checkpoint not complete after its timeout is discarded at that instant; one more failure than tolerated fails the job", async () => {
  const timers = new ManualTimerService();
  const { coordinator, store, triggered, warnings, failures } = coordinatorOn(timers, {
    intervalMs: 100,
    timeoutMs: 5000,
    tolerableFailures: 1,
  });
  coordinator.start();
  timers.advance(100);
  assert.equal(triggered.length, 1);
  timers.advance(4999);
  assert.equal(warnings.length, 0, "still within its timeout");
  timers.advance(1);
  assert.match(warnings[0], /checkpoint 1 failed .*1 in a row.*not complete after 5000 ms/);
  assert.deepEqual(store.discarded, [1]);
  assert.equal(failures.length, 0, "one failure is tolerated");

  // The next trigger is an interval after the discard; it times out too: two in a row.
  timers.advance(100);
  assert.deepEqual(triggered[1], { id: 2, at: 5200 });
  timers.advance(5000);
  assert.equal(failures.length, 1);
  assert.match(failures[0].message, /2 checkpoints in a row failed, more than the 1 tolerated/);
  assert.equal(timers.pending, 0, "a failed job triggers no more checkpoints");
});

test("a savepoint requested between periodic checkpoints completes without waiting for the interval", async () => {
  const timers = new ManualTimerService();
  const { coordinator, triggered, acknowledge } = coordinatorOn(timers, { intervalMs: 60_000 });
  coordinator.start();
  const savepoint = coordinator.checkpointNow({ last: true });
  await Promise.resolve();
  assert.deepEqual(triggered, [{ id: 1, at: 0 }]);
  acknowledge(1);
  assert.equal(await savepoint, 1);
  assert.equal(timers.pending, 0, "no checkpoint is scheduled after the last one");
});
