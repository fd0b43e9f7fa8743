// The snapshot a checkpoint encodes in pieces is byte for byte the one encodeSnapshot writes at
// once for the same state: for random snapshots (values with shared parts and cycles, two-byte
// strings, Maps, Sets, errors, typed arrays, integer-like state names), any piece size, and any
// number of operators; with references inside pieces rewritten after a walk of their bytes, or
// renumbered by throwaway objects. A value shared between entries of different pieces reads back
// as equal copies.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  decodeSnapshot,
  encodeSnapshot,
  type KeyGroupSnapshot,
  type PendingOperatorSnapshot,
  type PendingTaskSnapshot,
  type TaskSnapshot,
} from "../../src/checkpoint/snapshot.ts";
import { encodeSnapshotInPieces } from "../../src/checkpoint/snapshot-encoder.ts";
import type { Key } from "../../src/index.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-backend.ts";

type Groups = Map<number, Record<string, [Key, unknown][]>>;

/** A keyed-state snapshot over fixed entries, which counts what is still open. */
function fixedSnapshot(range: { start: number; end: number }, groups: Groups): KeyedStateSnapshot {
  const names = new Set<string>();
  for (const states of groups.values()) for (const name of Object.keys(states)) names.add(name);
  return {
    range,
    stateKinds: Object.fromEntries([...names].map((n) => [n, "value" as const])),
    stateNames: [...names],
    openGroup(name, kg) {
      const entries = groups.get(kg)?.[name];
      if (entries === undefined || entries.length === 0) return undefined;
      let position = 0;
      return {
        size: entries.length,
        read(max) {
          const chunk = entries.slice(position, position + max);
          position += chunk.length;
          return chunk;
        },
      };
    },
    release() {},
  };
}

const leaf = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 5 }),
  fc.string({ unit: "binary", maxLength: 3 }).map((m) => new RangeError(m)),
  fc.string({ maxLength: 3 }).map((source) => new RegExp(source.replace(/[\\^$.*+?()[\]{}|]/g, ""), "g")),
  fc.integer().map((n) => Object(n) as object),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("tree"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie("tree"), { maxKeys: 3 }),
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie("tree")), { maxLength: 3 }).map((e) => new Map(e)),
    fc.array(tie("tree"), { maxLength: 2 }).map((e) => new Set(e)),
  ),
}));
/** A value, with parts shared inside it or a cycle: made anew for each entry. */
const value = fc.tuple(tree, fc.constantFrom("plain", "shared", "cycle")).map(([v, shape]) => {
  if (shape === "plain") return v;
  if (shape === "shared") {
    const part = { part: v };
    return [part, { again: part }, new Map([["m", part]])];
  }
  const cyclic: Record<string, unknown> = { v };
  cyclic.self = cyclic;
  return cyclic;
});
/** Objects that entries share with each other. */
const pool = [{ shared: 1 }, [1, "two"], new Map([["m", { deep: true }]])];
const pooled = fc.oneof(value, fc.constantFrom(...pool));
const key: fc.Arbitrary<Key> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary" }),
);
const stateName = fc.oneof(fc.constantFrom("v", "list", "0", "12", "ß", "名前"), fc.string({ maxLength: 5 }));
const timer = fc.tuple(
  fc.nat(3),
  fc.constantFrom(0 as const, 1 as const),
  key,
  fc.oneof(fc.integer(), fc.string()),
  fc.integer(),
);

const operator = (value: fc.Arbitrary<unknown>) =>
  fc.record({
    uid: fc.string({ maxLength: 8 }),
    kind: fc.constantFrom("map", "keyed-process", "window"),
    keyed: fc.option(
      fc.record({
        range: fc.tuple(fc.nat(6), fc.nat(5)).map(([start, n]) => ({ start, end: start + n })),
        // entries per (key group offset, state name); timers per key group offset
        states: fc.array(fc.tuple(fc.nat(8), stateName, fc.array(fc.tuple(key, value), { maxLength: 7 })), {
          maxLength: 6,
        }),
        timers: fc.array(fc.tuple(fc.nat(8), fc.array(timer, { minLength: 1, maxLength: 3 })), {
          maxLength: 3,
        }),
        deferred: fc.boolean(),
      }),
      { nil: undefined },
    ),
    splits: fc.option(fc.array(fc.record({ splitId: fc.string(), position: value }), { maxLength: 2 }), {
      nil: undefined,
    }),
  });

/** A random snapshot: what the synchronous part takes, and the whole one encodeSnapshot is given. */
function snapshots(values: fc.Arbitrary<unknown>) {
  return fc.tuple(fc.array(operator(values), { maxLength: 3 }), fc.nat()).map(([ops, checkpointId]) => {
    const pending: PendingOperatorSnapshot[] = [];
    const complete: TaskSnapshot["operators"] = [];
    for (const op of ops) {
      const base = { uid: op.uid, kind: op.kind };
      const splits = op.splits === undefined ? {} : { splits: op.splits };
      if (op.keyed === undefined) {
        pending.push({ ...base, ...splits });
        complete.push({ ...base, ...splits });
        continue;
      }
      const { range } = op.keyed;
      const entries: Groups = new Map();
      for (const [offset, name, list] of op.keyed.states) {
        const kg = range.start + (offset % (range.end - range.start + 1));
        let states = entries.get(kg);
        if (states === undefined) entries.set(kg, (states = {}));
        // One key per entry, as in a state.
        states[name] = [...new Map(list)];
      }
      const known: Record<number, KeyGroupSnapshot> = {};
      for (const [kg, timers] of op.keyed.timers) known[kg] = { states: {}, timers };
      const stateKinds: Record<string, "value"> = {};
      for (const states of entries.values())
        for (const name of Object.keys(states)) stateKinds[name] = "value";
      // Every non-empty group, entries merged with timers.
      const groups: Record<number, KeyGroupSnapshot> = {};
      const kgs = new Set([...entries.keys(), ...Object.keys(known).map(Number)]);
      for (const kg of [...kgs].sort((a, b) => a - b)) {
        const states: Record<string, [Key, unknown][]> = {};
        for (const name of Object.keys(stateKinds))
          if ((entries.get(kg)?.[name]?.length ?? 0) > 0) states[name] = entries.get(kg)![name];
        const timers = known[kg]?.timers ?? [];
        if (Object.keys(states).length === 0 && timers.length === 0) continue;
        groups[kg] = { states, timers };
      }
      const state = op.keyed.deferred ? { state: fixedSnapshot(range, entries) } : {};
      pending.push({
        ...base,
        keyed: { stateKinds, groups: op.keyed.deferred ? known : groups, ...state },
        ...splits,
      });
      complete.push({ ...base, keyed: { stateKinds, groups }, ...splits });
    }
    // (A small integer, as checkpoint ids are: V8 writes an integer held as a double as a double.)
    const header = { checkpointId: checkpointId | 0, vertex: 1, subtask: 2, parallelism: 3 };
    return {
      pending: { ...header, operators: pending } as PendingTaskSnapshot,
      complete: { ...header, operators: complete },
    };
  });
}

for (const scan of [true, false])
  test(`a snapshot encoded in pieces has the bytes of one encoded at once (references ${scan ? "rewritten" : "renumbered"})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        snapshots(value),
        fc.integer({ min: 1, max: 6 }),
        async ({ pending, complete }, chunkEntries) => {
          const bytes = Buffer.concat(
            await encodeSnapshotInPieces(pending, {
              chunkEntries,
              sliceMs: 0,
              pause: async () => {},
              writer: { scan },
            }),
          );
          const expected = encodeSnapshot(complete);
          assert.deepEqual(decodeSnapshot(bytes, "test"), decodeSnapshot(expected, "test"));
          assert.ok(bytes.equals(expected), "the same bytes as encodeSnapshot");
        },
      ),
      { numRuns: scan ? 300 : 100 },
    );
  });

test("values shared between entries read back equal", async () => {
  await fc.assert(
    fc.asyncProperty(
      snapshots(pooled),
      fc.integer({ min: 1, max: 6 }),
      async ({ pending, complete }, chunkEntries) => {
        const bytes = Buffer.concat(
          await encodeSnapshotInPieces(pending, {
            chunkEntries,
            sliceMs: 0,
            pause: async () => {},
          }),
        );
        assert.deepEqual(decodeSnapshot(bytes, "test"), decodeSnapshot(encodeSnapshot(complete), "test"));
      },
    ),
    { numRuns: 200 },
  );
});

test("a value shared between entries of one piece reads back shared, between pieces as equal copies", async () => {
  const shared = { n: 1 };
  const entries: [Key, unknown][] = Array.from({ length: 10 }, (_, i) => [i, i % 3 === 0 ? shared : { i }]);
  const snapshot: PendingTaskSnapshot = {
    checkpointId: 1,
    vertex: 0,
    subtask: 0,
    parallelism: 1,
    operators: [
      {
        uid: "op",
        kind: "keyed-process",
        keyed: {
          stateKinds: { v: "value" },
          groups: {},
          state: fixedSnapshot({ start: 0, end: 1 }, new Map([[1, { v: entries }]])),
        },
      },
    ],
  };
  // Pieces of 4 entries: keys 0 and 3 in the first, 6 in the second, 9 in the third.
  const bytes = Buffer.concat(
    await encodeSnapshotInPieces(snapshot, { chunkEntries: 4, pause: async () => {} }),
  );
  const back = decodeSnapshot(bytes, "test").operators[0].keyed!.groups[1].states.v;
  assert.equal(back.length, 10);
  assert.equal(back[0][1], back[3][1]);
  assert.notEqual(back[0][1], back[6][1]);
  for (const i of [0, 3, 6, 9]) assert.deepEqual(back[i][1], { n: 1 });
  assert.deepEqual(back[1][1], { i: 1 });
});
