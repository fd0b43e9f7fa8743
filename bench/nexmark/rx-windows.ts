/**
 * Event-time windows for RxJS, written the way a Node.js user would write them, since RxJS's own
 * windows (windowTime, bufferTime) run on the wall clock. Each value goes to every aligned window
 * [start, start + size) that contains its timestamp; a window is emitted when the watermark (the
 * largest timestamp seen minus the out-of-orderness, minus 1 ms, as eddy's bounded-out-of-orderness
 * rule) reaches its last millisecond, and every open window is emitted, in end order, when the
 * source completes. Late values (whose windows have all been emitted) are dropped.
 */
import { Observable, type OperatorFunction } from "rxjs";

export interface EventTimeWindowOptions<T, A> {
  readonly size: number;
  readonly slide?: number;
  readonly outOfOrdernessMs: number;
  readonly timestamp: (value: T) => number;
  readonly createAccumulator: () => A;
  readonly add: (accumulator: A, value: T) => void;
}

export interface WindowResult<A> {
  readonly start: number;
  readonly end: number;
  readonly accumulator: A;
}

export function eventTimeWindows<T, A>(
  options: EventTimeWindowOptions<T, A>,
): OperatorFunction<T, WindowResult<A>> {
  const { size, outOfOrdernessMs, timestamp, createAccumulator, add } = options;
  const slide = options.slide ?? size;
  if (size % slide !== 0) throw new RangeError("eventTimeWindows: size must be a multiple of slide");
  return (source) =>
    new Observable<WindowResult<A>>((subscriber) => {
      // Open windows by start; starts are multiples of `slide`, so at most size/slide + a few.
      const open = new Map<number, A>();
      let watermark = Number.NEGATIVE_INFINITY;
      const emitUpTo = (wm: number) => {
        if (open.size === 0) return;
        const due = [...open.keys()].filter((start) => start + size - 1 <= wm).sort((a, b) => a - b);
        for (const start of due) {
          const accumulator = open.get(start)!;
          open.delete(start);
          subscriber.next({ start, end: start + size, accumulator });
        }
      };
      return source.subscribe({
        next(value) {
          const ts = timestamp(value);
          for (let start = ts - (((ts % slide) + slide) % slide); start > ts - size; start -= slide) {
            if (start + size - 1 <= watermark) continue;
            let acc = open.get(start);
            if (acc === undefined) open.set(start, (acc = createAccumulator()));
            add(acc, value);
          }
          const wm = ts - outOfOrdernessMs - 1;
          if (wm > watermark) {
            // Check only when the watermark crosses a slide boundary: windows end on them.
            const crossed = Math.floor((wm + 1) / slide) !== Math.floor((watermark + 1) / slide);
            watermark = wm;
            if (crossed) emitUpTo(wm);
          }
        },
        error: (error) => subscriber.error(error),
        complete() {
          emitUpTo(Number.POSITIVE_INFINITY);
          subscriber.complete();
        },
      });
    });
}
