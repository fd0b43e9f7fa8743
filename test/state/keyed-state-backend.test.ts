/**
 * One state test suite, run against every keyed-state backend (heap from @eddy/core, LMDB from
 * @eddy/state-lmdb, so it lives outside both packages): each state kind,
 * key and key-group isolation, TTL (both update types, both visibilities) on a ManualClock,
 * snapshots that restore into a backend of the other kind (also at another key-group range),
 * a model-based test of random operations compared with plain Maps, and asynchronous snapshots:
 * read a piece at a time while the state changes (objects changed in place and written back,
 * entries removed and added), they hold the state at their barrier.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type AggregatingState,
  Job,
  type Key,
  type ListState,
  ManualClock,
  type MapState,
  type ReducingState,
  runJob,
  StateDescriptors,
  type StateTtlConfig,
  type ValueState,
} from "@eddy/core";
import {
  assignToKeyGroup,
  HeapKeyedStateBackend,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyGroupRange,
  type KeyGroupStates,
  keyGroupRangeForSubtask,
  readSnapshotGroups,
} from "@eddy/core/state-backend";
import { LmdbKeyedStateBackend } from "@eddy/state-lmdb";
import fc from "fast-check";

const MAX_PARALLELISM = 128;
const FULL: KeyGroupRange = { start: 0, end: MAX_PARALLELISM - 1 };
const root = mkdtempSync(join(tmpdir(), "eddy-state-test-"));
const opened: KeyedStateBackend[] = [];
after(() => {
  for (const b of opened) b.dispose();
  rmSync(root, { recursive: true, force: true });
});

type Factory = (clock: ManualClock, range?: KeyGroupRange, cacheEntries?: number) => KeyedStateBackend;
let dirs = 0;
const factories: Record<"heap" | "lmdb", Factory> = {
  heap: (clock, range = FULL) => new HeapKeyedStateBackend(MAX_PARALLELISM, range, clock, "op"),
  lmdb: (clock, range = FULL, cacheEntries) => {
    const b = new LmdbKeyedStateBackend(MAX_PARALLELISM, range, clock, "op", {
      dir: join(root, `b${dirs++}`),
      cacheEntries,
    });
    opened.push(b);
    return b;
  },
};

const sum = StateDescriptors.reducing<number>("sum", (a, b) => a + b);
type Acc = { n: number; s: number };
const avg = StateDescriptors.aggregating<number, Acc, number>("avg", {
  createAccumulator: () => ({ n: 0, s: 0 }),
  add: (v: number, acc: Acc) => ({ n: acc.n + 1, s: acc.s + v }),
  getResult: (acc: Acc) => acc.s / acc.n,
  merge: (a: Acc, b: Acc) => ({ n: a.n + b.n, s: a.s + b.s }),
});

/** `n` keys of one key group. */
function keysInOneGroup(n: number): Key[] {
  const kg = assignToKeyGroup("k-0", MAX_PARALLELISM);
  const keys: Key[] = [];
  for (let i = 0; keys.length < n; i++)
    if (assignToKeyGroup(`k-${i}`, MAX_PARALLELISM) === kg) keys.push(`k-${i}`);
  return keys;
}

/** Two keys of different key groups, and two of the same group. */
function keysOf(relation: "same" | "different"): [string, string] {
  const first = "k-0";
  const kg = assignToKeyGroup(first, MAX_PARALLELISM);
  for (let i = 1; ; i++) {
    const other = `k-${i}`;
    if ((assignToKeyGroup(other, MAX_PARALLELISM) === kg) === (relation === "same")) return [first, other];
  }
}

function backendSuite(kind: "heap" | "lmdb", cacheEntries?: number): void {
  const make: Factory = (clock, range) => factories[kind](clock, range, cacheEntries);
  const other = kind === "heap" ? "lmdb" : "heap";

  describe(`${kind} backend${cacheEntries === undefined ? "" : ` (cache of ${cacheEntries})`}`, () => {
    it("value state: default, update, clear", () => {
      const b = make(new ManualClock(0));
      const s = b.getState<ValueState<number>>(StateDescriptors.value<number>("v", { defaultValue: 7 }));
      b.setCurrentKey("a");
      assert.equal(s.value(), 7);
      s.update(3);
      assert.equal(s.value(), 3);
      s.clear();
      assert.equal(s.value(), 7);
      s.update({ deep: [1, 2] } as never);
      assert.deepEqual(s.value(), { deep: [1, 2] });
    });

    it("list state: add, addAll, update, clear", () => {
      const b = make(new ManualClock(0));
      const s = b.getState<ListState<number>>(StateDescriptors.list<number>("l"));
      b.setCurrentKey(1);
      assert.deepEqual(s.get(), []);
      s.add(1);
      s.addAll([2, 3]);
      assert.deepEqual([...s.get()], [1, 2, 3]);
      s.update([9]);
      assert.deepEqual([...s.get()], [9]);
      s.update([]);
      assert.deepEqual([...s.get()], []);
      s.add(4);
      s.clear();
      assert.deepEqual([...s.get()], []);
    });

    it("map state: put, get, remove, contains, entries, isEmpty, clear", () => {
      const b = make(new ManualClock(0));
      const s = b.getState<MapState<string, number>>(StateDescriptors.map<string, number>("m"));
      b.setCurrentKey("x");
      assert.equal(s.isEmpty(), true);
      s.put("a", 1);
      s.put("b", 2);
      assert.equal(s.get("a"), 1);
      assert.equal(s.contains("b"), true);
      assert.deepEqual([...s.entries()].sort(), [
        ["a", 1],
        ["b", 2],
      ]);
      assert.deepEqual([...s.keys()].sort(), ["a", "b"]);
      assert.deepEqual([...s.values()].sort(), [1, 2]);
      s.remove("a");
      assert.equal(s.get("a"), undefined);
      assert.equal(s.isEmpty(), false);
      s.clear();
      assert.equal(s.isEmpty(), true);
    });

    it("reducing and aggregating state", () => {
      const b = make(new ManualClock(0));
      const r = b.getState<ReducingState<number>>(sum);
      const a = b.getState<AggregatingState<number, number>>(avg);
      b.setCurrentKey("k");
      assert.equal(r.get(), undefined);
      assert.equal(a.get(), undefined);
      for (const v of [1, 2, 6]) {
        r.add(v);
        a.add(v);
      }
      assert.equal(r.get(), 9);
      assert.equal(a.get(), 3);
      r.clear();
      a.clear();
      assert.equal(r.get(), undefined);
      assert.equal(a.get(), undefined);
    });

    for (const relation of ["same", "different"] as const)
      it(`keys of the ${relation} key group are isolated`, () => {
        const b = make(new ManualClock(0));
        const v = b.getState<ValueState<number>>(StateDescriptors.value<number>("v"));
        const l = b.getState<ListState<number>>(StateDescriptors.list<number>("l"));
        const [k1, k2] = keysOf(relation);
        b.setCurrentKey(k1);
        v.update(1);
        l.add(1);
        b.setCurrentKey(k2);
        assert.equal(v.value(), undefined);
        assert.deepEqual([...l.get()], []);
        v.update(2);
        b.setCurrentKey(k1);
        assert.equal(v.value(), 1);
        assert.deepEqual(b.stateKeys("v").sort(), [k1, k2].sort());
        assert.equal(b.stateSize("v"), 2);
        assert.equal(b.stateSize("l"), 1);
      });

    it("rejects a key outside its key-group range and a state registered with another kind", () => {
      const range = keyGroupRangeForSubtask(MAX_PARALLELISM, 2, 0);
      const b = make(new ManualClock(0), range);
      let outside = 0;
      while (assignToKeyGroup(outside, MAX_PARALLELISM) <= range.end) outside++;
      assert.throws(() => b.setCurrentKey(outside), /outside its range/);
      b.getState(StateDescriptors.value("s"));
      assert.throws(() => b.getState(StateDescriptors.list("s")), /already is value state/);
    });

    describe("TTL", () => {
      const configs: [string, StateTtlConfig][] = [
        ["on-create-and-write, never-return-expired", { ttlMs: 10 }],
        ["on-read-and-write, never-return-expired", { ttlMs: 10, updateType: "on-read-and-write" }],
        [
          "on-create-and-write, return-expired-if-not-cleaned-up",
          { ttlMs: 10, visibility: "return-expired-if-not-cleaned-up" },
        ],
      ];
      for (const [label, ttl] of configs)
        it(label, () => {
          const clock = new ManualClock(0);
          const b = make(clock);
          const v = b.getState<ValueState<number>>(StateDescriptors.value<number>("v", { ttl }));
          const l = b.getState<ListState<number>>(StateDescriptors.list<number>("l", { ttl }));
          const m = b.getState<MapState<string, number>>(StateDescriptors.map<string, number>("m", { ttl }));
          b.setCurrentKey("k");
          v.update(1);
          l.add(1);
          m.put("a", 1);
          clock.set(5);
          l.add(2);
          m.put("b", 2);
          // A read at 8 refreshes the entries with on-read-and-write.
          clock.set(8);
          assert.equal(v.value(), 1);
          assert.deepEqual([...l.get()], [1, 2]);
          assert.equal(m.get("a"), 1);
          clock.set(12);
          if (ttl.updateType === "on-read-and-write") {
            assert.equal(v.value(), 1);
            assert.deepEqual([...l.get()], [1, 2]);
            assert.equal(m.get("a"), 1);
            clock.set(30);
            assert.equal(v.value(), undefined);
            assert.deepEqual([...l.get()], []);
            assert.equal(m.isEmpty(), true);
          } else if (ttl.visibility === "return-expired-if-not-cleaned-up") {
            assert.equal(v.value(), 1); // returned once, then cleaned up
            assert.equal(v.value(), undefined);
            assert.deepEqual([...l.get()], [1, 2]);
            assert.deepEqual([...l.get()], [2]);
            assert.equal(m.get("a"), 1);
            assert.equal(m.get("a"), undefined);
            assert.equal(m.get("b"), 2);
          } else {
            assert.equal(v.value(), undefined);
            assert.deepEqual([...l.get()], [2]);
            assert.equal(m.get("a"), undefined);
            assert.equal(m.get("b"), 2);
            clock.set(20);
            assert.deepEqual([...l.get()], []);
            assert.equal(m.isEmpty(), true);
          }
        });

      it("incremental cleanup drops keys never touched again", () => {
        const clock = new ManualClock(0);
        const b = make(clock);
        const v = b.getState<ValueState<number>>(StateDescriptors.value<number>("v", { ttl: { ttlMs: 10 } }));
        for (let k = 0; k < 200; k++) {
          b.setCurrentKey(`cold-${k}`);
          v.update(k);
        }
        assert.equal(b.stateSize("v"), 200);
        clock.set(100);
        b.setCurrentKey("hot");
        for (let i = 0; i < 1000 && b.stateSize("v") > 1; i++) v.update(i);
        assert.equal(b.stateSize("v"), 1);
      });
    });

    for (const rescale of [false, true])
      it(`a snapshot restores into a ${other} backend${rescale ? " at another key-group range" : ""}`, () => {
        const clock = new ManualClock(0);
        const b = make(clock);
        const descriptors = {
          v: StateDescriptors.value<number>("v"),
          l: StateDescriptors.list<string>("l"),
          m: StateDescriptors.map<number, { x: number }>("m"),
          t: StateDescriptors.value<number>("t", { ttl: { ttlMs: 1000 } }),
        };
        const v = b.getState<ValueState<number>>(descriptors.v);
        const l = b.getState<ListState<string>>(descriptors.l);
        const m = b.getState<MapState<number, { x: number }>>(descriptors.m);
        const t = b.getState<ValueState<number>>(descriptors.t);
        const r = b.getState<ReducingState<number>>(sum);
        const keys: Key[] = [];
        for (let i = 0; i < 300; i++) keys.push(i % 2 === 0 ? i : `s${i}`);
        for (const k of keys) {
          b.setCurrentKey(k);
          v.update(Number(String(k).replace("s", "")));
          l.addAll([`${k}a`, `${k}b`]);
          m.put(1, { x: 1 });
          m.put(2, { x: 2 });
          t.update(5);
          r.add(2);
          r.add(3);
        }
        const snapshot = b.snapshotGroups();
        const kinds = b.stateKinds();
        assert.deepEqual(kinds, { v: "value", l: "list", m: "map", t: "value", sum: "reducing" });
        const ranges = rescale
          ? [0, 1, 2].map((i) => keyGroupRangeForSubtask(MAX_PARALLELISM, 3, i))
          : [FULL];
        let restoredKeys = 0;
        for (const range of ranges) {
          const nb = factories[other](clock, range);
          nb.restore(kinds, snapshot as Map<number, KeyGroupStates>);
          const nv = nb.getState<ValueState<number>>(descriptors.v);
          const nl = nb.getState<ListState<string>>(descriptors.l);
          const nm = nb.getState<MapState<number, { x: number }>>(descriptors.m);
          const nt = nb.getState<ValueState<number>>(descriptors.t);
          // "sum" is not registered: it is carried over by the next snapshot.
          for (const k of keys) {
            const kg = assignToKeyGroup(k, MAX_PARALLELISM);
            if (kg < range.start || kg > range.end) continue;
            restoredKeys++;
            nb.setCurrentKey(k);
            assert.equal(nv.value(), Number(String(k).replace("s", "")));
            assert.deepEqual([...nl.get()], [`${k}a`, `${k}b`]);
            assert.deepEqual(
              [...nm.entries()],
              [
                [1, { x: 1 }],
                [2, { x: 2 }],
              ],
            );
            assert.equal(nt.value(), 5);
          }
          // Round trip again: the carried-over state comes back too.
          const again = nb.snapshotGroups();
          const back = make(clock, range);
          back.restore(nb.stateKinds(), again);
          const br = back.getState<ReducingState<number>>(sum);
          for (const k of keys) {
            const kg = assignToKeyGroup(k, MAX_PARALLELISM);
            if (kg < range.start || kg > range.end) continue;
            back.setCurrentKey(k);
            assert.equal(br.get(), 5);
          }
          nb.dispose();
          back.dispose();
        }
        assert.equal(restoredKeys, keys.length);
      });

    it("matches a model of plain Maps under random operations", () => {
      const key = fc.constantFrom<Key>("a", "b", 1, 2, "c");
      const op = fc.oneof(
        fc.record({ op: fc.constant("value" as const), key, v: fc.option(fc.integer(), { nil: undefined }) }),
        fc.record({ op: fc.constant("list-add" as const), key, v: fc.integer() }),
        fc.record({ op: fc.constant("list-clear" as const), key }),
        fc.record({
          op: fc.constant("map-put" as const),
          key,
          mk: fc.constantFrom("x", "y", "z"),
          v: fc.integer(),
        }),
        fc.record({ op: fc.constant("map-remove" as const), key, mk: fc.constantFrom("x", "y", "z") }),
        fc.record({ op: fc.constant("sum" as const), key, v: fc.integer({ min: -100, max: 100 }) }),
        fc.record({ op: fc.constant("snapshot" as const) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
          let b = make(new ManualClock(0));
          const model = {
            value: new Map<Key, number>(),
            list: new Map<Key, number[]>(),
            map: new Map<Key, Map<string, number>>(),
            sum: new Map<Key, number>(),
          };
          const open = (backend: KeyedStateBackend) => ({
            value: backend.getState<ValueState<number>>(StateDescriptors.value<number>("value")),
            list: backend.getState<ListState<number>>(StateDescriptors.list<number>("list")),
            map: backend.getState<MapState<string, number>>(StateDescriptors.map<string, number>("map")),
            sum: backend.getState<ReducingState<number>>(sum),
          });
          let s = open(b);
          const check = () => {
            for (const k of ["a", "b", 1, 2, "c"] as Key[]) {
              b.setCurrentKey(k);
              assert.equal(s.value.value(), model.value.get(k));
              assert.deepEqual([...s.list.get()], model.list.get(k) ?? []);
              assert.deepEqual(new Map(s.map.entries()), model.map.get(k) ?? new Map());
              assert.equal(s.sum.get(), model.sum.get(k));
            }
          };
          for (const o of ops) {
            if (o.op === "snapshot") {
              // Restore into a fresh backend of the other kind and continue there.
              const next = factories[other](new ManualClock(0));
              next.restore(b.stateKinds(), b.snapshotGroups());
              b.dispose();
              b = next;
              s = open(b);
              continue;
            }
            b.setCurrentKey(o.key);
            switch (o.op) {
              case "value":
                s.value.update(o.v as number);
                if (o.v === undefined) model.value.delete(o.key);
                else model.value.set(o.key, o.v);
                break;
              case "list-add":
                s.list.add(o.v);
                model.list.set(o.key, [...(model.list.get(o.key) ?? []), o.v]);
                break;
              case "list-clear":
                s.list.clear();
                model.list.delete(o.key);
                break;
              case "map-put": {
                s.map.put(o.mk, o.v);
                const mm = model.map.get(o.key) ?? new Map();
                mm.set(o.mk, o.v);
                model.map.set(o.key, mm);
                break;
              }
              case "map-remove":
                s.map.remove(o.mk);
                model.map.get(o.key)?.delete(o.mk);
                break;
              case "sum":
                s.sum.add(o.v);
                model.sum.set(o.key, (model.sum.get(o.key) ?? 0) + o.v);
                break;
            }
          }
          check();
          b.dispose();
        }),
        { numRuns: 60 },
      );
    });

    it("a snapshot read while the state changes holds the state at the barrier", () => {
      const b = make(new ManualClock(0));
      const v = b.getState<ValueState<{ n: number; tags: string[] }>>(StateDescriptors.value("v"));
      const l = b.getState<ListState<number>>(StateDescriptors.list<number>("l"));
      const m = b.getState<MapState<string, number>>(StateDescriptors.map<string, number>("m"));
      const [k1, k2] = keysOf("same");
      const k3 = keysOf("different")[1];
      for (const k of [k1, k2]) {
        b.setCurrentKey(k);
        v.update({ n: 1, tags: ["a"] });
        l.add(1);
        m.put("x", 1);
      }
      const snapshot = b.snapshot();
      // After the barrier: change objects in place and write them back, change lists and maps in
      // place, remove an entry, add a key.
      b.setCurrentKey(k1);
      const value = v.value()!;
      value.n = 99;
      value.tags.push("changed");
      v.update(value);
      l.add(2);
      m.put("y", 2);
      b.setCurrentKey(k2);
      v.clear();
      l.clear();
      m.remove("x");
      b.setCurrentKey(k3);
      v.update({ n: 3, tags: [] });
      l.add(3);
      const groups = readSnapshotGroups(snapshot);
      const kg = assignToKeyGroup(k1, MAX_PARALLELISM);
      assert.deepEqual([...groups.keys()], [kg], "only the key group that had state at the barrier");
      const states = groups.get(kg)!;
      const byKey = (name: string) => new Map(states[name]);
      assert.deepEqual(
        byKey("v"),
        new Map([
          [k1, { n: 1, tags: ["a"] }],
          [k2, { n: 1, tags: ["a"] }],
        ]),
      );
      assert.deepEqual(
        byKey("l"),
        new Map([
          [k1, [1]],
          [k2, [1]],
        ]),
      );
      assert.deepEqual(
        byKey("m"),
        new Map([
          [k1, new Map([["x", 1]])],
          [k2, new Map([["x", 1]])],
        ]),
      );
      // The live state has every change.
      b.setCurrentKey(k1);
      assert.deepEqual(v.value(), { n: 99, tags: ["a", "changed"] });
      assert.deepEqual([...l.get()], [1, 2]);
      b.setCurrentKey(k2);
      assert.equal(v.value(), undefined);
      assert.throws(() => snapshot.openGroup("v", kg), /released/);
    });

    it("snapshots read in pieces, interleaved with random changes, hold the state at their barriers", () => {
      // Most keys in one key group, so that a group is often changed while partly read.
      const keys: Key[] = [...keysInOneGroup(5), "other", 7];
      const key = fc.constantFrom(...keys);
      const change = fc.oneof(
        fc.record({ op: fc.constant("value-add" as const), key, v: fc.integer({ min: -9, max: 9 }) }),
        fc.record({ op: fc.constant("value-clear" as const), key }),
        fc.record({ op: fc.constant("list-add" as const), key, v: fc.integer() }),
        fc.record({ op: fc.constant("list-clear" as const), key }),
        fc.record({
          op: fc.constant("map-put" as const),
          key,
          mk: fc.constantFrom("x", "y"),
          v: fc.integer(),
        }),
        fc.record({ op: fc.constant("map-remove" as const), key, mk: fc.constantFrom("x", "y") }),
        fc.record({ op: fc.constant("sum" as const), key, v: fc.integer({ min: -100, max: 100 }) }),
      );
      // Steps: a change, the next piece of a running snapshot, or a new snapshot.
      const step = fc.oneof(
        { weight: 4, arbitrary: change },
        {
          weight: 2,
          arbitrary: fc.record({
            op: fc.constant("read" as const),
            snapshot: fc.nat(),
            pieces: fc.integer({ min: 1, max: 3 }),
          }),
        },
        { weight: 1, arbitrary: fc.constant({ op: "snapshot" as const }) },
      );
      type Model = {
        value: Map<Key, { n: number; log: number[] }>;
        list: Map<Key, number[]>;
        map: Map<Key, Map<string, number>>;
        sum: Map<Key, number>;
      };
      fc.assert(
        fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
          const b = make(new ManualClock(0));
          const s = {
            value: b.getState<ValueState<{ n: number; log: number[] }>>(StateDescriptors.value("value")),
            list: b.getState<ListState<number>>(StateDescriptors.list<number>("list")),
            map: b.getState<MapState<string, number>>(StateDescriptors.map<string, number>("map")),
            sum: b.getState<ReducingState<number>>(sum),
          };
          const model: Model = { value: new Map(), list: new Map(), map: new Map(), sum: new Map() };
          // Every key starts with an entry in every state.
          const initial = keys.flatMap((k, i) => [
            { op: "value-add" as const, key: k, v: i },
            { op: "list-add" as const, key: k, v: i },
            { op: "map-put" as const, key: k, mk: "x" as const, v: i },
            { op: "sum" as const, key: k, v: i },
          ]);
          // Running snapshots: what the state was at their barrier, and a reader that reads one piece per step.
          const running: { expected: Model; reader: Iterator<undefined, Map<number, KeyGroupStates>> }[] = [];
          const finish = (r: (typeof running)[number]) => {
            let next = r.reader.next();
            while (!next.done) next = r.reader.next();
            assert.deepEqual(modelOf(next.value), r.expected);
          };
          for (const o of [...initial, ...steps]) {
            if (o.op === "snapshot") {
              running.push({ expected: structuredClone(model), reader: readInPieces(b.snapshot(), 1) });
              continue;
            }
            if (o.op === "read") {
              if (running.length === 0) continue;
              const which = o.snapshot % running.length;
              const r = running[which];
              for (let i = 0; i < o.pieces; i++) {
                const next = r.reader.next();
                if (next.done) {
                  running.splice(which, 1);
                  assert.deepEqual(modelOf(next.value), r.expected);
                  break;
                }
              }
              continue;
            }
            b.setCurrentKey(o.key);
            switch (o.op) {
              case "value-add": {
                // Change the object in place, then write it back.
                const current = s.value.value();
                if (current === undefined) s.value.update({ n: o.v, log: [o.v] });
                else {
                  current.n += o.v;
                  current.log.push(o.v);
                  s.value.update(current);
                }
                const m = model.value.get(o.key);
                model.value.set(
                  o.key,
                  m === undefined ? { n: o.v, log: [o.v] } : { n: m.n + o.v, log: [...m.log, o.v] },
                );
                break;
              }
              case "value-clear":
                s.value.clear();
                model.value.delete(o.key);
                break;
              case "list-add":
                s.list.add(o.v);
                model.list.set(o.key, [...(model.list.get(o.key) ?? []), o.v]);
                break;
              case "list-clear":
                s.list.clear();
                model.list.delete(o.key);
                break;
              case "map-put": {
                s.map.put(o.mk, o.v);
                const mm = new Map(model.map.get(o.key) ?? []);
                mm.set(o.mk, o.v);
                model.map.set(o.key, mm);
                break;
              }
              case "map-remove": {
                s.map.remove(o.mk);
                const mm = new Map(model.map.get(o.key) ?? []);
                mm.delete(o.mk);
                if (mm.size === 0) model.map.delete(o.key);
                else model.map.set(o.key, mm);
                break;
              }
              case "sum":
                s.sum.add(o.v);
                model.sum.set(o.key, (model.sum.get(o.key) ?? 0) + o.v);
                break;
            }
          }
          // Snapshots partly read get read to the end, and must show their barrier.
          for (const r of running) finish(r);
          // A new snapshot shows the live state.
          assert.deepEqual(modelOf(b.snapshotGroups()), model);
          b.dispose();
        }),
        { numRuns: 200 },
      );

      function modelOf(groups: Map<number, KeyGroupStates>): Model {
        const result: Model = { value: new Map(), list: new Map(), map: new Map(), sum: new Map() };
        for (const states of groups.values())
          for (const [name, entries] of Object.entries(states))
            for (const [k, value] of entries)
              (result as Record<string, Map<Key, unknown>>)[name].set(k, value);
        return result;
      }
    });
  });
}

/** Reads a snapshot a piece (at most `max` entries) per step; returns every group when done. */
function* readInPieces(
  snapshot: KeyedStateSnapshot,
  max: number,
): Generator<undefined, Map<number, KeyGroupStates>> {
  const groups = new Map<number, KeyGroupStates>();
  for (let kg = snapshot.range.start; kg <= snapshot.range.end; kg++)
    for (const name of snapshot.stateNames) {
      const entries = snapshot.openGroup(name, kg);
      if (entries === undefined) continue;
      const list: [Key, unknown][] = [];
      while (list.length < entries.size) {
        // The task runs between two pieces: copy what was read, as encoding it would.
        list.push(...structuredClone(entries.read(max)));
        yield;
      }
      let states = groups.get(kg);
      if (states === undefined) groups.set(kg, (states = {}));
      states[name] = list;
    }
  snapshot.release();
  return groups;
}

backendSuite("heap");
backendSuite("lmdb");
// A tiny cache: every few operations go through LMDB.
backendSuite("lmdb", 3);

describe("the state backend of a job", () => {
  for (const parallelism of [1, 3])
    it(`a keyed job gives the same results on LMDB as on the heap, and LMDB's files are gone after it (parallelism ${parallelism})`, async () => {
      const stateDir = join(root, `job-${parallelism}`);
      const results: Record<string, unknown[]> = {};
      for (const stateBackend of ["heap", "lmdb"] as const) {
        const job = Job.create({ name: "backend-job", stateBackend, stateDir, batchSize: 16 });
        const out = job
          .fromElements(...Array.from({ length: 2000 }, (_, i) => ({ key: `k${i % 37}`, n: i })))
          .keyBy((r) => r.key)
          .reduce((a, b) => ({ key: a.key, n: a.n + b.n }))
          .collect();
        const result = await runJob(job, { parallelism });
        results[stateBackend] = result
          .collected(out)
          .map((r) => `${r.key}:${r.n}`)
          .sort();
      }
      assert.equal(results.lmdb.length, 2000);
      assert.deepEqual(results.lmdb, results.heap);
      const jobDir = join(stateDir, "backend-job");
      // The job's directory was made (so LMDB was used) and holds no environment any more.
      assert.ok(existsSync(jobDir), "the LMDB backend was used");
      assert.deepEqual(readdirSync(jobDir), [], "no LMDB environment is left behind");
    });
});
