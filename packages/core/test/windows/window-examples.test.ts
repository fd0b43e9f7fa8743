/**
 * Hand-picked window jobs with their exact output, in the manner of Flink's documentation:
 * tumbling sums, sliding counts, a session bridged by a late record, lateness that re-fires a
 * window, records too late even for the lateness, and records the operator cannot window. Where
 * it applies, the oracle is checked against the same hand-computed answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DataStream } from "../../src/api/data-stream.ts";
import type { AggregateFunction, Collector, ProcessContext } from "../../src/api/functions.ts";
import { Job, type JobOptions } from "../../src/api/job.ts";
import type { WindowSpec } from "../../src/api/logical-plan.ts";
import { OutputTag } from "../../src/api/output-tag.ts";
import {
  EventTimeSessionWindows,
  type ProcessWindowFunction,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
} from "../../src/api/windows.ts";
import { runJob } from "../../src/runtime/job/run-job.ts";
import { createWindowOperator } from "../../src/runtime/operators/window-operator.ts";
import { WatermarkStrategy } from "../../src/time/watermark-strategy.ts";
import { OperatorHarness } from "./operator-harness.ts";
import { type OracleEvent, type OracleWindows, windowOracle } from "./oracle.ts";

interface Reading {
  readonly k: string;
  readonly v: number;
}

/** [key, value, timestamp] triples as a stream with watermarks after every record. */
function readings(
  job: Job,
  rows: readonly [string, number, number][],
  outOfOrderness: number,
): DataStream<Reading> {
  return job
    .fromTimestampedElements(rows.map(([k, v, ts]) => ({ value: { k, v }, timestamp: ts })))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Reading>(outOfOrderness).withTimestampAssigner(
        (_r, ts) => ts,
      ),
    );
}

function newJob(options: Partial<JobOptions> = {}): Job {
  return Job.create({ name: "window-example", autoWatermarkIntervalMs: 0, ...options });
}

/** Each record with its timestamp, to see the windows' output timestamps. */
function stamped<T>(stream: DataStream<T>): DataStream<[T, number]> {
  return stream.process({
    processElement(value: T, context: ProcessContext, out: Collector<[T, number]>) {
      out.collect([value, context.timestamp()]);
    },
  });
}

const valuesOf: ProcessWindowFunction<Reading, [string, number, number, number[]], string> = {
  process(context, elements, out) {
    out.collect([context.key, context.window.start, context.window.end, elements.map((e) => e.v)]);
  },
};

const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

/** The oracle's firings as [key, start, end, ids of the rows], sorted. */
function oracleFirings(
  rows: readonly [string, number, number][],
  windows: OracleWindows,
  outOfOrderness: number,
  lateness: number,
): { firings: [string, number, number, number[]][]; late: number[] } {
  const events: OracleEvent[] = rows.map(([key, , ts], id) => ({ id, key, ts }));
  const result = windowOracle(events, windows, outOfOrderness, lateness);
  return {
    firings: result.firings
      .map((f): [string, number, number, number[]] => [f.key, f.start, f.end, f.ids])
      .sort(byJson),
    late: result.late,
  };
}

describe("window examples", () => {
  it("tumbling sums per key, emitted at each window's last millisecond", async () => {
    const job = newJob();
    const rows: [string, number, number][] = [
      ["a", 1, 1000],
      ["a", 2, 2000],
      ["b", 5, 3000],
      ["a", 3, 6000],
      ["b", 1, 7000],
      ["a", 4, 4999], // late for the watermark of 6999 - 1: dropped (no side output, no lateness)
    ];
    const sums = readings(job, rows, 0)
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(5000))
      .reduce((x, y) => ({ k: x.k, v: x.v + y.v }));
    const out = stamped(sums).collect();
    const result = await runJob(job);
    assert.deepEqual(result.collected(out).sort(byJson), [
      [{ k: "a", v: 3 }, 4999],
      [{ k: "a", v: 3 }, 9999],
      [{ k: "b", v: 1 }, 9999],
      [{ k: "b", v: 5 }, 4999],
    ]);
    const window = result.operators.find((o) => o.kind === "window")!;
    assert.equal(window.lateDropped, 1, "the dropped late record is counted as late, dropped");
    assert.equal(window.recordsFailed, 0, "a late record is no failure and no dead letter");
    assert.deepEqual(oracleFirings(rows, { kind: "aligned", size: 5000, slide: 5000, offset: 0 }, 0, 0), {
      firings: [
        ["a", 0, 5000, [0, 1]],
        ["b", 0, 5000, [2]],
        ["a", 5000, 10000, [3]],
        ["b", 5000, 10000, [4]],
      ].sort(byJson),
      late: [5],
    });
  });

  it("sliding counts: a record is in size / slide windows", async () => {
    const job = newJob();
    const count: AggregateFunction<Reading, number, number> = {
      createAccumulator: () => 0,
      add: (_r, n) => n + 1,
      getResult: (n) => n,
      merge: (a, b) => a + b,
    };
    const withWindow: ProcessWindowFunction<number, [number, number, number], string> = {
      process(context, counts, out) {
        out.collect([context.window.start, context.window.end, counts[0]]);
      },
    };
    const counts = readings(
      job,
      [
        ["a", 0, 1],
        ["a", 0, 6],
        ["a", 0, 12],
      ],
      0,
    )
      .keyBy((r) => r.k)
      .window(SlidingEventTimeWindows.of(10, 5))
      .aggregate(count, withWindow)
      .collect();
    const result = await runJob(job);
    assert.deepEqual(result.collected(counts), [
      [-5, 5, 1],
      [0, 10, 2],
      [5, 15, 2],
      [10, 20, 1],
    ]);
  });

  it("a late record that touches two sessions merges them into one", async () => {
    const job = newJob();
    const rows: [string, number, number][] = [
      ["a", 1, 0],
      ["a", 2, 10],
      ["a", 3, 5], // [5, 10) touches [0, 5) and [10, 15)
      ["a", 4, 40],
      ["b", 5, 30],
    ];
    const sessions = readings(job, rows, 20)
      .keyBy((r) => r.k)
      .window(EventTimeSessionWindows.withGap(5))
      .process(valuesOf);
    const out = stamped(sessions).collect();
    const result = await runJob(job);
    assert.deepEqual(result.collected(out).sort(byJson), [
      // merged contents: the earlier session's elements first, then the record that merged them
      [["a", 0, 15, [1, 2, 3]], 14],
      [["a", 40, 45, [4]], 44],
      [["b", 30, 35, [5]], 34],
    ]);
    assert.deepEqual(oracleFirings(rows, { kind: "session", gap: 5 }, 20, 0), {
      firings: [
        ["a", 0, 15, [0, 1, 2]],
        ["b", 30, 35, [4]],
        ["a", 40, 45, [3]],
      ].sort(byJson),
      late: [],
    });
  });

  it("a late record within the allowed lateness fires the window again; later ones go to the side output", async () => {
    const job = newJob();
    const late = new OutputTag<Reading>("late-readings");
    const rows: [string, number, number][] = [
      ["a", 1, 1],
      ["a", 2, 12], // watermark 11: [0, 10) fires with [1]
      ["a", 3, 3], // late, within the lateness of 5: [0, 10) fires again with [1, 3]
      ["a", 4, 16], // watermark 15 >= 9 + 5: [0, 10) is cleaned up
      ["a", 5, 4], // too late: side output
    ];
    const windows = readings(job, rows, 0)
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(5)
      .sideOutputLateData(late)
      .process(valuesOf);
    const main = stamped(windows).collect("main");
    const side = stamped(windows.getSideOutput(late)).collect("late");
    const result = await runJob(job);
    assert.deepEqual(result.collected(main), [
      [["a", 0, 10, [1]], 9],
      [["a", 0, 10, [1, 3]], 9],
      [["a", 10, 20, [2, 4]], 19],
    ]);
    assert.deepEqual(result.collected(side), [[{ k: "a", v: 5 }, 4]]);
    assert.deepEqual(oracleFirings(rows, { kind: "aligned", size: 10, slide: 10, offset: 0 }, 0, 5), {
      firings: [
        ["a", 0, 10, [0]],
        ["a", 0, 10, [0, 2]],
        ["a", 10, 20, [1, 3]],
      ].sort(byJson),
      late: [4],
    });
  });

  it("a late session record that touches a live session joins it; alone it is late", () => {
    const spec: WindowSpec = {
      assigner: EventTimeSessionWindows.withGap(10),
      allowedLatenessMs: 0,
      lateDataTag: "late",
      function: { kind: "process", process: valuesOf as ProcessWindowFunction<any, any, any> },
    };
    const harness = new OperatorHarness<Reading>(createWindowOperator((r: Reading) => r.k, spec));
    harness.processElement({ k: "a", v: 1 }, 30);
    harness.processWatermark(25);
    harness.processElement({ k: "a", v: 2 }, 20); // [20, 30) touches [30, 40): joins, not late
    harness.processElement({ k: "a", v: 3 }, 5); // [5, 15): late and alone
    harness.endInput();
    assert.deepEqual(harness.main, [{ value: ["a", 20, 40, [1, 2]], timestamp: 39 }]);
    assert.deepEqual(harness.sideOutput("late"), [{ value: { k: "a", v: 3 }, timestamp: 5 }]);
  });

  it("without a late-data tag, late records are dropped and counted", () => {
    const spec: WindowSpec = {
      assigner: TumblingEventTimeWindows.of(10),
      allowedLatenessMs: 0,
      function: { kind: "reduce", reduce: (x: Reading, y: Reading) => ({ k: x.k, v: x.v + y.v }) },
    };
    const harness = new OperatorHarness<Reading>(createWindowOperator((r: Reading) => r.k, spec));
    harness.processElement({ k: "a", v: 1 }, 3);
    harness.processWatermark(10);
    harness.processElement({ k: "a", v: 2 }, 9);
    harness.processElement({ k: "b", v: 2 }, 0);
    harness.processElement({ k: "a", v: 3 }, 10);
    harness.endInput();
    assert.deepEqual(harness.main, [
      { value: { k: "a", v: 1 }, timestamp: 9 },
      { value: { k: "a", v: 3 }, timestamp: 19 },
    ]);
    assert.equal(harness.metrics.lateRecordsDropped, 2);
    assert.deepEqual(harness.side, new Map());
  });

  it("a record without a timestamp goes to the dead letters (errorHandling dead-letter)", async () => {
    const job = newJob({ errorHandling: "dead-letter" });
    const windows = job
      .fromElements<Reading>({ k: "a", v: 1 }, { k: "b", v: 2 })
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(10))
      .process(valuesOf)
      .collect("windows");
    const letters = job.deadLetters().collect("dead-letters");
    const result = await runJob(job);
    assert.deepEqual(result.collected(windows), []);
    const dead = result.collected(letters);
    assert.deepEqual(
      dead.map((d) => d.record),
      [
        { k: "a", v: 1 },
        { k: "b", v: 2 },
      ],
    );
    for (const d of dead) {
      assert.match(d.error, /^record has no timestamp: assign one with a WatermarkStrategy/);
      assert.equal(d.operatorName, "window TumblingEventTimeWindows(10)");
      assert.equal(d.timestamp, undefined);
    }
  });

  it("a record without a timestamp fails the job with errorHandling fail", async () => {
    const job = newJob();
    job
      .fromElements<Reading>({ k: "a", v: 1 })
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(10))
      .process(valuesOf)
      .collect();
    await assert.rejects(runJob(job), /record has no timestamp/);
  });

  it("a window function that throws sends the window's key and bounds to the dead letters", async () => {
    const job = newJob({ errorHandling: "dead-letter" });
    const windows = readings(
      job,
      [
        ["a", 1, 1],
        ["b", 2, 2],
      ],
      0,
    )
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(10))
      .process<string>({
        process(context, _elements, out) {
          if (context.key === "b") throw new Error("no b, please");
          out.collect(context.key);
        },
      })
      .collect("windows");
    const letters = job.deadLetters().collect("dead-letters");
    const result = await runJob(job);
    assert.deepEqual(result.collected(windows), ["a"]);
    assert.deepEqual(
      result.collected(letters).map((d) => [d.error, d.record, d.timestamp]),
      [["no b, please", { key: "b", window: { start: 0, end: 10 } }, 9]],
    );
  });

  it("a throwing reduce sends the record to the dead letters and leaves the window as it was", async () => {
    const job = newJob({ errorHandling: "dead-letter" });
    const windows = readings(
      job,
      [
        ["a", 1, 1],
        ["a", -1, 2],
        ["a", 3, 3],
      ],
      0,
    )
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(10))
      .reduce((x, y) => {
        if (y.v < 0) throw new Error("negative reading");
        return { k: x.k, v: x.v + y.v };
      })
      .collect("windows");
    const letters = job.deadLetters().collect("dead-letters");
    const result = await runJob(job);
    assert.deepEqual(result.collected(windows), [{ k: "a", v: 4 }]);
    assert.deepEqual(
      result.collected(letters).map((d) => [d.error, d.record, d.timestamp]),
      [["negative reading", { k: "a", v: -1 }, 2]],
    );
  });

  it("a ProcessWindowFunction after reduce sees the one reduced value and can use side outputs", async () => {
    const job = newJob();
    const big = new OutputTag<string>("big");
    const windows = readings(
      job,
      [
        ["a", 1, 1],
        ["a", 20, 2],
        ["b", 3, 4],
      ],
      0,
    )
      .keyBy((r) => r.k)
      .window(TumblingEventTimeWindows.of(10))
      .reduce<string>((x, y) => ({ k: x.k, v: x.v + y.v }), {
        process(context, sums, out) {
          assert.equal(sums.length, 1);
          if (sums[0].v > 10) context.output(big, `${context.key} is big`);
          out.collect(`${context.key}=${sums[0].v} at watermark ${context.currentWatermark()}`);
        },
      });
    const main = windows.collect("main");
    const side = stamped(windows.getSideOutput(big)).collect("big");
    const result = await runJob(job);
    assert.deepEqual(result.collected(main).sort(), [
      "a=21 at watermark Infinity",
      "b=3 at watermark Infinity",
    ]);
    assert.deepEqual(result.collected(side), [["a is big", 9]]);
  });
});
