/**
 * Window assigners, as in Flink. A window is [start, end); its last timestamp is end - 1 and an
 * event-time window fires when the watermark reaches it. Session windows merge when their gaps
 * overlap. Processing-time assigners use the arrival time instead of the record's timestamp.
 */
import type { Collector, Key } from "./functions.ts";
import type { OutputTag } from "./output-tag.ts";

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export function windowMaxTimestamp(window: TimeWindow): number {
  return window.end - 1;
}

export type WindowAssigner = AlignedWindowAssigner | SessionWindowAssigner;

/** Fixed-size windows (tumbling: slide == size). A record belongs to size/slide windows. */
export interface AlignedWindowAssigner {
  readonly kind: "aligned";
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly eventTime: boolean;
  readonly description: string;
}

export interface SessionWindowAssigner {
  readonly kind: "session";
  readonly gap: number;
  readonly eventTime: boolean;
  readonly description: string;
}

function aligned(
  size: number,
  slide: number,
  offset: number,
  eventTime: boolean,
  name: string,
): AlignedWindowAssigner {
  if (!(size > 0) || !Number.isInteger(size))
    throw new RangeError(`${name}: size must be a positive integer (ms)`);
  if (!(slide > 0) || !Number.isInteger(slide))
    throw new RangeError(`${name}: slide must be a positive integer (ms)`);
  if (!Number.isInteger(offset) || Math.abs(offset) >= slide)
    throw new RangeError(`${name}: offset must be an integer with |offset| < slide`);
  return {
    kind: "aligned",
    size,
    slide,
    offset,
    eventTime,
    description: `${name}(${size}${slide !== size ? `, ${slide}` : ""})`,
  };
}

function session(gap: number, eventTime: boolean, name: string): SessionWindowAssigner {
  if (!(gap > 0) || !Number.isInteger(gap))
    throw new RangeError(`${name}: gap must be a positive integer (ms)`);
  return { kind: "session", gap, eventTime, description: `${name}(${gap})` };
}

export const TumblingEventTimeWindows = {
  of: (size: number, offset = 0) => aligned(size, size, offset, true, "TumblingEventTimeWindows"),
};
export const SlidingEventTimeWindows = {
  of: (size: number, slide: number, offset = 0) =>
    aligned(size, slide, offset, true, "SlidingEventTimeWindows"),
};
export const EventTimeSessionWindows = {
  withGap: (gap: number) => session(gap, true, "EventTimeSessionWindows"),
};
export const TumblingProcessingTimeWindows = {
  of: (size: number, offset = 0) => aligned(size, size, offset, false, "TumblingProcessingTimeWindows"),
};
export const SlidingProcessingTimeWindows = {
  of: (size: number, slide: number, offset = 0) =>
    aligned(size, slide, offset, false, "SlidingProcessingTimeWindows"),
};
export const ProcessingTimeSessionWindows = {
  withGap: (gap: number) => session(gap, false, "ProcessingTimeSessionWindows"),
};

/** Start of the last window (of this slide and offset) that contains `timestamp`. */
export function lastWindowStart(timestamp: number, slide: number, offset: number): number {
  const rem = (timestamp - offset) % slide;
  return timestamp - (rem < 0 ? rem + slide : rem);
}

export interface WindowContext<K extends Key> {
  readonly key: K;
  readonly window: TimeWindow;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Sees all of a window's contents (or the pre-aggregated result) when the window fires. */
export interface ProcessWindowFunction<IN, OUT, K extends Key> {
  process(context: WindowContext<K>, elements: readonly IN[], out: Collector<OUT>): void;
}
