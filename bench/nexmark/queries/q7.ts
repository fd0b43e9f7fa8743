/**
 * q7, highest bid: in tumbling windows of 10 s, the bids at the window's highest price (ties keep
 * every bid at the maximum). The window spans all bids, so the eddy job keys every bid to one key,
 * as Flink's windowAll does: it is not parallel (at parallelism 2 one subtask holds the window).
 * A two-phase version (highest per auction, then per window) spreads over subtasks but pays
 * per-key windows and timers for ~60,000 auctions per window: 4x slower at parallelism 1 (see
 * docs/performance.md).
 * Row: (auction, price, bidder, dateTime, window end) per bid at its window's highest price.
 */

import { type AggregateFunction, type Collector, TumblingEventTimeWindows } from "@eddy/core";
import { type Bid, isBid, WATERMARK_DELAY_MS } from "@eddy/nexmark";
import { filter, mergeMap } from "rxjs";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";
import { eventTimeWindows } from "../rx-windows.ts";

export interface Q7Row {
  readonly auction: number;
  readonly price: number;
  readonly bidder: number;
  readonly dateTime: number;
  readonly windowEnd: number;
}

const SIZE = 10_000;

const digest = (
  d: RowDigest,
  auction: number,
  price: number,
  bidder: number,
  dateTime: number,
  end: number,
) => d.begin().num(auction).num(price).num(bidder).num(dateTime).num(end).end();

/** The bids at the highest price seen. */
interface Highest {
  price: number;
  bids: Bid[];
}

function addBid(acc: Highest, bid: Bid): void {
  if (bid.price > acc.price) {
    acc.price = bid.price;
    acc.bids = [bid];
  } else if (bid.price === acc.price) acc.bids.push(bid);
}

const highestBids: AggregateFunction<Bid, Highest, Highest> = {
  createAccumulator: () => ({ price: -1, bids: [] }),
  add(bid, acc) {
    addBid(acc, bid);
    return acc;
  },
  getResult: (acc) => acc,
  merge(a, b) {
    for (const bid of b.bids) addBid(a, bid);
    return a;
  },
};

const toRow = (bid: Bid, windowEnd: number): Q7Row => ({
  auction: bid.auction,
  price: bid.price,
  bidder: bid.bidder,
  dateTime: bid.dateTime,
  windowEnd,
});

export const q7: NexmarkQuery<Q7Row> = {
  name: "q7",
  title: "highest bid per tumbling window (10 s)",
  rows: "(auction, price, bidder, dateTime, window end) per bid at its window's highest price",
  flinkPerCore: 22_900,
  eddy: (events) =>
    events
      .filterType(isBid)
      .keyBy(() => 0)
      .window(TumblingEventTimeWindows.of(SIZE))
      .aggregate(highestBids, {
        process(ctx, results, out: Collector<Q7Row>) {
          for (const bid of results[0].bids) out.collect(toRow(bid, ctx.window.end));
        },
      })
      .uid("highest-bids")
      .name("highest-bids"),
  digestRow: (r, d) => digest(d, r.auction, r.price, r.bidder, r.dateTime, r.windowEnd),
  handWritten(generator, events, d) {
    let window = Number.NEGATIVE_INFINITY;
    let price = -1;
    let bids: Bid[] = [];
    const fire = () => {
      const end = (window + 1) * SIZE;
      for (const b of bids) digest(d, b.auction, b.price, b.bidder, b.dateTime, end);
    };
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type !== "bid") continue;
      const w = Math.floor(e.dateTime / SIZE);
      if (w !== window) {
        fire();
        window = w;
        price = -1;
        bids = [];
      }
      if (e.price > price) {
        price = e.price;
        bids = [e];
      } else if (e.price === price) bids.push(e);
    }
    fire();
  },
  rx: (events) =>
    events.pipe(
      filter(isBid),
      eventTimeWindows({
        size: SIZE,
        outOfOrdernessMs: WATERMARK_DELAY_MS,
        timestamp: (b) => b.dateTime,
        createAccumulator: (): Highest => ({ price: -1, bids: [] }),
        add: addBid,
      }),
      mergeMap((w) => w.accumulator.bids.map((b) => toRow(b, w.end))),
    ),
};
