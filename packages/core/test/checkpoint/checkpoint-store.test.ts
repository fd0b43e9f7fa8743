// The checkpoint format and the file store: round trips, and corruption or truncation of any
// file is detected by checksum, never restored.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { FileCheckpointStore } from "../../src/checkpoint/file-checkpoint-store.ts";
import { findLatestCheckpoint } from "../../src/checkpoint/restore.ts";
import {
  type CheckpointMetadata,
  CorruptCheckpointError,
  decodeSnapshot,
  encodeSnapshot,
  type TaskSnapshot,
} from "../../src/checkpoint/snapshot.ts";

function snapshot(id: number, entries: [string, unknown][]): TaskSnapshot {
  return {
    checkpointId: id,
    vertex: 0,
    subtask: 0,
    parallelism: 1,
    operators: [
      {
        uid: "op",
        kind: "keyed-process",
        keyed: {
          stateKinds: { s: "value" },
          groups: { 3: { states: { s: entries }, timers: [[0, 0, "k", 0, 10]] } },
        },
      },
    ],
  };
}

function metadata(id: number, handle: { file: string; size: number; crc32: number }): CheckpointMetadata {
  return {
    format: 1,
    jobName: "j",
    checkpointId: id,
    timestamp: 0,
    maxParallelism: 8,
    tasks: [{ ...handle, vertex: 0, subtask: 0, operators: ["op"] }],
    pendingSplits: {},
    committables: {},
    finished: false,
    stats: { durationMs: 0, syncMs: 0, asyncMs: 0, alignmentMs: 0, bytes: handle.size },
  };
}

test("snapshots round-trip through encode and decode", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string(), fc.jsonValue())), (entries) => {
      const s = snapshot(1, entries);
      assert.deepEqual(decodeSnapshot(encodeSnapshot(s), "test"), s);
    }),
  );
});

test("any flipped byte or truncation of a snapshot is detected", () => {
  const bytes = encodeSnapshot(
    snapshot(1, [
      ["a", { x: 1 }],
      ["b", [1, 2, 3]],
    ]),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: bytes.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      (at, xor) => {
        const corrupt = Buffer.from(bytes);
        corrupt[at] ^= xor;
        assert.throws(() => decodeSnapshot(corrupt, "test"), CorruptCheckpointError);
      },
    ),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (length) => {
      assert.throws(() => decodeSnapshot(bytes.subarray(0, length), "test"), CorruptCheckpointError);
    }),
  );
});

test("the newest complete checkpoint is restored; a corrupt one is skipped for the previous, with a warning", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-store-"));
  try {
    const store = new FileCheckpointStore(dir);
    for (const id of [1, 2, 3]) {
      const handle = await store.writeState(id, "task-0-0.bin", encodeSnapshot(snapshot(id, [["k", id]])));
      await store.completeCheckpoint(metadata(id, handle));
    }
    // An incomplete checkpoint (no metadata) is not a checkpoint.
    await store.writeState(4, "task-0-0.bin", encodeSnapshot(snapshot(4, [["k", 4]])));
    assert.deepEqual(await store.listCheckpoints(), [3, 2, 1]);

    const warnings: string[] = [];
    let found = await findLatestCheckpoint(store, (w) => warnings.push(w));
    assert.equal(found?.metadata.checkpointId, 3);
    assert.equal(warnings.length, 0);

    // Corrupt checkpoint 3's state file: restore falls back to 2.
    const file3 = join(dir, "chk-3", "task-0-0.bin");
    const bytes = readFileSync(file3);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file3, bytes);
    found = await findLatestCheckpoint(store, (w) => warnings.push(w));
    assert.equal(found?.metadata.checkpointId, 2);
    assert.equal(found?.tasks[0].operators[0].keyed?.groups[3].states.s[0][1], 2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /checkpoint 3 state file .* is corrupt: checksum mismatch; falling back/);

    // Truncate checkpoint 2's metadata: restore falls back to 1.
    truncateSync(join(dir, "chk-2", "_metadata"), 20);
    found = await findLatestCheckpoint(store, (w) => warnings.push(w));
    assert.equal(found?.metadata.checkpointId, 1);
    assert.match(warnings.at(-1)!, /checkpoint 2 metadata .* is corrupt/);

    // Corrupt checkpoints are set aside (kept for inspection, never listed again).
    assert.deepEqual(await store.listCheckpoints(), [1]);
    assert.ok(readdirSync(dir).some((name) => name.startsWith("corrupt-chk-3-")));
    // Retention keeps the newest complete ones.
    const handle = await store.writeState(5, "task-0-0.bin", encodeSnapshot(snapshot(5, [["k", 5]])));
    await store.completeCheckpoint(metadata(5, handle));
    await store.prune(1);
    assert.deepEqual(await store.listCheckpoints(), [5]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
