/**
 * Timers of a keyed operator: event-time timers fire when the watermark reaches them, processing-
 * time timers when the clock does. A timer is (key, namespace, time) and is registered once:
 * registering it again is a no-op, deleting it removes it. Timers fire in time order, ties in
 * registration order, each with its key set as the current key, as in Flink.
 */
import type { Key } from "../api/functions.ts";
import type { HeapKeyedStateBackend } from "../state/heap-keyed-state-backend.ts";
import { MIN_WATERMARK } from "../time/time.ts";

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

function timerId(key: Key, namespace: Namespace, time: number): string {
  return `${typeof key === "number" ? "n" : "s"}${key}\u0001${namespace}\u0001${time}`;
}

/** A binary min-heap of timers by (time, seq) with an index for dedup and lazy deletion. */
export class TimerQueue {
  private readonly heap: Timer[] = [];
  private readonly index = new Map<string, Timer>();
  private seq = 0;

  get size(): number {
    return this.index.size;
  }

  add(key: Key, keyGroup: number, namespace: Namespace, time: number): boolean {
    const id = timerId(key, namespace, time);
    if (this.index.has(id)) return false;
    const timer: Timer = { time, key, keyGroup, namespace, seq: this.seq++, deleted: false };
    this.index.set(id, timer);
    this.heap.push(timer);
    this.siftUp(this.heap.length - 1);
    return true;
  }

  remove(key: Key, namespace: Namespace, time: number): boolean {
    const id = timerId(key, namespace, time);
    const timer = this.index.get(id);
    if (timer === undefined) return false;
    timer.deleted = true;
    this.index.delete(id);
    return true;
  }

  /** Earliest live timer's time, or +Infinity. */
  peekTime(): number {
    this.dropDeleted();
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0].time;
  }

  /** Removes and returns the earliest live timer if its time <= limit. */
  pollUpTo(limit: number): Timer | undefined {
    this.dropDeleted();
    if (this.heap.length === 0 || this.heap[0].time > limit) return undefined;
    const top = this.pop();
    this.index.delete(timerId(top.key, top.namespace, top.time));
    return top;
  }

  /** All live timers (for snapshots), in no particular order. */
  timers(): IterableIterator<Timer> {
    return this.index.values();
  }

  private dropDeleted(): void {
    while (this.heap.length > 0 && this.heap[0].deleted) this.pop();
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(item, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], item)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = item;
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
    private readonly backend: HeapKeyedStateBackend,
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
