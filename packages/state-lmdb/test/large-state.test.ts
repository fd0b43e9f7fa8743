// 1,000,000 keys of value state in LMDB: the snapshot's synchronous part (flush the cache, open a
// read transaction) and its entries read key group by key group while the state keeps changing,
// then restored at parallelism 3 into the heap (and the heap's into LMDB): every key
// lands in exactly one new subtask with its value as at the snapshot. Reports the times as test
// diagnostics (measured, not asserted). Encoding and writing the entries to a checkpoint file is
// the same code for every backend: packages/core/test/checkpoint/large-state.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { StateDescriptors, systemClock, type ValueState } from "@eddy/core";
import {
  assignToKeyGroup,
  HeapKeyedStateBackend,
  type KeyedStateBackend,
  type KeyGroupRange,
  type KeyGroupStates,
  keyGroupRangeForSubtask,
} from "@eddy/core/state-backend";
import { LmdbKeyedStateBackend } from "@eddy/state-lmdb";

const KEYS = 1_000_000;
const MAX_PARALLELISM = 128;
const descriptor = StateDescriptors.value<number>("v");
type Kind = "heap" | "lmdb";

for (const [from, to] of [
  ["lmdb", "heap"],
  ["heap", "lmdb"],
] as const)
  test(`1,000,000 keys of value state snapshot from ${from} and restore into ${to} at parallelism 3`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-lmdb-large-"));
    let environments = 0;
    const newBackend = (kind: Kind, range: KeyGroupRange): KeyedStateBackend =>
      kind === "heap"
        ? new HeapKeyedStateBackend(MAX_PARALLELISM, range, systemClock, "op")
        : new LmdbKeyedStateBackend(MAX_PARALLELISM, range, systemClock, "op", {
            dir: join(dir, `env-${environments++}`),
          });
    try {
      const backend = newBackend(from, { start: 0, end: MAX_PARALLELISM - 1 });
      const state = backend.getState<ValueState<number>>(descriptor);
      for (let i = 0; i < KEYS; i++) {
        backend.setCurrentKey(`key-${i}`);
        state.update(i * 3);
      }
      const s0 = performance.now();
      const snapshot = backend.snapshot();
      const syncMs = performance.now() - s0;
      // Read a piece at a time while the state changes: the snapshot keeps the values at its barrier.
      const a0 = performance.now();
      const groups = new Map<number, KeyGroupStates>();
      for (let kg = snapshot.range.start; kg <= snapshot.range.end; kg++) {
        const entries = snapshot.openGroup("v", kg);
        if (entries === undefined) continue;
        const read: KeyGroupStates["v"] = [];
        for (let chunk = entries.read(1000); chunk.length > 0; chunk = entries.read(1000)) {
          read.push(...chunk);
          if (read.length >= entries.size) break;
        }
        groups.set(kg, { v: read });
        backend.setCurrentKey(`key-${kg}`);
        state.update(-1);
      }
      snapshot.release();
      const asyncMs = performance.now() - a0;
      const kinds = snapshot.stateKinds;
      backend.dispose();

      const r0 = performance.now();
      let restored = 0;
      for (let subtask = 0; subtask < 3; subtask++) {
        const range = keyGroupRangeForSubtask(MAX_PARALLELISM, 3, subtask);
        const restoredBackend = newBackend(to, range);
        restoredBackend.restore({ ...kinds }, groups);
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
      assert.equal(restored, KEYS);
      t.diagnostic(
        `1M keys ${from} -> ${to}: synchronous part ${syncMs.toFixed(1)} ms, entries read in pieces ` +
          `${asyncMs.toFixed(0)} ms, restore at parallelism 3 ${(performance.now() - r0).toFixed(0)} ms`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
