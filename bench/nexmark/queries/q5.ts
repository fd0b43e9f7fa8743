/**
 * q5, hot items: in sliding windows of 10 s every 2 s, the auctions with the most bids. First the
 * bid count per auction and window (keyed by auction), then, per window, the auctions whose count
 * is the window's maximum (keyed by window end; the counts carry the window's last millisecond as
 * their timestamp, so a 2 s tumbling window gathers exactly one sliding window's counts).
 * Row: (auction, count, window end) for each auction tied at the maximum of its window.
 */

import {
  type AggregateFunction,
  type Collector,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
} from "@eddy/core";
import { isBid, WATERMARK_DELAY_MS } from "@eddy/nexmark";
import { filter, mergeMap } from "rxjs";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";
import { eventTimeWindows } from "../rx-windows.ts";

export interface Q5Row {
  readonly auction: number;
  readonly count: number;
  readonly windowEnd: number;
}

const SIZE = 10_000;
const SLIDE = 2_000;
const PANES = SIZE / SLIDE;

const digest = (d: RowDigest, auction: number, count: number, windowEnd: number) =>
  d.begin().num(auction).num(count).num(windowEnd).end();

const countBids: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_bid, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

interface Hottest {
  max: number;
  rows: Q5Row[];
}

const hottest: AggregateFunction<Q5Row, Hottest, Q5Row[]> = {
  createAccumulator: () => ({ max: 0, rows: [] }),
  add(row, acc) {
    if (row.count > acc.max) {
      acc.max = row.count;
      acc.rows = [row];
    } else if (row.count === acc.max) acc.rows.push(row);
    return acc;
  },
  getResult: (acc) => acc.rows,
  merge(a, b) {
    for (const row of b.rows) hottest.add(row, a);
    return a;
  },
};

/** The rows of one window's counts that reach its maximum (in ascending auction order, for RxJS). */
function rowsAtMax(counts: Map<number, number>, windowEnd: number): Q5Row[] {
  let max = 0;
  for (const n of counts.values()) if (n > max) max = n;
  const rows: Q5Row[] = [];
  for (const [auction, n] of counts) if (n === max) rows.push({ auction, count: n, windowEnd });
  return rows;
}

export const q5: NexmarkQuery<Q5Row> = {
  name: "q5",
  title: "hot items: auctions with the most bids per sliding window (10 s every 2 s)",
  rows: "(auction, count, window end) per auction at its window's maximum count",
  flinkPerCore: 74_500,
  eddy: (events) =>
    events
      .filterType(isBid)
      .keyBy((b) => b.auction)
      .window(SlidingEventTimeWindows.of(SIZE, SLIDE))
      .aggregate(countBids, {
        process(ctx, counts, out: Collector<Q5Row>) {
          out.collect({ auction: ctx.key, count: counts[0], windowEnd: ctx.window.end });
        },
      })
      .uid("bid-counts")
      .name("bid-counts")
      .keyBy((r) => r.windowEnd)
      .window(TumblingEventTimeWindows.of(SLIDE))
      .aggregate(hottest, {
        process(_ctx, results, out: Collector<Q5Row>) {
          for (const row of results[0]) out.collect(row);
        },
      })
      .uid("hottest")
      .name("hottest"),
  digestRow: (r, d) => digest(d, r.auction, r.count, r.windowEnd),
  handWritten(generator, events, d) {
    // Counts per auction per 2 s pane; a window is the sum of its 5 panes. Pane p is slot p % 5.
    const panes = Array.from({ length: PANES }, () => new Map<number, number>());
    const sums = new Map<number, number>();
    let current = Number.NEGATIVE_INFINITY;
    /** Fires the window ending at pane boundary `b` (panes b-5 .. b-1). */
    const fire = (b: number) => {
      sums.clear();
      for (const pane of panes)
        for (const [auction, n] of pane) sums.set(auction, (sums.get(auction) ?? 0) + n);
      let max = 0;
      for (const n of sums.values()) if (n > max) max = n;
      for (const [auction, n] of sums) if (n === max) digest(d, auction, n, b * SLIDE);
    };
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type !== "bid") continue;
      const pane = Math.floor(e.dateTime / SLIDE);
      if (pane !== current) {
        if (current !== Number.NEGATIVE_INFINITY)
          for (let b = current + 1; b <= pane && b <= current + PANES; b++) {
            fire(b);
            panes[b % PANES].clear();
          }
        if (pane > current + PANES) for (const p of panes) p.clear();
        current = pane;
      }
      const counts = panes[pane % PANES];
      counts.set(e.auction, (counts.get(e.auction) ?? 0) + 1);
    }
    if (current !== Number.NEGATIVE_INFINITY)
      for (let b = current + 1; b <= current + PANES; b++) {
        fire(b);
        panes[b % PANES].clear();
      }
  },
  rx: (events) =>
    events.pipe(
      filter(isBid),
      eventTimeWindows({
        size: SIZE,
        slide: SLIDE,
        outOfOrdernessMs: WATERMARK_DELAY_MS,
        timestamp: (b) => b.dateTime,
        createAccumulator: () => new Map<number, number>(),
        add: (counts, b) => {
          counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
        },
      }),
      mergeMap((w) => rowsAtMax(w.accumulator, w.end)),
    ),
};
