/**
 * The events of one key waiting for the watermark (event time), as kept in keyed state:
 * timestamps ascending, events of equal timestamps in arrival order. The CEP operator feeds them
 * to the NFA once the watermark has passed them. Changed in place: the state backends preserve
 * what a running snapshot still has to read.
 */

export interface EventBuffer<E> {
  ts: number[];
  events: E[];
}

/**
 * Inserts `value` after every event with the same or an earlier timestamp; returns its position
 * (0: it is the earliest now).
 */
export function insertEvent<E>(buffer: EventBuffer<E>, ts: number, value: E): number {
  const times = buffer.ts;
  let i = times.length;
  while (i > 0 && times[i - 1] > ts) i--;
  if (i === times.length) {
    times.push(ts);
    buffer.events.push(value);
  } else {
    times.splice(i, 0, ts);
    buffer.events.splice(i, 0, value);
  }
  return i;
}

/** How many events have a timestamp at or before `time`. */
export function countUpTo(buffer: EventBuffer<unknown>, time: number): number {
  const times = buffer.ts;
  let n = 0;
  while (n < times.length && times[n] <= time) n++;
  return n;
}

/** Removes the first `n` events. */
export function removeFirst(buffer: EventBuffer<unknown>, n: number): void {
  if (n === buffer.ts.length) {
    buffer.ts.length = 0;
    buffer.events.length = 0;
    return;
  }
  buffer.ts.splice(0, n);
  buffer.events.splice(0, n);
}
