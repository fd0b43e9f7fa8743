/**
 * Timers of a keyed operator: event-time timers fire when the watermark reaches them, processing-
 * time timers when the clock does. A timer is (key, namespace, time) and is registered once:
 * registering it again is a no-op, deleting it removes it. Timers fire in time order, ties in
 * registration order, each with its key set as the current key, as in Flink.
 */
import type { Key } from "../../api/functions.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import { MIN_WATERMARK } from "../../time/time.ts";

/** Namespaces separate timers (and state) of one key, e.g. one per window. */
export type Namespace = number | string;
export const VOID_NAMESPACE: Namespace = 0;

export interface Timer {
  readonly time: number;
  readonly key: Key;
  readonly keyGroup: number;
  readonly namespace: Namespace;
  readonly seq: number;
  deleted: boolean;
}

export interface Triggerable {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

/** The timers due at one time, in registration order, indexed by key for dedup. */
interface TimeBucket {
  readonly timers: Timer[];
  /** key -> first live timer of that key at this time; `next` chains other namespaces. */
  readonly byKey: Map<Key, BucketEntry>;
  /** Timers before this position have been fired or skipped. */
  cursor: number;
}

interface BucketEntry {
  timer: Timer;
  next: BucketEntry | undefined;
}

/**
 * Timers grouped by time: a min-heap of the distinct times, and per time a bucket of timers in
 * registration order with a per-key index for dedup. Registering a timer costs one number-keyed
 * and one key-keyed lookup (no string is built); many timers share a time (window ends), so the
 * heap stays small. Deletion marks the timer and unlinks it from the index.
 */
export class TimerQueue {
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, TimeBucket>();
  private seq = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  add(key: Key, keyGroup: number, namespace: Namespace, time: number): boolean {
    let bucket = this.buckets.get(time);
    if (bucket === undefined) {
      bucket = { timers: [], byKey: new Map(), cursor: 0 };
      this.buckets.set(time, bucket);
      this.pushTime(time);
    }
    const first = bucket.byKey.get(key);
    for (let e = first; e !== undefined; e = e.next) if (e.timer.namespace === namespace) return false;
    const timer: Timer = { time, key, keyGroup, namespace, seq: this.seq++, deleted: false };
    bucket.timers.push(timer);
    bucket.byKey.set(key, { timer, next: first });
    this.live++;
    return true;
  }

  remove(key: Key, namespace: Namespace, time: number): boolean {
    const bucket = this.buckets.get(time);
    if (bucket === undefined) return false;
    let previous: BucketEntry | undefined;
    for (let e = bucket.byKey.get(key); e !== undefined; previous = e, e = e.next) {
      if (e.timer.namespace !== namespace) continue;
      e.timer.deleted = true;
      if (previous !== undefined) previous.next = e.next;
      else if (e.next !== undefined) bucket.byKey.set(key, e.next);
      else bucket.byKey.delete(key);
      this.live--;
      return true;
    }
    return false;
  }

  /** Earliest live timer's time, or +Infinity. */
  peekTime(): number {
    for (;;) {
      if (this.times.length === 0) return Number.POSITIVE_INFINITY;
      const time = this.times[0];
      const bucket = this.buckets.get(time)!;
      if (this.advanceCursor(bucket)) return time;
      this.dropEarliestTime();
    }
  }

  /** Removes and returns the earliest live timer if its time <= limit. */
  pollUpTo(limit: number): Timer | undefined {
    for (;;) {
      if (this.times.length === 0 || this.times[0] > limit) return undefined;
      const bucket = this.buckets.get(this.times[0])!;
      if (!this.advanceCursor(bucket)) {
        this.dropEarliestTime();
        continue;
      }
      const timer = bucket.timers[bucket.cursor++];
      this.remove(timer.key, timer.namespace, timer.time);
      timer.deleted = false;
      return timer;
    }
  }

  /** All live timers (for snapshots), in no particular order. */
  *timers(): IterableIterator<Timer> {
    for (const bucket of this.buckets.values())
      for (let i = bucket.cursor; i < bucket.timers.length; i++)
        if (!bucket.timers[i].deleted) yield bucket.timers[i];
  }

  /** Skips deleted timers; true if the bucket has a live one at its cursor. */
  private advanceCursor(bucket: TimeBucket): boolean {
    while (bucket.cursor < bucket.timers.length && bucket.timers[bucket.cursor].deleted) bucket.cursor++;
    return bucket.cursor < bucket.timers.length;
  }

  private dropEarliestTime(): void {
    const time = this.times[0];
    this.buckets.delete(time);
    const last = this.times.pop()!;
    if (this.times.length > 0) {
      this.times[0] = last;
      this.siftDown(0);
    }
  }

  private pushTime(time: number): void {
    const times = this.times;
    let i = times.length;
    times.push(time);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      i = parent;
    }
    times[i] = time;
  }

  private siftDown(i: number): void {
    const times = this.times;
    const n = times.length;
    const item = times[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1] < times[child]) child++;
      if (times[child] >= item) break;
      times[i] = times[child];
      i = child;
    }
    times[i] = item;
  }
}

/** Wakes a task for processing-time timers; owned by the task, read by its executor. */
export interface ProcessingTimeService {
  now(): number;
  /** Called when the earliest processing-time timer of a service may have moved earlier. */
  timerAdded(time: number): void;
}

export class InternalTimerService {
  private readonly eventTimers = new TimerQueue();
  private readonly processingTimers = new TimerQueue();
  currentWatermark = MIN_WATERMARK;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly triggerable: Triggerable,
    private readonly processingTime: ProcessingTimeService,
  ) {}

  registerEventTimeTimer(namespace: Namespace, time: number): void {
    this.eventTimers.add(this.backend.currentKey, this.backend.currentKeyGroup, namespace, time);
  }
  deleteEventTimeTimer(namespace: Namespace, time: number): void {
    this.eventTimers.remove(this.backend.currentKey, namespace, time);
  }
  registerProcessingTimeTimer(namespace: Namespace, time: number): void {
    if (this.processingTimers.add(this.backend.currentKey, this.backend.currentKeyGroup, namespace, time))
      this.processingTime.timerAdded(time);
  }
  deleteProcessingTimeTimer(namespace: Namespace, time: number): void {
    this.processingTimers.remove(this.backend.currentKey, namespace, time);
  }

  /** Fires every event-time timer at or before the watermark. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    let timer: Timer | undefined;
    while ((timer = this.eventTimers.pollUpTo(watermark)) !== undefined) {
      this.backend.setCurrentKeyAndGroup(timer.key, timer.keyGroup);
      this.triggerable.onEventTime(timer);
    }
  }

  /** Fires every processing-time timer at or before `now`. */
  advanceProcessingTime(now: number): void {
    let timer: Timer | undefined;
    while ((timer = this.processingTimers.pollUpTo(now)) !== undefined) {
      this.backend.setCurrentKeyAndGroup(timer.key, timer.keyGroup);
      this.triggerable.onProcessingTime(timer);
    }
  }

  nextProcessingTime(): number {
    return this.processingTimers.peekTime();
  }

  /** Adds this service's timers to `out` by key group, for a checkpoint. */
  snapshotTimers(service: number, out: Map<number, [number, 0 | 1, Key, Namespace, number][]>): void {
    const add = (domain: 0 | 1, timer: Timer) => {
      let list = out.get(timer.keyGroup);
      if (list === undefined) out.set(timer.keyGroup, (list = []));
      list.push([service, domain, timer.key, timer.namespace, timer.time]);
    };
    for (const timer of this.eventTimers.timers()) add(0, timer);
    for (const timer of this.processingTimers.timers()) add(1, timer);
  }

  /** Re-registers a timer from a checkpoint. */
  restoreTimer(domain: 0 | 1, key: Key, keyGroup: number, namespace: Namespace, time: number): void {
    if (domain === 0) this.eventTimers.add(key, keyGroup, namespace, time);
    else if (this.processingTimers.add(key, keyGroup, namespace, time)) this.processingTime.timerAdded(time);
  }

  get eventTimerCount(): number {
    return this.eventTimers.size;
  }
  get processingTimerCount(): number {
    return this.processingTimers.size;
  }
}
