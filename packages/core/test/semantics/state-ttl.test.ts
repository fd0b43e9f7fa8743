/**
 * State time-to-live, in processing time, for every kind of keyed state: an entry expires `ttlMs`
 * after its last write (or last read, with on-read-and-write); an expired entry is never returned,
 * or returned once before it is cleaned up, as the visibility says; list elements and map entries
 * expire one by one; and incremental cleanup drops keys that are never touched again. Driven by a
 * ManualClock on the heap backend directly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type AggregatingState,
  type ListState,
  ManualClock,
  type MapState,
  type ReducingState,
  StateDescriptors,
  type StateTtlConfig,
  type ValueState,
} from "../../src/index.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap-keyed-state-backend.ts";

const MAX_PARALLELISM = 128;

function newBackend(clock: ManualClock) {
  return new HeapKeyedStateBackend(
    MAX_PARALLELISM,
    { start: 0, end: MAX_PARALLELISM - 1 },
    clock,
    "ttl-test",
  );
}

/** One state kind seen as a single value per key: how to write it, read it, and its table's name. */
interface Kind {
  readonly name: string;
  open(
    backend: HeapKeyedStateBackend,
    ttl?: StateTtlConfig,
  ): { write(v: number): void; read(): number | undefined };
}

const lastWins = { reduce: (_a: number, b: number) => b };
const KINDS: Kind[] = [
  {
    name: "value",
    open(backend, ttl) {
      const s = backend.getState<ValueState<number>>(StateDescriptors.value<number>("s", { ttl }));
      return { write: (v) => s.update(v), read: () => s.value() };
    },
  },
  {
    name: "list",
    open(backend, ttl) {
      const s = backend.getState<ListState<number>>(StateDescriptors.list<number>("s", { ttl }));
      return { write: (v) => s.update([v]), read: () => s.get()[0] };
    },
  },
  {
    name: "map",
    open(backend, ttl) {
      const s = backend.getState<MapState<string, number>>(
        StateDescriptors.map<string, number>("s", { ttl }),
      );
      return { write: (v) => s.put("entry", v), read: () => s.get("entry") };
    },
  },
  {
    name: "reducing",
    open(backend, ttl) {
      const s = backend.getState<ReducingState<number>>(
        StateDescriptors.reducing<number>("s", lastWins.reduce, { ttl }),
      );
      return { write: (v) => s.add(v), read: () => s.get() };
    },
  },
  {
    name: "aggregating",
    open(backend, ttl) {
      const s = backend.getState<AggregatingState<number, number>>(
        StateDescriptors.aggregating<number, number | undefined, number>(
          "s",
          {
            createAccumulator: () => undefined,
            add: (v) => v,
            getResult: (acc) => acc as number,
            merge: (_a, b) => b,
          },
          { ttl },
        ),
      );
      return { write: (v) => s.add(v), read: () => s.get() };
    },
  },
];

describe("state TTL, per kind of state", () => {
  for (const kind of KINDS) {
    describe(`${kind.name} state`, () => {
      it("on-create-and-write, never-return-expired: gone ttl ms after the last write; reads do not extend it", () => {
        const clock = new ManualClock(0);
        const backend = newBackend(clock);
        const s = kind.open(backend, { ttlMs: 10 });
        backend.setCurrentKey("k");
        s.write(1);
        clock.set(9);
        assert.equal(s.read(), 1);
        clock.set(10);
        assert.equal(s.read(), undefined);
        // A write starts the time again.
        s.write(2);
        clock.set(15);
        s.write(3);
        clock.set(24);
        assert.equal(s.read(), 3);
        clock.set(25);
        assert.equal(s.read(), undefined);
      });

      it("on-read-and-write: every read extends the entry's life", () => {
        const clock = new ManualClock(0);
        const backend = newBackend(clock);
        const s = kind.open(backend, { ttlMs: 10, updateType: "on-read-and-write" });
        backend.setCurrentKey("k");
        s.write(1);
        for (const t of [9, 18, 27]) {
          clock.set(t);
          assert.equal(s.read(), 1, `read at ${t}`);
        }
        clock.set(37);
        assert.equal(s.read(), undefined);
      });

      it("return-expired-if-not-cleaned-up: an expired entry is returned once, then it is gone", () => {
        const clock = new ManualClock(0);
        const backend = newBackend(clock);
        const s = kind.open(backend, { ttlMs: 10, visibility: "return-expired-if-not-cleaned-up" });
        backend.setCurrentKey("k");
        s.write(7);
        clock.set(50);
        assert.equal(s.read(), 7);
        assert.equal(s.read(), undefined);
      });

      it("keys expire independently", () => {
        const clock = new ManualClock(0);
        const backend = newBackend(clock);
        const s = kind.open(backend, { ttlMs: 10 });
        backend.setCurrentKey("early");
        s.write(1);
        clock.set(5);
        backend.setCurrentKey("late");
        s.write(2);
        clock.set(12);
        backend.setCurrentKey("early");
        assert.equal(s.read(), undefined);
        backend.setCurrentKey("late");
        assert.equal(s.read(), 2);
      });

      it("without TTL nothing expires", () => {
        const clock = new ManualClock(0);
        const backend = newBackend(clock);
        const s = kind.open(backend);
        backend.setCurrentKey(42);
        s.write(5);
        clock.set(Number.MAX_SAFE_INTEGER);
        assert.equal(s.read(), 5);
      });

      it("incremental cleanup eventually drops the entries of keys that are never touched again", () => {
        const clock = new ManualClock(0);
        const backend = newBackend(clock);
        const s = kind.open(backend, { ttlMs: 10 });
        const table = [...backend.stateTables()][0];
        for (let k = 0; k < 300; k++) {
          backend.setCurrentKey(`cold-${k}`);
          s.write(k);
        }
        backend.setCurrentKey("hot");
        // Writes while nothing has expired keep every entry.
        for (let i = 0; i < 500; i++) s.write(i);
        assert.equal(table.size(), 301);
        clock.set(100);
        let writes = 0;
        while (table.size() > 1 && writes < 10_000) {
          s.write(writes++);
        }
        assert.equal(table.size(), 1, `after ${writes} writes to one key`);
        assert.equal(s.read(), writes - 1);
      });
    });
  }
});

describe("state TTL, per element", () => {
  it("list elements expire one by one; on-read-and-write refreshes the live ones", () => {
    const clock = new ManualClock(0);
    const backend = newBackend(clock);
    const list = backend.getState<ListState<string>>(
      StateDescriptors.list<string>("l", { ttl: { ttlMs: 10, updateType: "on-read-and-write" } }),
    );
    backend.setCurrentKey("k");
    list.add("a");
    clock.set(4);
    list.add("b");
    clock.set(9);
    list.addAll(["c"]);
    clock.set(10);
    assert.deepEqual(list.get(), ["b", "c"]); // "a" expired; b and c are read, so refreshed to 10
    clock.set(19);
    assert.deepEqual(list.get(), ["b", "c"]);
    clock.set(29);
    assert.deepEqual(list.get(), []);
  });

  it("list update() replaces the elements, all stamped now; an empty update clears", () => {
    const clock = new ManualClock(0);
    const backend = newBackend(clock);
    const list = backend.getState<ListState<number>>(
      StateDescriptors.list<number>("l", { ttl: { ttlMs: 10 } }),
    );
    backend.setCurrentKey("k");
    list.add(1);
    clock.set(8);
    list.update([2, 3]);
    clock.set(12);
    assert.deepEqual(list.get(), [2, 3]);
    list.update([]);
    assert.deepEqual(list.get(), []);
  });

  it("map entries expire one by one, and iteration skips expired ones", () => {
    const clock = new ManualClock(0);
    const backend = newBackend(clock);
    const map = backend.getState<MapState<string, number>>(
      StateDescriptors.map<string, number>("m", { ttl: { ttlMs: 10 } }),
    );
    backend.setCurrentKey("k");
    map.put("old", 1);
    clock.set(5);
    map.put("new", 2);
    clock.set(10);
    assert.equal(map.contains("old"), false);
    assert.deepEqual([...map.entries()], [["new", 2]]);
    assert.equal(map.isEmpty(), false);
    clock.set(15);
    assert.equal(map.isEmpty(), true);
    assert.deepEqual([...map.keys()], []);
  });

  it("a reducing state whose value expired starts again from the next value", () => {
    const clock = new ManualClock(0);
    const backend = newBackend(clock);
    const sum = backend.getState<ReducingState<number>>(
      StateDescriptors.reducing<number>("sum", (a, b) => a + b, { ttl: { ttlMs: 10 } }),
    );
    backend.setCurrentKey("k");
    sum.add(1);
    sum.add(2);
    clock.set(10);
    sum.add(5);
    assert.equal(sum.get(), 5);
  });

  it("matches a model on random writes, reads and clock moves (value state, every TTL setting)", () => {
    type Op =
      | { kind: "write"; key: number; v: number }
      | { kind: "read"; key: number }
      | { kind: "tick"; ms: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("write" as const), key: fc.nat(3), v: fc.nat(100) }),
      fc.record({ kind: fc.constant("read" as const), key: fc.nat(3) }),
      fc.record({ kind: fc.constant("tick" as const), ms: fc.nat(8) }),
    );
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 10 }),
        (ops, onRead, returnExpired, ttlMs) => {
          const clock = new ManualClock(0);
          const backend = newBackend(clock);
          const state = backend.getState<ValueState<number>>(
            StateDescriptors.value<number>("v", {
              ttl: {
                ttlMs,
                updateType: onRead ? "on-read-and-write" : "on-create-and-write",
                visibility: returnExpired ? "return-expired-if-not-cleaned-up" : "never-return-expired",
              },
            }),
          );
          // The model: per key the value and the time it was last stamped. Incremental cleanup may
          // drop an expired entry at any write, so an expired entry may read as undefined either way.
          const model = new Map<number, { v: number; t: number }>();
          for (const op of ops) {
            if (op.kind === "tick") clock.advance(op.ms);
            else if (op.kind === "write") {
              backend.setCurrentKey(op.key);
              state.update(op.v);
              model.set(op.key, { v: op.v, t: clock.now() });
            } else {
              backend.setCurrentKey(op.key);
              const got = state.value();
              const entry = model.get(op.key);
              if (entry === undefined) assert.equal(got, undefined);
              else if (entry.t + ttlMs <= clock.now()) {
                if (returnExpired) assert.ok(got === undefined || got === entry.v);
                else assert.equal(got, undefined);
                model.delete(op.key);
              } else {
                assert.equal(got, entry.v);
                if (onRead) entry.t = clock.now();
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
