/**
 * Processing-time windows, driven directly with a manual clock (a whole job would sleep in real
 * time for its timers). With the timers advanced only to times before the next arrival, a
 * processing-time window behaves as an event-time window whose timestamps are the arrival times
 * and whose watermark is the time the timers were advanced to; the end of input fires the rest.
 * So the event-time oracle, given those watermarks, is the reference here too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Collector } from "../../src/api/functions.ts";
import type { WindowSpec } from "../../src/api/logical-plan.ts";
import {
  ProcessingTimeSessionWindows,
  type ProcessWindowFunction,
  SlidingProcessingTimeWindows,
  TumblingProcessingTimeWindows,
  type WindowAssigner,
} from "../../src/api/windows.ts";
import { createWindowOperator } from "../../src/runtime/operators/window-operator.ts";
import { NO_TIMESTAMP } from "../../src/time/time.ts";
import { OperatorHarness } from "./operator-harness.ts";
import { type OracleWindows, windowOracleWithWatermarks } from "./oracle.ts";
import {
  type FunctionKind,
  functionKindArb,
  type Rec,
  renderOracle,
  type ScenarioEvent,
  sessionArb,
  slidingArb,
  toOracleEvents,
  tumblingArb,
  windowFunctionOf,
} from "./window-job.ts";

function processingTimeAssigner(windows: OracleWindows): WindowAssigner {
  if (windows.kind === "session") return ProcessingTimeSessionWindows.withGap(windows.gap);
  return windows.size === windows.slide
    ? TumblingProcessingTimeWindows.of(windows.size, windows.offset)
    : SlidingProcessingTimeWindows.of(windows.size, windows.slide, windows.offset);
}

function harnessFor(windows: OracleWindows, fn: WindowSpec["function"]): OperatorHarness<Rec> {
  const spec: WindowSpec = { assigner: processingTimeAssigner(windows), allowedLatenessMs: 0, function: fn };
  return new OperatorHarness<Rec>(createWindowOperator((r: Rec) => r.k, spec));
}

const show = (e: { value: unknown; timestamp: number }) => JSON.stringify({ ts: e.timestamp, out: e.value });

interface Step {
  readonly k: string;
  readonly v: number;
  /** Clock advance before the record arrives. */
  readonly dt: number;
  /** Where in [arrival, next arrival - 1] to advance the timers to after it, if at all. */
  readonly fireAt: number | null;
}

const stepsArb = fc.array(
  fc.record({
    k: fc.constantFrom("a", "c", "e", "l"),
    v: fc.integer({ min: -5, max: 20 }),
    dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })),
    fireAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })),
  }),
  { maxLength: 150, size: "max" },
);

function check(windows: OracleWindows, fnKind: FunctionKind, start: number, steps: readonly Step[]): void {
  const harness = harnessFor(windows, windowFunctionOf(fnKind));
  harness.advanceProcessingTime(start);
  const events: ScenarioEvent[] = [];
  const wms: number[] = [];
  let now = start;
  let fired = Number.NEGATIVE_INFINITY;
  steps.forEach((step, i) => {
    now += step.dt;
    harness.clock.set(now);
    events.push({ id: i, k: step.k, v: step.v, ts: now });
    // Processing time ignores the record's timestamp; give it none.
    harness.processElement({ id: i, k: step.k, v: step.v }, NO_TIMESTAMP);
    const nextArrival = i + 1 < steps.length ? now + steps[i + 1].dt : Number.POSITIVE_INFINITY;
    if (step.fireAt !== null && nextArrival - 1 >= now) {
      const span = Math.min(nextArrival - 1, now + 30) - now;
      const to = now + Math.floor(step.fireAt * (span + 1));
      harness.advanceProcessingTime(to);
      now = to;
      fired = to;
    }
    wms.push(fired);
  });
  assert.ok(harness.processingTimers() <= harness.mapEntries("window-contents"));
  harness.endInput();
  wms.push(Number.POSITIVE_INFINITY);
  const oracle = windowOracleWithWatermarks(toOracleEvents(events), windows, 0, wms);
  assert.deepEqual(oracle.late, []);
  // `due` says the watermark reached the window's end: an event-time notion, not checked here.
  const withoutDue = (line: string) => {
    const { ts, out } = JSON.parse(line);
    if (out !== null && typeof out === "object" && "due" in out) delete out.due;
    return JSON.stringify({ ts, out });
  };
  const expected = renderOracle(fnKind, oracle, events, false);
  assert.deepEqual(harness.main.map(show).map(withoutDue).sort(), expected.main.map(withoutDue).sort());
  assert.equal(harness.stateEntries(), 0, "state left after the end of input");
  assert.equal(harness.processingTimers(), 0, "timers left after the end of input");
  assert.equal(harness.failures.length, 0);
}

describe("processing-time windows", () => {
  for (const [name, windows] of [
    ["tumbling", tumblingArb],
    ["sliding", slidingArb],
    ["session", sessionArb],
  ] as const)
    it(`${name}: fire when the clock passes their end, and the rest at end of input`, () => {
      fc.assert(fc.property(windows, functionKindArb, fc.integer({ min: 0, max: 50 }), stepsArb, check), {
        numRuns: 150,
      });
    });

  const collectAll: ProcessWindowFunction<Rec, unknown, any> = {
    process(context, elements, out: Collector<unknown>) {
      out.collect([context.key, context.window.start, context.window.end, elements.map((e) => e.v)]);
    },
  };

  it("tumbling: a window fires once the clock reaches its last millisecond, with its output at that time", () => {
    const harness = harnessFor(
      { kind: "aligned", size: 10, slide: 10, offset: 0 },
      { kind: "process", process: collectAll },
    );
    harness.clock.set(1);
    harness.processElement({ id: 0, k: "a", v: 1 }, NO_TIMESTAMP);
    harness.clock.set(8);
    harness.processElement({ id: 1, k: "a", v: 2 }, NO_TIMESTAMP);
    harness.processElement({ id: 2, k: "b", v: 3 }, 12345); // the timestamp plays no part
    assert.equal(harness.operator.nextProcessingTime?.(), 9);
    harness.advanceProcessingTime(8);
    assert.deepEqual(harness.main, []);
    harness.advanceProcessingTime(9);
    assert.deepEqual(harness.main, [
      { value: ["a", 0, 10, [1, 2]], timestamp: 9 },
      { value: ["b", 0, 10, [3]], timestamp: 9 },
    ]);
    harness.clock.set(15);
    harness.processElement({ id: 3, k: "a", v: 4 }, NO_TIMESTAMP);
    assert.equal(harness.operator.nextProcessingTime?.(), 19);
    harness.endInput();
    assert.deepEqual(harness.main.slice(2), [{ value: ["a", 10, 20, [4]], timestamp: 19 }]);
    assert.equal(harness.operator.nextProcessingTime?.(), Number.POSITIVE_INFINITY);
  });

  it("a record at a window's last millisecond after it fired makes it fire again, alone (as Flink does)", () => {
    const harness = harnessFor(
      { kind: "aligned", size: 10, slide: 10, offset: 0 },
      { kind: "process", process: collectAll },
    );
    harness.clock.set(3);
    harness.processElement({ id: 0, k: "a", v: 1 }, NO_TIMESTAMP);
    harness.advanceProcessingTime(9);
    harness.processElement({ id: 1, k: "a", v: 2 }, NO_TIMESTAMP);
    harness.advanceProcessingTime(9);
    assert.deepEqual(
      harness.main.map((e) => e.value),
      [
        ["a", 0, 10, [1]],
        ["a", 0, 10, [2]],
      ],
    );
  });

  it("sessions merge by arrival time and fire a gap after the last record", () => {
    const harness = harnessFor({ kind: "session", gap: 5 }, { kind: "process", process: collectAll });
    for (const [time, v] of [
      [0, 1],
      [3, 2],
      [8, 3], // [8, 13) touches [0, 8): one session
      [20, 4], // the clock moved, but the timers have not run yet: a session of its own
    ]) {
      harness.clock.set(time);
      harness.processElement({ id: v, k: "a", v }, NO_TIMESTAMP);
    }
    assert.equal(harness.mapEntries("window-contents"), 2);
    harness.advanceProcessingTime(20);
    assert.deepEqual(harness.main, [{ value: ["a", 0, 13, [1, 2, 3]], timestamp: 12 }]);
    harness.endInput();
    assert.deepEqual(harness.main[1], { value: ["a", 20, 25, [4]], timestamp: 24 });
  });
});
