// The checkpoint coordinator's carry-over of sealed sink output (Flink's two-phase commit: pending
// transactions of checkpoints that did not complete are committed with the next one that does).
// What the acks of a discarded checkpoint held, what a declining task handed over, what a late ack
// of a discarded checkpoint held, and what a checkpoint whose metadata could not be written held
// are all recorded in the next complete checkpoint's metadata (a restore re-commits it) and
// committed with it, or by the final commit at the end of input. A stopped run commits none of it.
// Time moves only when the test advances the manual timers.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CheckpointCoordinator,
  type CheckpointOptions,
} from "../../src/checkpoint/checkpoint-coordinator.ts";
import type { CheckpointStore } from "../../src/checkpoint/checkpoint-storage.ts";
import type { CheckpointMetadata, StateHandle } from "../../src/checkpoint/snapshot.ts";
import type { SinkCommitter } from "../../src/connectors/api/sink-committer.ts";
import { ManualTimerService } from "../../src/index.ts";

/** A store in memory whose metadata write fails for the ids in `failing`. */
class MemoryStore implements CheckpointStore {
  readonly location = "memory";
  readonly metadata = new Map<number, CheckpointMetadata>();
  readonly failing = new Set<number>();
  async writeState(_id: number, name: string): Promise<StateHandle> {
    return { file: name, size: 0, crc32: 0 };
  }
  async completeCheckpoint(metadata: CheckpointMetadata): Promise<void> {
    if (this.failing.has(metadata.checkpointId)) throw new Error("the disk is full");
    this.metadata.set(metadata.checkpointId, metadata);
  }
  async listCheckpoints(): Promise<number[]> {
    return [...this.metadata.keys()].reverse();
  }
  async readMetadata(): Promise<CheckpointMetadata> {
    throw new Error("not used");
  }
  async readState(): Promise<Buffer> {
    throw new Error("not used");
  }
  async prune(): Promise<void> {}
  async discard(): Promise<void> {}
  async quarantine(): Promise<string> {
    throw new Error("not used");
  }
}

/** Two tasks: a source "0:0" and a sink "1:0" whose committables are strings, sink uid "out". */
function setUp(options: CheckpointOptions = {}) {
  const timers = new ManualTimerService();
  const store = new MemoryStore();
  const commits: string[][] = [];
  const committer: SinkCommitter<unknown> = {
    async commit(list) {
      commits.push(list as string[]);
    },
  };
  const coordinator = new CheckpointCoordinator(
    store,
    { name: "carry-over", maxParallelism: 8 },
    { all: ["0:0", "1:0"], sources: ["0:0"] },
    new Map([["out", committer]]),
    {
      triggerSources: () => true,
      snapshotEnumerators: () => ({}),
      pauseSplitAssignment: () => {},
      warn: () => {},
      fail: (error) => assert.fail(error),
    },
    { intervalMs: 100, timeoutMs: 1000, ...options },
    0,
    timers,
  );
  const ack = (checkpointId: number, vertex: number, committables: string[] = []) =>
    coordinator.acknowledge({
      checkpointId,
      vertex,
      subtask: 0,
      handle: { file: "f", size: 0, crc32: 0, vertex, subtask: 0, operators: [] },
      committables: vertex === 1 ? { out: committables } : {},
      syncMs: 0,
      asyncMs: 0,
      alignmentMs: 0,
    });
  const committedIn = (id: number) => store.metadata.get(id)?.committables.out;
  return { timers, store, commits, coordinator, ack, committedIn };
}

test("the sink's output in the acks of a checkpoint that timed out is committed with the next one", async () => {
  const { timers, commits, coordinator, ack, committedIn } = setUp();
  coordinator.start();
  timers.advance(100);
  ack(1, 1, ["a"]);
  timers.advance(1000); // checkpoint 1 times out: the source never acknowledged
  assert.deepEqual(commits, []);
  timers.advance(100);
  ack(2, 1, ["b"]);
  ack(2, 0);
  await coordinator.whenIdle();
  assert.deepEqual(committedIn(2), ["a", "b"], "recorded in checkpoint 2's metadata");
  assert.deepEqual(commits, [["a", "b"]]);
  coordinator.stop();
});

test("a declining task's sealed output, and a late ack of the declined checkpoint, go with the next checkpoint", async () => {
  const { timers, commits, coordinator, ack, committedIn } = setUp();
  coordinator.start();
  timers.advance(100);
  coordinator.decline(1, "task 1:0 could not take its part", { out: ["a"] });
  timers.advance(100);
  coordinator.decline(2, "task 0:0 could not take its part");
  ack(2, 1, ["b"]); // arrives after the checkpoint was discarded
  timers.advance(100);
  ack(3, 1, []);
  ack(3, 0);
  await coordinator.whenIdle();
  assert.deepEqual(committedIn(3), ["a", "b"]);
  assert.deepEqual(commits, [["a", "b"]]);
  coordinator.stop();
});

test("output of a checkpoint whose metadata could not be written goes with the next one", async () => {
  const { timers, store, commits, coordinator, ack, committedIn } = setUp();
  store.failing.add(1);
  coordinator.start();
  timers.advance(100);
  ack(1, 1, ["a"]);
  ack(1, 0);
  await coordinator.whenIdle();
  assert.deepEqual(commits, []);
  timers.advance(100);
  ack(2, 1, ["b"]);
  ack(2, 0);
  await coordinator.whenIdle();
  assert.deepEqual(committedIn(2), ["a", "b"]);
  assert.deepEqual(commits, [["a", "b"]]);
  coordinator.stop();
});

test("the final commit at the end of input commits the output of the checkpoints that failed", async () => {
  const { timers, store, commits, coordinator, ack } = setUp();
  coordinator.start();
  timers.advance(100);
  ack(1, 1, ["a"]);
  coordinator.decline(1, "task 0:0 could not take its part");
  await coordinator.finish([{ out: ["final"] }]);
  const final = [...store.metadata.values()].at(-1)!;
  assert.equal(final.finished, true);
  assert.deepEqual(final.committables.out, ["a", "final"]);
  assert.deepEqual(commits, [["a", "final"]]);
});

test("a stopped run commits nothing of the checkpoints that failed (a restore replays their records)", async () => {
  const { timers, store, commits, coordinator, ack } = setUp();
  coordinator.start();
  timers.advance(100);
  ack(1, 1, ["a"]);
  coordinator.decline(1, "task 0:0 could not take its part");
  await coordinator.abortPending();
  assert.deepEqual(commits, []);
  assert.equal(store.metadata.size, 0);
});
