/**
 * q4, average winning price per category: for each auction, the highest bid among its bids with
 * dateTime in [auction.dateTime, auction.expires]; then, per category, the average of those
 * winning prices over the auctions that had such a bid.
 *
 * Output semantics (so that every implementation's output is comparable): the eddy job is an
 * updating query. An auction closes when the watermark passes its `expires`; its winning price
 * then updates its category, which emits (category, auctions so far, average so far). The sink
 * keeps the latest row per category (an upsert table, as Flink's upsert sinks materialise such a
 * query), and the digest covers that table at the end of the bounded input: one row per category
 * with the final count and average. Sums are of integer cents, so the averages are exact whatever
 * order auctions close in.
 *
 * A bid can arrive before its auction (bids name auctions up to 10 ids ahead), so the join keeps,
 * per auction id, the best early price per millisecond until the watermark passes it.
 */

import {
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type KeyedRuntimeContext,
  type MapState,
  type OnTimerContext,
  StateDescriptors,
  type ValueState,
} from "@eddy/core";
import { type Auction, type Bid, isAuction, isBid } from "@eddy/nexmark";
import { UpsertDigestSink } from "../digest-sink.ts";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

export interface Q4Row {
  readonly category: number;
  readonly auctions: number;
  readonly average: number;
}

interface WinningPrice {
  readonly auction: number;
  readonly category: number;
  readonly price: number;
}

/** Early bids are dropped on the first timer at or after the watermark passes them, per second. */
const CLEANUP_MS = 1000;

interface OpenAuction {
  readonly dateTime: number;
  readonly expires: number;
  readonly category: number;
  /** Highest qualifying bid so far; -1 when none. */
  max: number;
}

const digest = (d: RowDigest, category: number, auctions: number, average: number) =>
  d.begin().num(category).num(auctions).num(average).end();

/** Auctions (input 1) and bids (input 2), keyed by auction id: emits an auction's winning price when it closes. */
class WinningBids implements KeyedCoProcessFunction<number, Auction, Bid, WinningPrice> {
  private auction!: ValueState<OpenAuction>;
  /** Bids that came while the auction was unknown: best price per bid dateTime. */
  private early!: MapState<number, number>;

  open(context: KeyedRuntimeContext): void {
    this.auction = context.getState(StateDescriptors.value<OpenAuction>("auction"));
    this.early = context.getMapState(StateDescriptors.map<number, number>("early-bids"));
  }

  processElement1(a: Auction, ctx: KeyedProcessContext<number>): void {
    let max = -1;
    if (!this.early.isEmpty()) {
      for (const [dateTime, price] of this.early.entries())
        if (dateTime >= a.dateTime && dateTime <= a.expires && price > max) max = price;
      this.early.clear();
    }
    this.auction.update({ dateTime: a.dateTime, expires: a.expires, category: a.category, max });
    ctx.timerService().registerEventTimeTimer(a.expires);
  }

  processElement2(b: Bid, ctx: KeyedProcessContext<number>): void {
    const a = this.auction.value();
    if (a !== undefined) {
      if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && b.price > a.max) {
        a.max = b.price;
        this.auction.update(a);
      }
      return;
    }
    const best = this.early.get(b.dateTime);
    if (best === undefined) {
      this.early.put(b.dateTime, b.price);
      // One cleanup timer per key and second, not per bid millisecond (timer coalescing).
      ctx.timerService().registerEventTimeTimer(b.dateTime - (b.dateTime % CLEANUP_MS) + CLEANUP_MS - 1);
    } else if (b.price > best) this.early.put(b.dateTime, b.price);
  }

  onTimer(time: number, ctx: OnTimerContext<number>, out: Collector<WinningPrice>): void {
    const a = this.auction.value();
    if (a !== undefined) {
      if (time !== a.expires) return;
      if (a.max >= 0) out.collect({ auction: ctx.currentKey(), category: a.category, price: a.max });
      this.auction.clear();
      return;
    }
    // The watermark passed these bids: an auction arriving now is later than them.
    const stale: number[] = [];
    for (const dateTime of this.early.keys()) if (dateTime <= time) stale.push(dateTime);
    for (const dateTime of stale) this.early.remove(dateTime);
  }
}

/** Per category: the running average of winning prices, one update per closed auction. */
class CategoryAverage implements KeyedProcessFunction<number, WinningPrice, Q4Row> {
  private totals!: ValueState<{ auctions: number; sum: number }>;

  open(context: KeyedRuntimeContext): void {
    this.totals = context.getState(StateDescriptors.value<{ auctions: number; sum: number }>("totals"));
  }

  processElement(w: WinningPrice, _ctx: KeyedProcessContext<number>, out: Collector<Q4Row>): void {
    const t = this.totals.value() ?? { auctions: 0, sum: 0 };
    t.auctions++;
    t.sum += w.price;
    this.totals.update(t);
    out.collect({ category: w.category, auctions: t.auctions, average: t.sum / t.auctions });
  }
}

export const q4: NexmarkQuery<Q4Row> = {
  name: "q4",
  title: "average winning bid price per category",
  rows: "(category, auctions, average) per category: the final row of the updating result",
  flinkPerCore: 28_200,
  eddy(events) {
    const auctions = events.filterType(isAuction).name("auctions");
    const bids = events.filterType(isBid).name("bids");
    return auctions
      .keyBy((a) => a.id)
      .connect(bids.keyBy((b) => b.auction))
      .process(new WinningBids())
      .uid("winning-bids")
      .name("winning-bids")
      .keyBy((w) => w.category)
      .process(new CategoryAverage())
      .uid("category-average")
      .name("category-average");
  },
  sink: () => new UpsertDigestSink<Q4Row>((r) => r.category, q4Digest),
  digestRow: q4Digest,
  handWritten(generator, events, d) {
    const open = new Map<number, OpenAuction>();
    const closing = new ExpiryHeap();
    // Bids of the current millisecond for auctions not (yet) open: auction -> best price.
    const early = new Map<number, number>();
    let earlyTime = -1;
    const totals = new Map<number, { auctions: number; sum: number }>();
    const close = (id: number) => {
      const a = open.get(id)!;
      open.delete(id);
      if (a.max < 0) return;
      const t = totals.get(a.category);
      if (t === undefined) totals.set(a.category, { auctions: 1, sum: a.max });
      else {
        t.auctions++;
        t.sum += a.max;
      }
    };
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      const now = e.dateTime;
      // In order: a bid from now on is later than any auction that expired before now.
      while (closing.size > 0 && closing.minTime() < now) close(closing.pop());
      if (e.type === "bid") {
        const a = open.get(e.auction);
        if (a !== undefined) {
          if (e.dateTime <= a.expires && e.price > a.max) a.max = e.price;
          continue;
        }
        if (now !== earlyTime) {
          early.clear();
          earlyTime = now;
        }
        const best = early.get(e.auction);
        if (best === undefined || e.price > best) early.set(e.auction, e.price);
      } else if (e.type === "auction") {
        const best = earlyTime === now ? early.get(e.id) : undefined;
        open.set(e.id, { dateTime: now, expires: e.expires, category: e.category, max: best ?? -1 });
        closing.push(e.expires, e.id);
      }
    }
    while (closing.size > 0) close(closing.pop());
    for (const [category, t] of totals) digest(d, category, t.auctions, t.sum / t.auctions);
  },
};

function q4Digest(r: Q4Row, d: RowDigest): void {
  digest(d, r.category, r.auctions, r.average);
}

/** A binary min-heap of (time, id) in two parallel arrays. */
class ExpiryHeap {
  private readonly times: number[] = [];
  private readonly ids: number[] = [];
  get size(): number {
    return this.times.length;
  }
  minTime(): number {
    return this.times[0];
  }
  push(time: number, id: number): void {
    const { times, ids } = this;
    let i = times.length;
    times.push(time);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    times[i] = time;
    ids[i] = id;
  }
  pop(): number {
    const { times, ids } = this;
    const top = ids[0];
    const lastTime = times.pop()!;
    const lastId = ids.pop()!;
    const n = times.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1] < times[child]) child++;
      if (times[child] >= lastTime) break;
      times[i] = times[child];
      ids[i] = ids[child];
      i = child;
    }
    times[i] = lastTime;
    ids[i] = lastId;
    return top;
  }
}
