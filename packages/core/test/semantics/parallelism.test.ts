/**
 * The same job gives the same results at parallelism 1 and 4 (subtasks of one thread taking
 * turns): the rolling reduce (with each key's sequence of running values in input order), union,
 * connect with a co-process function and with a keyed co-process function sharing state per key,
 * and the broadcast and rebalance partitionings, whose placement of records is checked exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Job, runJob, StateDescriptors, type ValueState } from "../../src/index.ts";

const PARALLELISMS = [1, 4];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = <T>(values: T[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function groupBy<T, K>(values: T[], key: (v: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const v of values) {
    const list = groups.get(key(v)) ?? [];
    list.push(v);
    groups.set(key(v), list);
  }
  return groups;
}

describe("rolling reduce", () => {
  it("emits each key's running sum after every record, in input order per key, at any parallelism", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.constantFrom("a", "b", "c", "d", "e", 7, 8),
            n: fc.integer({ min: -50, max: 50 }),
          }),
          {
            maxLength: 300,
          },
        ),
        async (generated) => {
          const input = generated.map((r) => ({ key: r.key, n: r.n }));
          // The oracle: running sums per key in input order.
          const running = new Map<string | number, number>();
          const expected = input.map((r) => {
            const sum = (running.get(r.key) ?? 0) + r.n;
            running.set(r.key, sum);
            return { key: r.key, n: sum };
          });
          for (const parallelism of PARALLELISMS) {
            const job = Job.create({ name: "reduce", batchSize: 7 });
            const out = job
              .fromElements(...input)
              .keyBy((r) => r.key)
              .reduce((a, b) => ({ key: a.key, n: a.n + b.n }))
              .collect();
            const result = await runJob(job, { parallelism });
            const got = result.collected(out);
            assert.equal(got.length, input.length);
            const byKey = groupBy(got, (r) => r.key);
            for (const [key, values] of groupBy(expected, (r) => r.key))
              assert.deepEqual(byKey.get(key), values, `key ${key} at parallelism ${parallelism}`);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("union", () => {
  for (const parallelism of PARALLELISMS) {
    it(`carries every record of every input exactly once (parallelism ${parallelism})`, async () => {
      const job = Job.create({ name: "union" });
      const a = job.fromElements(...range(300).map((i) => `a${i}`));
      const b = job.fromGenerator({ count: 200, generate: (i) => `b${i}` });
      const c = job.fromElements(...range(100).map((i) => `c${i}`)).map((s) => s.toUpperCase());
      const out = a
        .union(b, c)
        .map((s) => `${s}!`)
        .collect();
      const result = await runJob(job, { parallelism });
      const expected = [
        ...range(300).map((i) => `a${i}!`),
        ...range(200).map((i) => `b${i}!`),
        ...range(100).map((i) => `C${i}!`),
      ];
      assert.deepEqual(sorted(result.collected(out)), sorted(expected));
    });
  }
});

describe("connect", () => {
  for (const parallelism of PARALLELISMS) {
    it(`co-process sees every record of both inputs once (parallelism ${parallelism})`, async () => {
      const job = Job.create({ name: "co-process" });
      const numbers = job.fromElements(...range(250));
      const words = job.fromElements(...range(150).map((i) => `w${i}`));
      const out = numbers
        .connect(words)
        .process<string>({
          processElement1: (v, _ctx, out) => out.collect(`n:${v}`),
          processElement2: (w, _ctx, out) => out.collect(`s:${w}`),
        })
        .collect();
      const result = await runJob(job, { parallelism });
      assert.deepEqual(
        sorted(result.collected(out)),
        sorted([...range(250).map((v) => `n:${v}`), ...range(150).map((i) => `s:w${i}`)]),
      );
    });

    it(`keyed co-process shares state and timers per key across both inputs (parallelism ${parallelism})`, async () => {
      const job = Job.create({ name: "keyed-co-process" });
      const credits = range(400).map((i) => ({ account: `acc-${i % 17}`, amount: (i % 5) + 1 }));
      const debits = range(300).map((i) => ({ account: `acc-${(i * 7) % 17}`, amount: i % 3 }));
      type Balance = { account: string; balance: number; credits: number; debits: number };
      const out = job
        .fromElements(...credits)
        .keyBy((c) => c.account)
        .connect(job.fromElements(...debits).keyBy((d) => d.account))
        .process<Balance>({
          open(ctx) {
            (this as any).state = ctx.getState(StateDescriptors.value<Balance>("balance"));
          },
          processElement1(c, ctx) {
            const state = (this as any).state as ValueState<Balance>;
            const b = state.value() ?? { account: ctx.currentKey(), balance: 0, credits: 0, debits: 0 };
            state.update({ ...b, balance: b.balance + c.amount, credits: b.credits + 1 });
            ctx.timerService().registerEventTimeTimer(1e15);
          },
          processElement2(d, ctx) {
            const state = (this as any).state as ValueState<Balance>;
            const b = state.value() ?? { account: ctx.currentKey(), balance: 0, credits: 0, debits: 0 };
            state.update({ ...b, balance: b.balance - d.amount, debits: b.debits + 1 });
            ctx.timerService().registerEventTimeTimer(1e15);
          },
          onTimer(_t, ctx, out) {
            const b = ((this as any).state as ValueState<Balance>).value()!;
            assert.equal(b.account, ctx.currentKey());
            out.collect(b);
          },
        })
        .collect();
      const result = await runJob(job, { parallelism });
      const expected = new Map<string, Balance>();
      const entry = (account: string) => {
        let b = expected.get(account);
        if (b === undefined) expected.set(account, (b = { account, balance: 0, credits: 0, debits: 0 }));
        return b;
      };
      for (const c of credits) {
        const b = entry(c.account);
        b.balance += c.amount;
        b.credits++;
      }
      for (const d of debits) {
        const b = entry(d.account);
        b.balance -= d.amount;
        b.debits++;
      }
      const got = result.collected(out).sort((x, y) => x.account.localeCompare(y.account));
      assert.deepEqual(
        got,
        [...expected.values()].sort((x, y) => x.account.localeCompare(y.account)),
      );
    });
  }
});

describe("partitioning", () => {
  /** Tags each record with the subtask that processed it. */
  function tagSubtask() {
    return {
      open(this: { subtask: number }, ctx: { subtaskIndex: number }) {
        this.subtask = ctx.subtaskIndex;
      },
      processElement(
        this: { subtask: number },
        v: number,
        _ctx: unknown,
        out: { collect(x: [number, number]): void },
      ) {
        out.collect([this.subtask, v]);
      },
    };
  }

  for (const parallelism of PARALLELISMS) {
    it(`broadcast sends every record to every subtask (parallelism ${parallelism})`, async () => {
      const job = Job.create({ name: "broadcast" });
      const out = job
        .fromElements(...range(100))
        .broadcast()
        .process<[number, number]>(tagSubtask() as never)
        .collect();
      const result = await runJob(job, { parallelism });
      const expected = range(parallelism).flatMap((s) => range(100).map((v) => [s, v] as [number, number]));
      assert.deepEqual(sorted(result.collected(out).map(String)), sorted(expected.map(String)));
    });

    it(`rebalance sends each record to one subtask, round robin (parallelism ${parallelism})`, async () => {
      const job = Job.create({ name: "rebalance" });
      const out = job
        .fromElements(...range(1000))
        .rebalance()
        .process<[number, number]>(tagSubtask() as never)
        .collect();
      const result = await runJob(job, { parallelism });
      const got = result.collected(out);
      assert.equal(got.length, 1000);
      for (const [subtask, v] of got) assert.equal(subtask, v % parallelism, `record ${v}`);
    });
  }
});
