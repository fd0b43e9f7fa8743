/**
 * Window latency for q5 and q7: the wall time from the moment the watermark passes a window's end
 * to the moment that window's first output row reaches the sink.
 *
 * Method (eddy at parallelism 1, in one thread, source throttled in wall-clock time):
 * - the watermark generator after the source (dateTime - 4 s, as always) notes, each time it
 *   emits a watermark, the wall time at which each window end it newly passes was passed (a window
 *   [start, end) is complete once the watermark reaches end - 1);
 * - the sink notes the wall time of each window's first output row (rows carry their window end);
 * - the difference goes to an HDR histogram (microsecond resolution).
 * So the figure covers the watermark's trip through the exchange, the window firing, the second
 * stage and the sink; it excludes the periodic watermark interval (the watermark is generated every
 * 200 ms of processing time, which delays when a window can fire at all, by design).
 */

import {
  type Sink,
  type SinkContext,
  type SinkWriter,
  type WatermarkGenerator,
  type WatermarkOutput,
  WatermarkStrategy,
} from "@eddy/core";
import { type NexmarkEvent, WATERMARK_DELAY_MS } from "@eddy/nexmark";
import * as hdr from "hdr-histogram-js";

export interface LatencySummary {
  readonly windows: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class WindowLatencyProbe {
  private readonly passedAt = new Map<number, number>();
  private readonly seen = new Set<number>();
  private lastWatermark = Number.NEGATIVE_INFINITY;
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** @param slide window ends are the multiples of this (ms). */
  constructor(private readonly slide: number) {}

  watermarkEmitted(watermark: number, now: number): void {
    if (!Number.isFinite(watermark)) return;
    const last = this.lastWatermark;
    this.lastWatermark = watermark;
    // The first watermark only sets the start: windows it passes were never waited for.
    if (last === Number.NEGATIVE_INFINITY) return;
    for (
      let end = (Math.floor((last + 1) / this.slide) + 1) * this.slide;
      end - 1 <= watermark;
      end += this.slide
    )
      this.passedAt.set(end, now);
  }

  windowOutput(windowEnd: number, now: number): void {
    if (this.seen.has(windowEnd)) return;
    this.seen.add(windowEnd);
    const passed = this.passedAt.get(windowEnd);
    if (passed === undefined) return; // fired by the end of input, or before measuring began
    this.passedAt.delete(windowEnd);
    this.histogram.recordValue(Math.max(1, Math.round((now - passed) * 1000)));
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      windows: this.histogram.totalCount,
      p50Ms: ms(this.histogram.getValueAtPercentile(50)),
      p99Ms: ms(this.histogram.getValueAtPercentile(99)),
      maxMs: ms(this.histogram.maxValue),
    };
  }

  /** Nexmark's watermarks (max dateTime - 4 s - 1 ms), reporting each emission to the probe. */
  watermarks(): WatermarkStrategy<NexmarkEvent> {
    return WatermarkStrategy.forGenerator(() => new ProbedWatermarks(this));
  }

  /** Notes each window's first row (by `windowEnd`), then hands rows on to `inner`. */
  sink<T extends { windowEnd: number }>(inner: Sink<T>): Sink<T> {
    const probe = this;
    return {
      guarantee: inner.guarantee,
      createWriter(context: SinkContext): SinkWriter<T> {
        const writer = inner.createWriter(context);
        return {
          write(row: T, timestamp: number) {
            probe.windowOutput(row.windowEnd, performance.now());
            writer.write(row, timestamp);
          },
          flush: (endOfInput) => writer.flush(endOfInput),
          close: () => writer.close(),
        };
      },
    };
  }
}

class ProbedWatermarks implements WatermarkGenerator<NexmarkEvent> {
  private maxTimestamp = Number.NEGATIVE_INFINITY;
  constructor(private readonly probe: WindowLatencyProbe) {}
  onEvent(_event: NexmarkEvent, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp === Number.NEGATIVE_INFINITY) return;
    const watermark = this.maxTimestamp - WATERMARK_DELAY_MS - 1;
    output.emitWatermark(watermark);
    this.probe.watermarkEmitted(watermark, performance.now());
  }
}
