/**
 * The limit for cep-abc: one loop over the same generator, specialized to
 * `a followedBy b followedBy c within(W)` (after-match skip: none). Events are put back in
 * event-time order with a min-heap released by the same watermark eddy uses (highest timestamp
 * seen - out-of-orderness - 1), then each user's partial matches are a small array of
 * { a, b } that each event updates in place:
 *
 *   - a partial match whose window passed (ts - a.ts >= W) times out at a.ts + W;
 *   - one without a b takes the first b; one with a b completes with the first c (a match);
 *   - an "a" starts a partial match.
 *
 * That is FlinkCEP's meaning of this pattern: with skip-till-next contiguity and exclusive
 * conditions a partial match never branches, and every "a" ends in exactly one match or timeout.
 * Partial matches still open when the input ends time out (the final watermark passes every window).
 */
import { SeededRandom } from "@eddy/core";
import type { RowDigest } from "../nexmark/row-digest.ts";
import { type CepEvent, type CepWorkload, cepEvent, digestRow, maxOutOfOrderness } from "./workload.ts";

interface Partial {
  readonly a: number;
  readonly aTs: number;
  b: number;
}

export interface HandWrittenResult {
  readonly matches: number;
  readonly timeouts: number;
}

export function cepAbcHandWritten(
  w: CepWorkload,
  events: number,
  seed: number,
  digest: RowDigest,
): HandWrittenResult {
  if (w.name !== "cep-abc") throw new Error(`the hand-written loop is specialized to cep-abc, not ${w.name}`);
  const window = w.windowMs;
  const delay = maxOutOfOrderness(w);
  const partials: (Partial[] | undefined)[] = new Array(w.keys);
  const heap = new EventHeap();
  const random = new SeededRandom();
  let matches = 0;
  let timeouts = 0;

  const process = (e: CepEvent) => {
    const ts = e.ts;
    const user = e.user;
    let list = partials[user];
    if (list !== undefined && list.length > 0) {
      let kept = 0;
      for (let i = 0; i < list.length; i++) {
        const p = list[i];
        if (ts - p.aTs >= window) {
          digestRow(digest, 1, user, p.a, p.b, -1, p.aTs + window);
          timeouts++;
        } else if (p.b < 0) {
          if (e.kind === "b") p.b = e.id;
          list[kept++] = p;
        } else if (e.kind === "c") {
          digestRow(digest, 0, user, p.a, p.b, e.id, ts);
          matches++;
        } else list[kept++] = p;
      }
      list.length = kept;
    }
    if (e.kind === "a") {
      if (list === undefined) partials[user] = list = [];
      list.push({ a: e.id, aTs: ts, b: -1 });
    }
  };

  let maxTs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events; i++) {
    const e = cepEvent(w, seed, i, random.reseed(seed, i));
    heap.push(e);
    if (e.ts > maxTs) maxTs = e.ts;
    const watermark = maxTs - delay - 1;
    while (heap.size > 0 && heap.peekTs() <= watermark) process(heap.pop());
  }
  while (heap.size > 0) process(heap.pop());
  for (let user = 0; user < partials.length; user++) {
    const list = partials[user];
    if (list === undefined) continue;
    for (const p of list) {
      digestRow(digest, 1, user, p.a, p.b, -1, p.aTs + window);
      timeouts++;
    }
  }
  return { matches, timeouts };
}

/** A binary min-heap of events by timestamp. */
class EventHeap {
  private readonly items: CepEvent[] = [];
  size = 0;

  peekTs(): number {
    return this.items[0].ts;
  }

  push(e: CepEvent): void {
    const items = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].ts <= e.ts) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = e;
  }

  pop(): CepEvent {
    const items = this.items;
    const top = items[0];
    const last = items[--this.size];
    let i = 0;
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1].ts < items[child].ts) child++;
      if (items[child].ts >= last.ts) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
    return top;
  }
}
