// A checkpoint of 1,000,000 keys of value state: snapshot, write, read back, restore into a new
// backend at another parallelism, and every value is there. Reports as test diagnostics (measured,
// not asserted) the checkpoint's synchronous part (what the task pays between two records), its
// asynchronous part (encoding and writing, in pieces, while the event loop keeps turning: the
// longest turn is reported too), its size, and the restore.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FileCheckpointStore } from "../../src/checkpoint/file-checkpoint-store.ts";
import { RestoreIndex, readCheckpoint } from "../../src/checkpoint/restore.ts";
import type { TaskAcknowledgement } from "../../src/checkpoint/snapshot.ts";
import { StateDescriptors, type ValueState } from "../../src/index.ts";
import { OperatorStateHolder } from "../../src/runtime/task/operator-state.ts";
import { writeTaskSnapshot } from "../../src/runtime/task/task-checkpointing.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap-keyed-state-backend.ts";
import { assignToKeyGroup, type KeyGroupRange, keyGroupRangeForSubtask } from "../../src/state/key-groups.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import { systemClock } from "../../src/time/time.ts";

const KEYS = 1_000_000;
const MAX_PARALLELISM = 128;
const descriptor = StateDescriptors.value<number>("v");

// The same on LMDB, and between the two backends: packages/state-lmdb/test/large-state.test.ts.
for (const kind of ["heap"] as const)
  test(`1,000,000 keys of value state checkpoint and restore at another parallelism (${kind} backend)`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-large-state-"));
    const newBackend = (_kind: "heap", range: KeyGroupRange): KeyedStateBackend =>
      new HeapKeyedStateBackend(MAX_PARALLELISM, range, systemClock, "op");
    const other = kind;
    try {
      const holder = new OperatorStateHolder("op", "keyed-process", undefined);
      const backend = newBackend(kind, { start: 0, end: MAX_PARALLELISM - 1 });
      holder.attachBackend(backend);
      const state = backend.getState<ValueState<number>>(descriptor);
      for (let i = 0; i < KEYS; i++) {
        backend.setCurrentKey(`key-${i}`);
        state.update(i * 3);
      }
      const store = new FileCheckpointStore(dir);
      // The longest the event loop went without a turn while the asynchronous part ran.
      let longestTurnMs = 0;
      let lastTurn = performance.now();
      const turns = setInterval(() => {
        const now = performance.now();
        longestTurnMs = Math.max(longestTurnMs, now - lastTurn);
        lastTurn = now;
      }, 1);
      const ack = await new Promise<TaskAcknowledgement>((resolve, reject) => {
        const started = performance.now();
        writeTaskSnapshot(
          { store, acknowledge: resolve, decline: (_id, reason) => reject(new Error(reason)) },
          1,
          { vertex: 0, subtask: 0, parallelism: 1 },
          [holder.snapshot()],
          [],
          { started, alignmentMs: 0 },
        );
        lastTurn = performance.now();
      });
      clearInterval(turns);
      const handle = ack.handle;
      await store.completeCheckpoint({
        format: 1,
        jobName: "large",
        checkpointId: 1,
        timestamp: Date.now(),
        maxParallelism: MAX_PARALLELISM,
        tasks: [handle],
        pendingSplits: {},
        committables: {},
        finished: false,
        stats: {
          durationMs: 0,
          syncMs: ack.syncMs,
          asyncMs: ack.asyncMs,
          alignmentMs: 0,
          bytes: handle.size,
        },
      });

      const r0 = performance.now();
      const index = new RestoreIndex(await readCheckpoint(store, 1));
      backend.dispose();
      // Restore at parallelism 3 into the other backend: every key lands in exactly one new subtask, with its value.
      let restored = 0;
      for (let subtask = 0; subtask < 3; subtask++) {
        const range = keyGroupRangeForSubtask(MAX_PARALLELISM, 3, subtask);
        const newHolder = new OperatorStateHolder("op", "keyed-process", index.forOperator("op", range));
        const restoredBackend = newBackend(other, range);
        newHolder.attachBackend(restoredBackend);
        const restoredState = restoredBackend.getState<ValueState<number>>(descriptor);
        for (let i = 0; i < KEYS; i += 997) {
          const key = `key-${i}`;
          const kg = assignToKeyGroup(key, MAX_PARALLELISM);
          if (kg < range.start || kg > range.end) continue;
          restoredBackend.setCurrentKey(key);
          assert.equal(restoredState.value(), i * 3);
        }
        restored += restoredBackend.stateSize("v");
        restoredBackend.dispose();
      }
      const restoreMs = performance.now() - r0;
      assert.equal(restored, KEYS);
      t.diagnostic(
        `1M keys (${kind}): synchronous part ${ack.syncMs.toFixed(1)} ms, asynchronous part (encode+write) ` +
          `${ack.asyncMs.toFixed(0)} ms with event-loop turns at most ${longestTurnMs.toFixed(0)} ms apart, ` +
          `size ${(handle.size / 1e6).toFixed(1)} MB, read+restore into ${other} at parallelism 3 ${restoreMs.toFixed(0)} ms`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
