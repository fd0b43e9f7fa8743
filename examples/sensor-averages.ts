/**
 * Average temperature per sensor over ten-second event-time windows: the job the README starts
 * with. A seeded generator makes the readings, bounded (`readings`, default 200,000), with
 * timestamps out of order by up to two seconds and a few readings delayed much longer.
 *
 * - Watermarks trail the highest timestamp seen by three seconds, so ordinary disorder is absorbed.
 * - A window fires when the watermark passes its end, and stays open five seconds more
 *   (allowedLateness): a reading arriving then updates the window, which fires again.
 * - Readings later than that go to the `late-readings` side output, which a second keyed
 *   function counts per sensor and reports at the end of the input.
 *
 * The watermark follows every record (autoWatermarkIntervalMs: 0), so which readings are late does
 * not depend on timing: at parallelism 1 every run prints the same windows. (With more, the source
 * subtasks' records interleave differently from run to run, and so do the late readings.)
 *
 *   npx eddy run examples/sensor-averages.ts
 *   npx eddy run examples/sensor-averages.ts --set readings=1000000 --set output=/tmp/averages.ndjson
 */
import {
  type AggregateFunction,
  type Collector,
  ConfigError,
  GeneratorSource,
  Job,
  type JobContext,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type KeyedRuntimeContext,
  NdjsonFileSink,
  OutputTag,
  type ProcessWindowFunction,
  type SeededRandom,
  StateDescriptors,
  Time,
  TumblingEventTimeWindows,
  type ValueState,
  WatermarkStrategy,
  type WindowContext,
} from "@eddy/core";

export interface SensorReading {
  sensorId: string;
  /** Degrees Celsius. */
  temperature: number;
  /** Event time, epoch milliseconds. */
  ts: number;
}

export interface SensorAverage {
  sensorId: string;
  windowStart: string;
  windowEnd: string;
  readings: number;
  averageTemperature: number;
}

const START = Date.UTC(2024, 0, 1);
const SENSORS = 10;
/** One reading every 10 ms over all sensors: each sensor reads ten times a second. */
const INTERVAL_MS = 10;

/** Reading `index`: its sensor, a temperature around the sensor's own level, and a delayed timestamp. */
export function reading(index: number, random: SeededRandom): SensorReading {
  const sensor = index % SENSORS;
  // Most readings are up to 2 s late; one in 500 up to 20 s, past the watermark and beyond.
  const delay = random.nextBoolean(0.002) ? random.nextIntBetween(2_000, 20_000) : random.nextInt(2_000);
  return {
    sensorId: `sensor-${sensor}`,
    temperature: Math.round((18 + sensor * 0.5 + random.nextGaussian(0, 0.8)) * 100) / 100,
    ts: START + index * INTERVAL_MS - delay,
  };
}

/** Sum and count, for an average. */
interface Mean {
  sum: number;
  count: number;
}

const averageTemperature: AggregateFunction<SensorReading, Mean, Mean> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (r, acc) => ({ sum: acc.sum + r.temperature, count: acc.count + 1 }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

/** Adds the sensor and the window's bounds to the pre-aggregated mean. */
const withWindow: ProcessWindowFunction<Mean, SensorAverage, string> = {
  process(context: WindowContext<string>, [mean]: readonly Mean[], out: Collector<SensorAverage>) {
    out.collect({
      sensorId: context.key,
      windowStart: new Date(context.window.start).toISOString(),
      windowEnd: new Date(context.window.end).toISOString(),
      readings: mean.count,
      averageTemperature: Math.round((mean.sum / mean.count) * 100) / 100,
    });
  },
};

/** Counts a sensor's late readings and reports the count when the input ends. */
class CountLateReadings implements KeyedProcessFunction<string, SensorReading, string> {
  private count!: ValueState<number>;

  open(context: KeyedRuntimeContext): void {
    this.count = context.getState(StateDescriptors.value<number>("late-count", { defaultValue: 0 }));
  }

  processElement(_r: SensorReading, context: KeyedProcessContext<string>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    // One timer per key: it fires on the final watermark, at the end of bounded input.
    context.timerService().registerEventTimeTimer(Number.MAX_SAFE_INTEGER);
  }

  onTimer(_time: number, context: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(`${context.currentKey()}: ${this.count.value()} readings too late for their window`);
  }
}

export const LATE_READINGS = new OutputTag<SensorReading>("late-readings");

/** The keys `--set` may give: any other is an error naming these (eddy run reads this export). */
export const config = {
  readings: { default: 200_000, description: "how many readings to generate" },
  output: { description: "an NDJSON file to write the averages to (default: print them)" },
};

export default ({ config }: JobContext): Job => {
  const count = config.readings ?? 200_000;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0)
    throw new ConfigError("readings", `must be a whole number of readings, not ${JSON.stringify(count)}`);
  const output = config.output;
  if (output !== undefined && (typeof output !== "string" || output === ""))
    throw new ConfigError("output", "must be the path of an NDJSON file to write the averages to");

  const job = Job.create({ name: "sensor-averages", autoWatermarkIntervalMs: 0 });
  const readings = job
    .fromSource(
      new GeneratorSource<SensorReading>({ count, seed: 42, generate: reading }),
      WatermarkStrategy.forBoundedOutOfOrderness<SensorReading>(Time.seconds(3)).withTimestamp((r) => r.ts),
      "readings",
    )
    .uid("readings");

  const averages = readings
    .keyBy((r) => r.sensorId)
    .window(TumblingEventTimeWindows.of(Time.seconds(10)))
    .allowedLateness(Time.seconds(5))
    .sideOutputLateData(LATE_READINGS)
    .aggregate(averageTemperature, withWindow)
    .uid("sensor-averages")
    .name("average-per-window");

  if (output === undefined) averages.print("avg");
  else averages.sinkTo(new NdjsonFileSink<SensorAverage>(output, { mode: "overwrite" }), "averages-file");

  averages
    .getSideOutput(LATE_READINGS)
    .keyBy((r) => r.sensorId)
    .process(new CountLateReadings())
    .uid("late-readings-count")
    .name("count-late-readings")
    .print("late");
  return job;
};
