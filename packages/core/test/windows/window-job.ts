/**
 * One differential scenario for event-time windows: random records, a window assigner, a window
 * function kind, lateness and a watermark bound. `runScenario` runs it as a real job (records
 * from fromTimestampedElements, watermarks after every record) and `expectedOutput` renders the
 * oracle's firings the way the job's functions do, so the two compare as sorted JSON lines.
 */
import fc from "fast-check";
import type {
  AggregateFunction,
  Collector,
  ProcessContext,
  ProcessFunction,
} from "../../src/api/functions.ts";
import { Job } from "../../src/api/job.ts";
import type { WindowSpec } from "../../src/api/logical-plan.ts";
import { OutputTag } from "../../src/api/output-tag.ts";
import {
  EventTimeSessionWindows,
  type ProcessWindowFunction,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type WindowAssigner,
} from "../../src/api/windows.ts";
import { runJob } from "../../src/runtime/job/run-job.ts";
import { WatermarkStrategy } from "../../src/time/watermark-strategy.ts";
import {
  type OracleEvent,
  type OracleFiring,
  type OracleResult,
  type OracleWindows,
  windowOracle,
} from "./oracle.ts";

export interface Rec {
  readonly id: number;
  readonly k: string;
  readonly v: number;
}

export interface ScenarioEvent extends Rec {
  readonly ts: number;
}

export type FunctionKind = "process" | "reduce" | "reduce-process" | "aggregate" | "aggregate-process";

export interface Scenario {
  readonly events: readonly ScenarioEvent[];
  readonly windows: OracleWindows;
  readonly outOfOrderness: number;
  readonly lateness: number;
  readonly fn: FunctionKind;
  readonly lateTag: boolean;
}

export interface Outputs {
  /** Main output: `{ ts, out }` as JSON, sorted. */
  readonly main: string[];
  /** Late side output (empty without a tag): `{ ts, out }` as JSON, sorted. */
  readonly late: string[];
}

const LATE = new OutputTag<Rec>("late");

export function assignerOf(windows: OracleWindows): WindowAssigner {
  if (windows.kind === "session") return EventTimeSessionWindows.withGap(windows.gap);
  return windows.size === windows.slide
    ? TumblingEventTimeWindows.of(windows.size, windows.offset)
    : SlidingEventTimeWindows.of(windows.size, windows.slide, windows.offset);
}

export const sumReduce = (a: Rec, b: Rec): Rec => ({ id: a.id + b.id, k: a.k, v: a.v + b.v });

interface Acc {
  n: number;
  v: number;
  id: number;
}
export const countSum: AggregateFunction<Rec, Acc, Acc> = {
  createAccumulator: () => ({ n: 0, v: 0, id: 0 }),
  add: (r, acc) => ({ n: acc.n + 1, v: acc.v + r.v, id: acc.id + r.id }),
  getResult: (acc) => ({ ...acc }),
  merge: (a, b) => ({ n: a.n + b.n, v: a.v + b.v, id: a.id + b.id }),
};

export const listIds: ProcessWindowFunction<Rec, unknown, any> = {
  process(context, elements, out) {
    out.collect({
      k: context.key,
      start: context.window.start,
      end: context.window.end,
      ids: elements.map((e) => e.id).sort((a, b) => a - b),
      due: context.currentWatermark() >= context.window.end - 1,
    });
  },
};

/** Wraps a pre-aggregated result with its key and window. */
export const withWindow: ProcessWindowFunction<unknown, unknown, any> = {
  process(context, elements, out) {
    if (elements.length !== 1) throw new Error(`expected one pre-aggregated value, got ${elements.length}`);
    out.collect({
      k: context.key,
      start: context.window.start,
      end: context.window.end,
      result: elements[0],
    });
  },
};

/** The plan's window function for a kind, as the DataStream API builds it. */
export function windowFunctionOf(fn: FunctionKind): WindowSpec["function"] {
  switch (fn) {
    case "process":
      return { kind: "process", process: listIds };
    case "reduce":
      return { kind: "reduce", reduce: sumReduce };
    case "reduce-process":
      return { kind: "reduce", reduce: sumReduce, process: withWindow };
    case "aggregate":
      return { kind: "aggregate", aggregate: countSum };
    case "aggregate-process":
      return { kind: "aggregate", aggregate: countSum, process: withWindow };
  }
}

/** Pairs each record with its timestamp, to check the window's output timestamp. */
const withTimestamp: ProcessFunction<unknown, string> = {
  processElement(value: unknown, context: ProcessContext, out: Collector<string>) {
    out.collect(JSON.stringify({ ts: context.timestamp(), out: value }));
  },
};

export async function runScenario(s: Scenario, parallelism: number): Promise<Outputs> {
  const job = Job.create({ name: "window-differential", autoWatermarkIntervalMs: 0 });
  const windowed = job
    .fromTimestampedElements(
      s.events.map((e) => ({ value: { id: e.id, k: e.k, v: e.v } as Rec, timestamp: e.ts })),
    )
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Rec>(s.outOfOrderness).withTimestampAssigner((_e, ts) => ts),
    )
    // One watermark generator, so the watermarks are the oracle's at any parallelism.
    .setParallelism(1)
    .keyBy((r) => r.k)
    .window(assignerOf(s.windows))
    .allowedLateness(s.lateness);
  if (s.lateTag) windowed.sideOutputLateData(LATE);
  const result =
    s.fn === "process"
      ? windowed.process(listIds)
      : s.fn === "reduce"
        ? windowed.reduce(sumReduce)
        : s.fn === "reduce-process"
          ? windowed.reduce(sumReduce, withWindow)
          : s.fn === "aggregate"
            ? windowed.aggregate(countSum)
            : windowed.aggregate(countSum, withWindow);
  const main = result.process(withTimestamp).collect("main");
  const late = s.lateTag ? result.getSideOutput(LATE).process(withTimestamp).collect("late") : undefined;
  const run = await runJob(job, { parallelism });
  return {
    main: run.collected(main).sort(),
    late: late === undefined ? [] : run.collected(late).sort(),
  };
}

export function expectedOutput(s: Scenario): Outputs {
  const oracle = windowOracle(toOracleEvents(s.events), s.windows, s.outOfOrderness, s.lateness);
  return renderOracle(s.fn, oracle, s.events, s.lateTag);
}

export function toOracleEvents(events: readonly ScenarioEvent[]): OracleEvent[] {
  return events.map((e) => ({ id: e.id, key: e.k, ts: e.ts }));
}

/** The oracle's result as the job's outputs: what each firing's function emits, at end - 1. */
export function renderOracle(
  fn: FunctionKind,
  oracle: OracleResult,
  events: readonly ScenarioEvent[],
  lateTag: boolean,
): Outputs {
  const byId = new Map(events.map((e) => [e.id, e]));
  const main = oracle.firings.map((f) => JSON.stringify({ ts: f.end - 1, out: render(fn, f, byId) }));
  const late = lateTag
    ? oracle.late.map((id) => {
        const e = byId.get(id)!;
        return JSON.stringify({ ts: e.ts, out: { id: e.id, k: e.k, v: e.v } });
      })
    : [];
  return { main: main.sort(), late: late.sort() };
}

function render(fn: FunctionKind, f: OracleFiring, byId: Map<number, ScenarioEvent>): unknown {
  const records = f.ids.map((id) => byId.get(id)!);
  const window = { k: f.key, start: f.start, end: f.end };
  const sum = { id: 0, k: f.key, v: 0 };
  for (const r of records) {
    sum.id += r.id;
    sum.v += r.v;
  }
  const acc = { n: records.length, v: sum.v, id: sum.id };
  switch (fn) {
    case "process":
      return { ...window, ids: f.ids, due: true };
    case "reduce":
      return sum;
    case "reduce-process":
      return { ...window, result: sum };
    case "aggregate":
      return acc;
    case "aggregate-process":
      return { ...window, result: acc };
  }
}

// Key groups (of 128) 51, 17, 115, 76: two subtasks each at parallelism 2, one each at 4.
const KEYS = ["a", "c", "e", "l"];

/**
 * Records with unique ids and a few keys: timestamps either anywhere in a small range (some
 * negative; with a small out-of-orderness most records are late) or rising with jitter (few late).
 */
export const eventsArb = (maxLength: number): fc.Arbitrary<ScenarioEvent[]> => {
  const anywhere = fc
    .array(
      fc.record({
        k: fc.constantFrom(...KEYS),
        ts: fc.integer({ min: -20, max: 160 }),
        v: fc.integer({ min: -5, max: 20 }),
      }),
      // "max": lengths spread over the whole range, not mostly tiny arrays.
      { maxLength, size: "max" },
    )
    .map((raw) => raw.map((r, id): ScenarioEvent => ({ id, ...r })));
  const rising = fc
    .array(
      fc.record({
        k: fc.constantFrom(...KEYS),
        step: fc.integer({ min: 0, max: 3 }),
        jitter: fc.integer({ min: -15, max: 15 }),
        v: fc.integer({ min: -5, max: 20 }),
      }),
      { maxLength, size: "max" },
    )
    .map((raw) => {
      let base = 0;
      return raw.map(({ k, step, jitter, v }, id): ScenarioEvent => {
        base += step;
        return { id, k, ts: base + jitter, v };
      });
    });
  return fc.oneof(anywhere, rising);
};

export const functionKindArb = fc.constantFrom<FunctionKind>(
  "process",
  "reduce",
  "reduce-process",
  "aggregate",
  "aggregate-process",
);

/** Lateness: often 0, otherwise up to 40. */
export const latenessArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }));

export const tumblingArb = fc
  .integer({ min: 1, max: 40 })
  .chain((size) =>
    fc
      .integer({ min: -(size - 1), max: size - 1 })
      .map((offset): OracleWindows => ({ kind: "aligned", size, slide: size, offset })),
  );

/** Sliding windows: size a multiple of slide, or not, or even smaller than slide (gaps). */
export const slidingArb = fc
  .record({
    slide: fc.integer({ min: 1, max: 20 }),
    factor: fc.integer({ min: 1, max: 4 }),
    extra: fc.integer({ min: -10, max: 10 }),
  })
  .chain(({ slide, factor, extra }) => {
    const size = Math.max(1, slide * factor + (extra % 3 === 0 ? 0 : extra));
    return fc
      .integer({ min: -(slide - 1), max: slide - 1 })
      .map((offset): OracleWindows => ({ kind: "aligned", size, slide, offset }));
  });

export const sessionArb = fc
  .integer({ min: 1, max: 25 })
  .map((gap): OracleWindows => ({ kind: "session", gap }));

export const scenarioArb = (windowsArb: fc.Arbitrary<OracleWindows>, maxLength = 200) =>
  fc.record({
    events: eventsArb(maxLength),
    windows: windowsArb,
    outOfOrderness: fc.integer({ min: 0, max: 40 }),
    lateness: latenessArb,
    fn: functionKindArb,
    lateTag: fc.boolean(),
  }) as fc.Arbitrary<Scenario>;
